// Failures never lose an image: each leaves OpenNebula exactly as it was, with exit code 2 and a clear message.
import * as fs from 'fs';
import { afterEach, describe, expect, it } from 'vitest';
import { requireQemuImg } from '../helpers/images';
import type { SimImage, SimVersion } from '../sim/index';
import { availableEvent, cacheImage } from './scenario';
import { makeSite, NodeKind, runHook, Site, writeCalls } from './site';

const writeCallsOf = (site: Site) => writeCalls(site.sim);

type Snapshot = Pick<SimImage, 'id' | 'name' | 'uid' | 'gid' | 'permissions' | 'stateName' | 'template'>;

function snapshot(site: Site): Snapshot[] {
  return site.sim.images().map((i) => ({ id: i.id, name: i.name, uid: i.uid, gid: i.gid, permissions: i.permissions, stateName: i.stateName, template: i.template }));
}

async function siteWithCurrentImage(node: NodeKind, opts: { version?: SimVersion; copyDelayMs?: number } = {}): Promise<Site> {
  requireQemuImg();
  const site = await makeSite(opts);
  const v1 = cacheImage(site, 'qcow2', 'alpha-v1');
  const r = await runHook(site, availableEvent(site, v1), { node });
  if (r.code !== 0) throw new Error(`setting up the current image failed: ${r.stderr}`);
  const id = site.sim.images()[0].id;
  // Published to the users group and disabled: all of it must survive a failed rotation.
  const carol = site.sim.addUser({ name: 'carol', password: 'c', gid: 1 });
  const { createOneClient } = await import('../../src/one/client');
  const one = createOneClient({ endpoint: site.sim.url, session: fs.readFileSync(site.authFile, 'utf8').trim() });
  await one.imageChown(id, carol, 1);
  await one.imageChmod(id, [1, 1, 0, 1, 0, 0, 0, 0, 0]);
  await one.imageEnable(id, false);
  return site;
}

