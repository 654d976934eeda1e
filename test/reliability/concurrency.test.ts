// Concurrency: hooks for the same identifier are serialised by its lock (one rotation, nothing duplicated
// or half renamed, every process exits 0); hooks for different identifiers run in parallel; a lock left
// by a killed process is found stale and taken over by exactly one of the processes that want it.
import execa from 'execa';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALPHA, normalizedImages } from '../e2e/scenario';
import { runHook, RunResult, Site, stateFiles } from '../e2e/site';
import { describePoint, runUntilKilled } from './helpers-a/crash';
import { makeSeed, Prepared, prepareSite, referenceRotation, rotationEvent, Seed } from './helpers-a/fixtures';

const IDS = [
  ALPHA,
  '5c1d3f0a-8a2e-4c55-9a61-0f6b1c2d3e4f',
  '9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a',
  '0a1b2c3d-4e5f-4061-8273-849506172839',
  'c0ffee00-1234-4abc-9def-0123456789ab',
  'deadbeef-5678-4cde-8f01-23456789abcd',
  '7e57ab1e-aaaa-4bbb-8ccc-dddddddddddd',
  '11111111-2222-4333-8444-555555555555',
];

function writes(site: Site, method: string): number {
  return site.sim.calls.filter((c) => c.method === method).length;
}

function expectTidy(site: Site): void {
  expect(stateFiles(site, 'spool')).toEqual([]);
  expect(stateFiles(site, 'journal')).toEqual([]);
  expect(stateFiles(site, 'locks')).toEqual([]);
}

function explain(results: RunResult[]): string {
  return results.map((r, i) => `--- process ${i + 1}, exit ${r.code}\n${r.stderr}`).join('\n');
}

