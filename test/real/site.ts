// An OpenNebula site around a real oned: vmcatcher's directories with real images, an auth file,
// the datastore allowing our staging directory, and the bundled command run as vmcatcher runs it.
import * as path from 'path';
import { afterAll, beforeAll } from 'vitest';
import { createOneClient } from '../../src/one/client';
import type { ImageRecord, OneApi } from '../../src/one/types';
import { eventEnv, makeSiteDirs, NodeKind, requireBundle, runHook, RunResult, siteFiles } from '../e2e/site';
import { requireQemuImg } from '../helpers/images';
import { b, i, ok } from '../sim/rpc';
import { ensureOnedBuilt, OnedInstall, RealOned, startRealOned } from './oned';

export interface RealSite {
  readonly oned: RealOned;
  /** The project's own client, as oneadmin. */
  readonly one: OneApi;
  readonly root: string;
  readonly cacheDir: string;
  readonly expireDir: string;
  readonly stagingDir: string;
  readonly stateDir: string;
  readonly authFile: string;
  readonly baseEnv: Record<string, string>;
}

/** One oned per test file (it takes ~15 s to start); each test gets fresh site directories under it. */
export function useRealOned(install: OnedInstall): () => RealOned {
  let oned: RealOned | undefined;
  beforeAll(async () => {
    requireBundle();
    requireQemuImg();
    oned = await startRealOned(install);
  }, 180000);
  afterAll(async () => {
    if (oned) await oned.close();
  }, 60000);
  return () => {
    if (!oned) throw new Error('useRealOned: oned did not start');
    return oned;
  };
}

/** The oned versions to test against: every tarball in ../shared/opennebula-src/, built if needed. */
export function onedInstalls(): OnedInstall[] {
  return ensureOnedBuilt();
}

let siteCount = 0;

/**
 * Fresh vmcatcher, staging and state directories under the instance's root; the datastore is told
 * to allow the staging directory (and, with `cacheSafe`, vmcatcher's cache: raw in place).
 */
export async function openRealSite(oned: RealOned, opts: { settings?: Record<string, string>; cacheSafe?: boolean; stagingSafe?: boolean; endpoint?: string } = {}): Promise<RealSite> {
  siteCount += 1;
  const root = path.join(oned.root, `site-${siteCount}`);
  const dirs = makeSiteDirs(root);
  const safe: string[] = [];
  if (opts.stagingSafe !== false) safe.push(dirs.stagingDir);
  if (opts.cacheSafe) safe.push(dirs.cacheDir);
  await oned.setDatastoreDirs(1, { safeDirs: safe.join(' '), restrictedDirs: '/' });
  const { authFile, baseEnv } = siteFiles(
    root,
    dirs,
    oned.session,
    opts.endpoint || oned.url,
    Object.assign({ VMCHNDL_ON_POLL_INTERVAL: '0.1', VMCHNDL_ON_LOCK_TIMEOUT: '60', VMCHNDL_ON_READY_TIMEOUT: '120' }, opts.settings),
  );
  const one = createOneClient({ endpoint: oned.url, session: oned.session });
  return Object.assign({ oned, one, root, authFile, baseEnv }, dirs);
}

/** Runs the bundled command against the real site (the same runner as the simulator's tests). */
export function runReal(site: RealSite, env: Record<string, string>, opts: { node?: NodeKind; args?: string[] } = {}): Promise<RunResult> {
  return runHook(site, env, opts);
}

/** Every image of the site (as oneadmin sees them), lowest id first. */
export async function realImages(site: RealSite): Promise<ImageRecord[]> {
  return (await site.one.imagePool()).slice().sort((a, b) => a.id - b.id);
}

/** Waits until no image is LOCKED (copying) or in DELETE (its datastore files still being removed). */
export async function settleReal(site: RealSite, ms = 60000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    const busy = (await site.one.imagePool()).filter((img) => img.state === 4 || img.state === 7);
    if (busy.length === 0) return;
    if (Date.now() > end) throw new Error(`images still busy: ${busy.map((b) => `${b.id} ${b.name} state ${b.state}`).join(', ')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Puts a VM (held, never deployed: there are no hosts) on an image, as a user's VM would use it. */
export async function useImageInVm(site: RealSite, imageId: number): Promise<number> {
  const tmpl = `NAME="user-vm-${imageId}-${Date.now()}"\nCPU=0.1\nMEMORY=64\nDISK=[IMAGE_ID="${imageId}"]\n`;
  return ok(await site.oned.rpc('one.vm.allocate', { s: tmpl }, b(true))) as number;
}

/** Ends a VM (recover --delete), releasing its images. */
export async function deleteVm(site: RealSite, vmId: number): Promise<void> {
  ok(await site.oned.rpc('one.vm.recover', i(vmId), i(3)));
}

/** The event dump with this site's directories (the simulator tests' builder, on a real site). */
export function realEventEnv(site: RealSite, fixture: string, over: Record<string, string | undefined> = {}): Record<string, string> {
  return eventEnv(site, fixture, over);
}