describe.each<NodeKind>(['node20', 'node10'])('failed rotations under %s', (node) => {
  let site: Site | undefined;
  afterEach(async () => {
    if (site) await site.close();
    site = undefined;
  });

  async function rotateExpectingFailure(s: Site, env: Record<string, string>): Promise<string> {
    const before = snapshot(s);
    const r = await runHook(s, env, { node });
    expect(r.code).toBe(2);
    await s.sim.settle();
    expect(snapshot(s)).toEqual(before);
    expect(fs.readdirSync(s.stagingDir)).toEqual([]);
    expect(fs.readdirSync(`${s.stateDir}/journal`).filter((f) => f.endsWith('.jsonl'))).toEqual([]);
    // The event is not lost: it waits in the spool for the next run.
    expect(fs.readdirSync(`${s.stateDir}/spool`).filter((f) => f.endsWith('.json'))).toHaveLength(1);
    expect(r.stderr).toMatch(/stays pending and will be retried/);
    return r.stderr;
  }

  it('a datastore that refuses the staging directory: refused before converting (exit 3, event kept), naming the setting and the fix', async () => {
    site = await siteWithCurrentImage(node);
    site.sim.setDatastoreDirs(1, { safeDirs: '/var/tmp', restrictedDirs: '/' });
    const v2 = cacheImage(site, 'qcow2', 'alpha-v2');
    const before = snapshot(site);
    site.sim.clearCalls();
    const r = await runHook(site, availableEvent(site, v2), { node });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/VMCHNDL_ON_STAGING_DIR: oned would refuse to copy from .*staging: datastore default has SAFE_DIRS="\/var\/tmp", RESTRICTED_DIRS="\/"/);
    expect(r.stderr).toMatch(/to SAFE_DIRS \(onedatastore update default\)/);
    expect(r.stderr).toMatch(/stays pending and will be retried/);
    // Nothing converted, nothing asked of oned but reads, the event waits for the fix.
    expect(r.stderr).not.toMatch(/converted /);
    expect(writeCallsOf(site)).toEqual([]);
    expect(snapshot(site)).toEqual(before);
    expect(fs.existsSync(site.stagingDir) ? fs.readdirSync(site.stagingDir) : []).toEqual([]);
    expect(fs.readdirSync(`${site.stateDir}/spool`).filter((f) => f.endsWith('.json'))).toHaveLength(1);
    // plan --json shows the refusal as data.
    const p = await runHook(site, availableEvent(site, v2), { node, args: ['plan', '--json'] });
    expect(p.code).toBe(3);
    const view = JSON.parse(p.stdout) as { error: { code: string; exitCode: number; problems: string[] } };
    expect(view.error.code).toBe('INVALID_CONFIG');
    expect(view.error.exitCode).toBe(3);
    expect(view.error.problems[0]).toMatch(/^VMCHNDL_ON_STAGING_DIR: .*onedatastore update default/);
  });

  it('a wrong checksum: nothing is changed at all', async () => {
    site = await siteWithCurrentImage(node);
    const v2 = cacheImage(site, 'qcow2', 'alpha-v2');
    site.sim.clearCalls();
    const err = await rotateExpectingFailure(site, availableEvent(site, v2, { VMCATCHER_EVENT_SL_CHECKSUM_SHA512: 'd'.repeat(128) }));
    // The cause first and short at the default level; the checksums are kept with the pending event (and logged at -v).
    const line = err.split('\n').filter((l) => / ERROR; .* main -- /.test(l))[0];
    expect(line).toMatch(/main -- the cached file is damaged or was replaced \(its sha512 is not the image list's\); vmcatcher will download it again\. Everything was rolled back\./);
    expect(err).not.toMatch(/[0-9a-f]{128}/);
    const entry = JSON.parse(fs.readFileSync(`${site.stateDir}/spool/${fs.readdirSync(`${site.stateDir}/spool`).filter((f) => f.endsWith('.json'))[0]}`, 'utf8'));
    expect(entry.lastError).toMatch(/sha512 of .* is [0-9a-f]{128}, but the image list says d{128}/);
    expect(site.sim.calls.map((c) => c.method).filter((m) => !/info$/.test(m))).toEqual([]);
  });

  it('a missing cached file: exit 2, nothing changed', async () => {
    site = await siteWithCurrentImage(node);
    const v2 = cacheImage(site, 'qcow2', 'alpha-v2');
    fs.unlinkSync(v2.file);
    const err = await rotateExpectingFailure(site, availableEvent(site, v2));
    expect(err).toMatch(/does not exist/);
  });

  it('allocate failing: the old image gets its name back', async () => {
    site = await siteWithCurrentImage(node);
    site.sim.inject({ method: 'one.image.allocate', fault: { type: 'error', code: 0x4000, message: '[one.image.allocate] Not enough space in datastore' } });
    const v2 = cacheImage(site, 'qcow2', 'alpha-v2');
    const err = await rotateExpectingFailure(site, availableEvent(site, v2));
    expect(err).toMatch(/one.image.allocate.*Not enough space in datastore/);
  });

  it('ERROR after allocate: the new image is deleted and the old one restored', async () => {
    site = await siteWithCurrentImage(node);
    site.sim.failNextCopy('Error copying image in the datastore: disk full');
    const v2 = cacheImage(site, 'qcow2', 'alpha-v2');
    const err = await rotateExpectingFailure(site, availableEvent(site, v2));
    expect(err).toMatch(/disk full/);
  });

  it.each<SimVersion>(['6.10', '5.2'])('READY timeout on oned %s: the LOCKED image is deleted, the old one restored', async (version) => {
    site = await siteWithCurrentImage(node, { version, copyDelayMs: 1500 });
    const v2 = cacheImage(site, 'qcow2', 'alpha-v2');
    const err = await rotateExpectingFailure(site, Object.assign(availableEvent(site, v2), { VMCHNDL_ON_READY_TIMEOUT: '0.3' }));
    expect(err).toMatch(/still LOCKED after/);
  });
});


