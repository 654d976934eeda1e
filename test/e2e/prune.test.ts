// Retention end to end, through the bundled command: rotations with VMCHNDL_ON_KEEP_RETIRED delete the
// oldest eligible retired version; one a VM uses, a young one and one not the handler's stay; `prune`
// lists (--dry-run --json) and deletes on demand.
import * as fs from 'fs';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { ALPHA, availableEvent, cacheImage, currentImages, expireEvent, imageListSays } from './scenario';
import { NodeKind, runHook, Site } from './site';
import { useSite } from './use-site';

function record(site: Site) {
  return JSON.parse(fs.readFileSync(path.join(site.stateDir, 'records', `${ALPHA}.json`), 'utf8'));
}

async function rotate(site: Site, pattern: string, env: Record<string, string>, node: NodeKind): Promise<number> {
  const v = cacheImage(site, 'raw', pattern, undefined, 1);
  const r = await runHook(site, Object.assign(availableEvent(site, v), env), { node });
  expect(r.code, r.stderr).toBe(0);
  return currentImages(site)[0].id;
}

interface Verdict {
  id: number;
  name: string;
  retiredAt?: string;
  delete: boolean;
  why: string;
}

describe.each<NodeKind>(['node20', 'node10'])('retention under %s', (node) => {
  const getSite = useSite();

  it('a rotation with VMCHNDL_ON_KEEP_RETIRED=1 deletes the oldest retired version, but not one a VM uses until `prune` finds it unused', async () => {
    const site = getSite();
    const keep = { VMCHNDL_ON_KEEP_RETIRED: '1', VMCHNDL_ON_PRUNE_MIN_AGE: '0' };
    const v1 = await rotate(site, 'v1', keep, node);
    const v2 = await rotate(site, 'v2', keep, node);
    expect(site.sim.image(v1)).toBeDefined();
    const v3 = await rotate(site, 'v3', keep, node);
    await site.sim.settle();
    // v2 is the newest retired version (kept), v1 goes.
    expect(site.sim.image(v1)).toBeUndefined();
    expect(site.sim.image(v2)).toMatchObject({ stateName: 'DISABLED' });
    expect(record(site).retired.map((r: { id: number; pruned?: string }) => [r.id, Boolean(r.pruned)])).toEqual([
      [v2, false],
      [v1, true],
    ]);

    // v3 is used by a VM when it is retired: it stays enabled, and stays while used.
    site.sim.setRunningVms(v3, 1);
    const v4 = await rotate(site, 'v4', keep, node);
    const v5 = await rotate(site, 'v5', keep, node);
    await site.sim.settle();
    expect(site.sim.image(v2)).toBeUndefined();
    expect(site.sim.image(v3)).toMatchObject({ stateName: 'USED' });
    expect(site.sim.image(v4)).toBeDefined();
    const dry = await runHook(site, keep, { node, args: ['prune', '--dry-run', '--json'] });
    expect(dry.code, dry.stderr).toBe(0);
    const verdicts: Verdict[] = JSON.parse(dry.stdout).identifiers[0].verdicts;
    expect(verdicts.map((v) => [v.id, v.delete, v.why])).toEqual([
      [v4, false, 'one of the newest 1 retired version(s) (VMCHNDL_ON_KEEP_RETIRED)'],
      [v3, false, '1 VM(s) use it'],
    ]);

    // Unused now: `prune` deletes it, under the lock, journalled.
    site.sim.setRunningVms(v3, 0);
    const run = await runHook(site, keep, { node, args: ['prune'] });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`deleted image ${v3}`);
    await site.sim.settle();
    expect(site.sim.image(v3)).toBeUndefined();
    expect(site.sim.images().map((i) => i.id)).toEqual([v4, v5]);
    expect(fs.readdirSync(path.join(site.stateDir, 'journal')).filter((f) => /\.jsonl$/.test(f))).toEqual([]);
  });

  it('an expiry with VMCHNDL_ON_KEEP_RETIRED=1 keeps the version it retires and deletes the one before', async () => {
    const site = getSite();
    const keep = { VMCHNDL_ON_KEEP_RETIRED: '1', VMCHNDL_ON_PRUNE_MIN_AGE: '0' };
    const v1 = await rotate(site, 'v1', keep, node);
    const v2 = await rotate(site, 'v2', keep, node);
    const r = await runHook(site, Object.assign(expireEvent(site), imageListSays(1), keep), { node });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`delete retired image ${v1} (beyond the newest 1, VMCHNDL_ON_KEEP_RETIRED)`);
    await site.sim.settle();
    expect(site.sim.images().map((i) => [i.id, i.stateName, Boolean(i.template.VMCHNDL_ON_RETIRED)])).toEqual([[v2, 'DISABLED', true]]);
  });

  it('`prune --dry-run --json` says why each version stays (young, not the handler\'s); `prune` needs a number to keep', async () => {
    const site = getSite();
    const v1 = await rotate(site, 'v1', {}, node);
    const v2 = await rotate(site, 'v2', {}, node);
    await rotate(site, 'v3', { VMCHNDL_ON_KEEP_RETIRED: '1' }, node);
    // The default VMCHNDL_ON_PRUNE_MIN_AGE (a day): nothing goes yet.
    expect(site.sim.image(v1)).toBeDefined();
    const foreign = site.sim.addImage({ name: `${ALPHA} 2020-01-01_00-00-00`, template: { VMCATCHER_EVENT_DC_IDENTIFIER: ALPHA } });

    const none = await runHook(site, {}, { node, args: ['prune'] });
    expect(none.code).toBe(3);
    expect(none.stderr).toMatch(/prune: VMCHNDL_ON_KEEP_RETIRED is not set, so every retired version is kept; set it, or say how many to keep with --keep N/);

    site.sim.clearCalls();
    const dry = await runHook(site, {}, { node, args: ['prune', '--keep', '0', '--dry-run', '--json', ALPHA] });
    expect(dry.code, dry.stderr).toBe(0);
    const out = JSON.parse(dry.stdout);
    expect(out).toMatchObject({ keep: 0, minAgeSeconds: 86400, dryRun: true });
    const byId = (id: number) => (out.identifiers[0].verdicts as Verdict[]).filter((v) => v.id === id)[0];
    expect(byId(v2).why).toMatch(/^retired \d+ s ago, less than VMCHNDL_ON_PRUNE_MIN_AGE \(24 h 0 min\)$/);
    expect(byId(v1).delete).toBe(false);
    expect(byId(foreign)).toMatchObject({ delete: false, why: "not in the handler's record of its retirements: never deleted" });
    expect(site.sim.calls.filter((c) => !/\.info$/.test(c.method))).toEqual([]);

    // `status` says the same, with VMCHNDL_ON_KEEP_RETIRED set.
    const st = await runHook(site, { VMCHNDL_ON_KEEP_RETIRED: '1', VMCHNDL_ON_PRUNE_MIN_AGE: '0' }, { node, args: ['status', ALPHA] });
    expect(st.code, st.stderr).toBe(0);
    expect(st.stdout).toContain(`prune would delete image ${v1}: beyond the newest 1, registered and retired by the handler, unused, retired`);
    expect(st.stdout).toContain(`prune keeps image ${foreign}: not in the handler's record of its retirements: never deleted`);
    expect(st.stdout).not.toContain(`image ${v2}:`);
    const sj = JSON.parse((await runHook(site, { VMCHNDL_ON_KEEP_RETIRED: '0' }, { node, args: ['status', '--json', ALPHA] })).stdout);
    expect(sj.identifiers[0].prune.keep).toBe(0);
    expect(sj.identifiers[0].prune.verdicts.map((v: Verdict) => [v.id, v.delete])).toEqual([
      [v2, false],
      [v1, false],
      [foreign, false],
    ]);
    expect(JSON.parse((await runHook(site, {}, { node, args: ['status', '--json', ALPHA] })).stdout).identifiers[0].prune).toBeUndefined();

    const go = await runHook(site, { VMCHNDL_ON_PRUNE_MIN_AGE: '0' }, { node, args: ['prune', '--keep', '0'] });
    expect(go.code, go.stderr).toBe(0);
    await site.sim.settle();
    expect(site.sim.image(v1)).toBeUndefined();
    expect(site.sim.image(v2)).toBeUndefined();
    expect(site.sim.image(foreign)).toBeDefined();
    expect(go.stdout).toContain(`keeps image ${foreign}`);
  });
});
