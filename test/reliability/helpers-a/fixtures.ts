// Sites for the reliability matrices, cheap enough to make hundreds: one real first registration (the
// seed) gives the image template; every cell's site gets a copy of that image through the simulator.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { makeQcow2, requireQemuImg, sha512 } from '../../helpers/images';
import { ALPHA, availableEvent, cacheImage, CachedImage, expireEvent, imageListSays, normalizedImages } from '../../e2e/scenario';
import { makeSite, runHook, RunResult, Site } from '../../e2e/site';
import type { SimVersion } from '../../sim/index';

export interface Seed {
  /** The template the tool gave v1 at its first registration. */
  readonly template: Record<string, string>;
  /** v2 of the image, made once; copied into each site's cache. */
  readonly v2File: string;
  readonly v2Sha512: string;
  close(): void;
}

/** Registers v1 once for real and makes v2: what every prepared site starts from. */
export async function makeSeed(): Promise<Seed> {
  requireQemuImg();
  const site = await makeSite();
  try {
    const v1 = cacheImage(site, 'qcow2', 'alpha-v1');
    const r = await runHook(site, availableEvent(site, v1));
    if (r.code !== 0) throw new Error(`seed registration failed: ${r.stderr}`);
    const template = Object.assign({}, site.sim.images()[0].template);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmc-seed-'));
    const v2File = makeQcow2(path.join(dir, 'v2.qcow2'), 2, { pattern: 'alpha-v2' });
    return { template, v2File, v2Sha512: sha512(v2File), close: () => fs.rmSync(dir, { recursive: true, force: true }) };
  } finally {
    await site.close();
  }
}

export interface Prepared {
  readonly site: Site;
  /** The current image (v1), when the site has one. */
  readonly oldId?: number;
  /** v2 in vmcatcher's cache. */
  readonly v2: CachedImage;
}

export interface PrepareOptions {
  /** No image yet: the event is a first registration. */
  readonly empty?: boolean;
  /** The current image is DISABLED (else enabled). */
  readonly disabled?: boolean;
  readonly settings?: Record<string, string>;
  /** Another identifier than ALPHA (same images, other names). */
  readonly identifier?: string;
  /** How long oned's copy keeps a new image LOCKED (ms); default the simulator's realistic timing. */
  readonly copyDelayMs?: number;
  /** How long a deleted image stays in DELETE (ms); default the simulator's realistic timing. */
  readonly deleteDelayMs?: number;
  readonly version?: SimVersion;
  /** The current image belongs to oneadmin:oneadmin (the caller) instead of carol:users. */
  readonly ownedByCaller?: boolean;
}

/** A site whose current image is v1 published to carol:users with mode 640, and v2 in the cache. */
export async function prepareSite(seed: Seed, opts: PrepareOptions = {}): Promise<Prepared> {
  const site = await makeSite({ settings: opts.settings, copyDelayMs: opts.copyDelayMs, deleteDelayMs: opts.deleteDelayMs, version: opts.version });
  const id = opts.identifier || ALPHA;
  try {
    const carol = site.sim.addUser({ name: 'carol', password: 'c', gid: 1 });
    let oldId: number | undefined;
    if (!opts.empty) {
      const template = Object.assign({}, seed.template, { NAME: id, VMCATCHER_EVENT_DC_IDENTIFIER: id, VMCATCHER_EVENT_FILENAME: id });
      const owner = opts.ownedByCaller ? { uid: 0, gid: 0 } : { uid: carol, gid: 1 };
      oldId = site.sim.addImage({ name: id, uid: owner.uid, gid: owner.gid, mode: '640', state: opts.disabled ? 'DISABLED' : 'READY', template });
    }
    const file = path.join(site.cacheDir, id);
    fs.copyFileSync(seed.v2File, file);
    return { site, oldId, v2: { file, sha512: seed.v2Sha512 } };
  } catch (e) {
    await site.close();
    throw e;
  }
}

/** AvailablePostfix for v2 (rotation, or first registration on an empty site). */
export function rotationEvent(p: Prepared, identifier = ALPHA): Record<string, string> {
  return availableEvent(p.site, p.v2, { VMCATCHER_EVENT_DC_IDENTIFIER: identifier, VMCATCHER_EVENT_FILENAME: identifier });
}

/** The images an uninterrupted rotation leaves, on a site of its own: what every cell must reach. */
export async function referenceRotation(seed: Seed): Promise<ReturnType<typeof normalizedImages>> {
  const p = await prepareSite(seed);
  try {
    const r = await runHook(p.site, rotationEvent(p));
    if (r.code !== 0) throw new Error(r.stderr);
    return normalizedImages(p.site);
  } finally {
    await p.site.close();
  }
}

/** ExpirePostfix for an image vmcatcher_image no longer lists as subscribed (state 1): a real expiry. */
export function expiryEvent(p: Prepared, identifier = ALPHA): Record<string, string> {
  return Object.assign(
    expireEvent(p.site, { VMCATCHER_EVENT_DC_IDENTIFIER: identifier, VMCATCHER_EVENT_FILENAME: `${identifier}.2026-11-22_02-22-10` }),
    imageListSays(1, identifier),
  );
}

/** Everything oned holds about the images, ids and templates included: "exactly as before". */
export function snapshot(site: Site, opts: { retiredRecord?: 'ignore' } = {}) {
  return site.sim.images().map((i) => {
    const template: Record<string, string> = {};
    for (const k of Object.keys(i.template)) {
      // A rolled-back retirement keeps an empty marker and the record of what the image had (a merge
      // update cannot remove attributes); both are harmless and checked separately.
      if (opts.retiredRecord === 'ignore' && /^VMCHNDL_ON_RETIRED/.test(k)) continue;
      template[k] = i.template[k];
    }
    return { id: i.id, name: i.name, uid: i.uid, gid: i.gid, permissions: i.permissions.join(''), state: i.stateName, template };
  });
}

/** The ERROR lines of a run's log (0.0.8's line format). */
export function errorLines(r: RunResult): string[] {
  return r.stderr.split('\n').filter((l) => /;\s+ERROR;/.test(l));
}