describe('concurrency', () => {
  let seed: Seed;
  let reference: ReturnType<typeof normalizedImages>;
  beforeAll(async () => {
    seed = await makeSeed();
    reference = await referenceRotation(seed);
  });
  afterAll(() => seed && seed.close());

  it('8 hooks for the same image at once: one rotation, the others find nothing left to do; all exit 0', async () => {
    const p = await prepareSite(seed, { copyDelayMs: 300 });
    try {
      p.site.sim.clearCalls();
      const results = await Promise.all(IDS.map(() => runHook(p.site, rotationEvent(p))));
      await p.site.sim.settle();
      expect(results.map((r) => r.code), explain(results)).toEqual(IDS.map(() => 0));
      expect(normalizedImages(p.site)).toEqual(reference);
      // No duplicate, nothing half renamed: one rename, one allocate, and exactly the reference's two images.
      expect(writes(p.site, 'one.image.allocate')).toBe(1);
      expect(writes(p.site, 'one.image.rename')).toBe(1);
      expect(writes(p.site, 'one.image.delete')).toBe(0);
      const rotated = results.filter((r) => /done: rotate/.test(r.stderr));
      expect(rotated, explain(results)).toHaveLength(1);
      // Each of the others saw the rotation done (its own event or one queued behind it).
      for (const r of results.filter((x) => x !== rotated[0])) expect(r.stderr).toMatch(/already holds this version|superseded|taken care of by another run/);
      expect(results.filter((r) => /waiting for pid \d+/.test(r.stderr)).length).toBeGreaterThan(0);
      expectTidy(p.site);
    } finally {
      await p.site.close();
    }
  }, 120000);

  it('8 hooks for 8 images at once proceed in parallel', async () => {
    const p = await prepareSite(seed, { copyDelayMs: 1500 });
    const sites: Prepared[] = [];
    try {
      for (const id of IDS.slice(1)) sites.push(await addIdentifier(p, id));
      p.site.sim.clearCalls();
      const events = IDS.map((id) => rotationEvent(p, id));
      const results = await Promise.all(events.map((e) => runHook(p.site, e)));
      await p.site.sim.settle();
      expect(results.map((r) => r.code), explain(results)).toEqual(IDS.map(() => 0));
      expect(normalizedImages(p.site, IDS)).toEqual(referenceFor(IDS));
      // Each image's copy window: from renaming its old image (just before the allocate) to the chmod of
      // the new one (just after READY); each is longer than the simulator's 1.5 s copy.
      const windows = IDS.map((id, k) => {
        const oldId = k === 0 ? p.oldId! : sites[k - 1].oldId!;
        const rename = p.site.sim.calls.filter((c) => c.method === 'one.image.rename' && c.params[1] === oldId);
        expect(rename).toHaveLength(1);
        const img = p.site.sim.images().filter((i) => i.name === id)[0];
        const chmod = p.site.sim.calls.filter((c) => c.method === 'one.image.chmod' && c.params[1] === img.id);
        expect(chmod).toHaveLength(1);
        return { id, from: rename[0].at, to: chmod[0].at };
      });
      // Serialised, no two windows would overlap; in parallel, several are open at once.
      const open = Math.max(...windows.map((w) => windows.filter((x) => x.from <= w.from && w.from < x.to).length));
      console.log(`concurrency: up to ${open} of 8 copies in flight at once`);
      expect(open).toBeGreaterThanOrEqual(2);
      expectTidy(p.site);
    } finally {
      await p.site.close();
    }
  }, 120000);

  it('a lock left by a killed hook is stale and taken over by exactly one of four processes', async () => {
    const p = await prepareSite(seed);
    try {
      // Killed once oned registered the new image and the answer hangs: the lock file stays, its pid is gone.
      const point = { method: 'one.image.allocate', nth: 1, after: true };
      await runUntilKilled(p.site, rotationEvent(p), point);
      expect(stateFiles(p.site, 'locks'), `after a kill at ${describePoint(point)}`).toHaveLength(1);
      expect(stateFiles(p.site, 'journal')).toHaveLength(1);
      p.site.sim.clearCalls();
      const results = await Promise.all([
        runHook(p.site, {}, { args: ['recover'] }),
        runHook(p.site, rotationEvent(p)),
        runHook(p.site, {}, { args: ['recover'] }),
        runHook(p.site, rotationEvent(p)),
      ]);
      await p.site.sim.settle();
      expect(results.map((r) => r.code), explain(results)).toEqual([0, 0, 0, 0]);
      const takeovers = results.map((r) => (r.stderr.match(/took over the lock for \S+ left by pid \d+/g) || []).length);
      expect(takeovers.reduce((a, b) => a + b, 0), explain(results)).toBe(1);
      expect(normalizedImages(p.site)).toEqual(reference);
      // The killed run's image was finished, not registered again.
      expect(writes(p.site, 'one.image.allocate')).toBe(0);
      expectTidy(p.site);
    } finally {
      await p.site.close();
    }
  }, 120000);

  it.each([
    ['from before a reboot', { boot: 'f0e1d2c3-0000-4000-8000-000000000000', start: '1' }],
    ['whose pid was reused by a later process', { start: '1' }],
  ])('a lock %s is stale although its pid is alive', async (_, identity) => {
    const p = await prepareSite(seed, { settings: { VMCHNDL_ON_LOCK_TIMEOUT: '3' } });
    const other = execa('sleep', ['60']);
    try {
      const boot = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
      const lock = Object.assign({ pid: other.pid, host: os.hostname(), since: Date.now() - 3600000, boot }, identity);
      fs.mkdirSync(path.join(p.site.stateDir, 'locks'), { recursive: true });
      fs.writeFileSync(path.join(p.site.stateDir, 'locks', `${ALPHA}.lock`), JSON.stringify(lock));
      const r = await runHook(p.site, rotationEvent(p));
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain(`took over the lock for ${ALPHA} left by pid ${other.pid}`);
      expect(normalizedImages(p.site)).toEqual(reference);
      expectTidy(p.site);
    } finally {
      other.kill();
      await other.catch(() => undefined);
      await p.site.close();
    }
  }, 60000);

  it('queue mode: two versions of an image queued, one drain: the newer is registered, the older superseded', async () => {
    const p = await prepareSite(seed, { settings: { VMCHNDL_ON_QUEUE: 'yes' } });
    try {
      // v1 is what the current image holds; its event comes again, then v2's: both wait in the spool.
      const v1 = rotationEvent(p);
      v1.VMCATCHER_EVENT_SL_CHECKSUM_SHA512 = p.site.sim.image(p.oldId!)!.template.VMCATCHER_EVENT_SL_CHECKSUM_SHA512;
      expect((await runHook(p.site, v1)).code).toBe(0);
      expect((await runHook(p.site, rotationEvent(p))).code).toBe(0);
      expect(stateFiles(p.site, 'spool')).toHaveLength(2);
      p.site.sim.clearCalls();
      const d = await runHook(p.site, {}, { args: ['drain'] });
      expect(d.code, d.stderr).toBe(0);
      expect(d.stderr).toMatch(/WARNING.*is superseded by a newer AvailablePostfix received \d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4} \(the cached file now holds a newer version\)/);
      expect(d.stderr).toMatch(/1 event\(s\) processed, 1 superseded, 0 still pending/);
      expect(normalizedImages(p.site)).toEqual(reference);
      expect(writes(p.site, 'one.image.allocate')).toBe(1);
      expectTidy(p.site);
    } finally {
      await p.site.close();
    }
  }, 60000);

  /** What the reference rotation gives, for each identifier. */
  function referenceFor(ids: string[]) {
    const out: typeof reference = [];
    for (const id of ids) for (const i of reference) out.push(Object.assign({}, i, { name: i.name.replace(ALPHA, id) }));
    return out.sort((a, b) => (a.name + a.sha512 < b.name + b.sha512 ? -1 : 1));
  }
});

/** Another current image (same publication as prepareSite's) and its v2, on the same site. */
async function addIdentifier(p: Prepared, id: string): Promise<Prepared> {
  const fs = await import('fs');
  const path = await import('path');
  const tpl = Object.assign({}, p.site.sim.image(p.oldId!)!.template, { NAME: id, VMCATCHER_EVENT_DC_IDENTIFIER: id, VMCATCHER_EVENT_FILENAME: id });
  const oldId = p.site.sim.addImage({ name: id, uid: 2, gid: 1, mode: '640', template: tpl });
  const file = path.join(p.site.cacheDir, id);
  fs.copyFileSync(p.v2.file, file);
  return { site: p.site, oldId, v2: { file, sha512: p.v2.sha512 } };
}
