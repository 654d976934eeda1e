// Retention's planner: which retired versions go (the handler's own, beyond the newest N, unused, old
// enough) and why each other stays. Pure.
import { describe, expect, it } from 'vitest';
import { plan } from '../../src/plan/plan';
import { planPrune, prunePlan } from '../../src/plan/plan-prune';
import type { Step } from '../../src/plan/types';
import type { HandlerRecord, RecordedRetirement } from '../../src/record/record';
import { ID, RUN, SUM1, config, event, image, observed } from '../helpers/records';

const DAY = 86400000;
const NOW = RUN.now;
const iso = (ms: number) => new Date(ms).toISOString();

/** A retired version as the handler leaves it: retired owner, marker, disabled. */
function retiredImage(id: number, over: Partial<Parameters<typeof image>[0]> = {}) {
  return image(Object.assign({ id, name: `${ID} 2026-0${id}-01_00-00-00_+0000-UTC`, state: 3, template: { VMCATCHER_EVENT_DC_IDENTIFIER: ID, VMCHNDL_ON_RETIRED: iso(NOW - id * DAY), VMCHNDL_ON_RUN: `20260101T000000Z-00000${id}` } }, over));
}

function entry(id: number, over: Partial<RecordedRetirement> = {}): RecordedRetirement {
  return Object.assign({ id, at: iso(NOW - id * DAY), from: { name: ID, uid: 0, gid: 0, mode: '644', state: 'ENABLED' as const }, how: 'registered' as const }, over);
}

function rec(current: number | null, retired: RecordedRetirement[]): HandlerRecord {
  return { v: 1, identifier: ID, current: current === null ? null : { id: current, how: 'registered', at: iso(NOW - 10 * DAY) }, retired };
}

const ids = (steps: readonly Step[]) => steps.map((s) => (s as { image: number }).image);
const why = (r: ReturnType<typeof planPrune>, id: number) => r.verdicts.filter((v) => v.id === id)[0].why;

describe('planPrune', () => {
  it('keeps everything when VMCHNDL_ON_KEEP_RETIRED is unset', () => {
    const r = planPrune(ID, observed({ images: [retiredImage(2), retiredImage(3)], record: rec(9, [entry(2), entry(3)]) }), config(), NOW);
    expect(r).toEqual({ identifier: ID, keep: undefined, verdicts: [], steps: [] });
  });

  it('deletes the handler\'s versions beyond the newest N, newest first as the record lists them', () => {
    const obs = observed({ images: [retiredImage(2), retiredImage(3), retiredImage(4)], record: rec(9, [entry(2), entry(3), entry(4)]) });
    const r = planPrune(ID, obs, config({ keepRetired: '1' }), NOW);
    expect(ids(r.steps)).toEqual([3, 4]);
    expect(r.steps[0]).toEqual({ kind: 'delete-retired', identifier: ID, image: 3, name: retiredImage(3).name, retiredAt: entry(3).at, minAgeMs: DAY, retiredUid: 0 });
    expect(why(r, 2)).toBe('one of the newest 1 retired version(s) (VMCHNDL_ON_KEEP_RETIRED)');
    expect(why(r, 3)).toMatch(/^beyond the newest 1, registered and retired by the handler, unused, retired 3 d 0 h ago$/);
    expect(ids(planPrune(ID, obs, config({ keepRetired: '0' }), NOW).steps)).toEqual([2, 3, 4]);
    expect(planPrune(ID, obs, config({ keepRetired: '3' }), NOW).steps).toEqual([]);
  });

  it('counts neither deleted images nor pruned entries among the newest N', () => {
    const obs = observed({ images: [retiredImage(3), retiredImage(4), image({ id: 5, state: 7 })], record: rec(9, [entry(1, { pruned: iso(NOW) }), entry(2), entry(3), entry(5), entry(4)]) });
    expect(ids(planPrune(ID, obs, config({ keepRetired: '1' }), NOW).steps)).toEqual([4]);
  });

  it('skips, saying why, an image in use, persistent, locked, busy, given away, unmarked, young, or retired "in the future"', () => {
    const images = [
      retiredImage(1),
      retiredImage(2, { runningVms: 2, state: 2 }),
      retiredImage(3, { persistent: true }),
      retiredImage(4, { lock: 2 }),
      retiredImage(5, { state: 4 }),
      retiredImage(6, { uid: 7, uname: 'alice' }),
      retiredImage(7, { template: { VMCATCHER_EVENT_DC_IDENTIFIER: ID, VMCHNDL_ON_RUN: '20260101T000000Z-000007' } }),
      retiredImage(8),
      retiredImage(9),
      retiredImage(10),
    ];
    const retired = [entry(1), entry(2), entry(3), entry(4), entry(5), entry(6), entry(7), entry(8, { at: iso(NOW - 3600000) }), entry(9, { at: iso(NOW + DAY) }), entry(10)];
    const r = planPrune(ID, observed({ images, record: rec(20, retired) }), config({ keepRetired: '1' }), NOW);
    expect(why(r, 2)).toBe('2 VM(s) use it');
    expect(why(r, 3)).toBe('it is persistent');
    expect(why(r, 4)).toBe('it is locked (one.image.lock level 2)');
    expect(why(r, 5)).toBe('it is busy (image state 4)');
    expect(why(r, 6)).toBe('it belongs to alice, not to VMCHNDL_ON_RETIRED_OWNER any more (an administrator gave it away)');
    expect(why(r, 7)).toMatch(/VMCHNDL_ON_RETIRED marker was cleared/);
    expect(why(r, 8)).toBe('retired 60 min ago, less than VMCHNDL_ON_PRUNE_MIN_AGE (24 h 0 min)');
    expect(why(r, 9)).toMatch(/^retired at 2026-11-23T12:00:00\.000Z, later than this host's clock says it is now: not old enough$/);
    expect(ids(r.steps)).toEqual([10]);
  });

  it('never deletes what is not recorded as the handler\'s own, nor the current image', () => {
    const legacyOurs = retiredImage(4);
    const legacyForeign = retiredImage(5, { template: { VMCATCHER_EVENT_DC_IDENTIFIER: ID, VMCHNDL_ON_RETIRED: iso(NOW - 5 * DAY) } });
    const foreign = retiredImage(6);
    const images = [retiredImage(1), retiredImage(2), retiredImage(3), legacyOurs, legacyForeign, foreign];
    const retired = [entry(1), entry(2, { how: 'adopted' }), entry(3), entry(4, { how: undefined }), entry(5, { how: undefined })];
    const r = planPrune(ID, observed({ images, record: rec(3, retired) }), config({ keepRetired: '1' }), NOW);
    expect(why(r, 2)).toBe('the handler adopted it, it did not register it: never deleted');
    expect(why(r, 3)).toBe('it is the current image');
    expect(why(r, 5)).toMatch(/carries no VMCHNDL_ON_RUN of the handler with the retired owner: not known to be ours/);
    expect(why(r, 6)).toBe("not in the handler's record of its retirements: never deleted");
    // An old entry (no `how`) whose image carries the handler's run id and the retired owner is the handler's own.
    expect(ids(r.steps)).toEqual([4]);
  });

  it('makes a plan of its own for `prune`: every step after the commit', () => {
    const obs = observed({ images: [retiredImage(2), retiredImage(3)], record: rec(9, [entry(2), entry(3)]) });
    const { plan: p } = prunePlan(ID, obs, config({ keepRetired: '1' }), RUN);
    expect(p).toMatchObject({ action: 'prune', commitIndex: 0, summary: `prune ${ID}: delete retired image 3 (beyond the newest 1, VMCHNDL_ON_KEEP_RETIRED)` });
    expect(prunePlan(ID, obs, config({ keepRetired: '2' }), RUN).plan).toMatchObject({ action: 'nothing', steps: [] });
  });
});

describe('plan: retention after a rotation or an expiry', () => {
  const cur = image({ id: 8, name: ID, template: { VMCATCHER_EVENT_DC_IDENTIFIER: ID, VMCATCHER_EVENT_SL_CHECKSUM_SHA512: SUM1 } });
  const obs = (over = {}) => observed(Object.assign({ images: [cur, retiredImage(2), retiredImage(3)], record: rec(8, [entry(2), entry(3)]) }, over));

  it('counts the image the rotation retires as the newest and deletes past N, after the commit', () => {
    const p = plan(event(), obs(), config({ keepRetired: '1' }), RUN);
    expect(p.action).toBe('rotate');
    const tail = p.steps.slice(-2);
    expect(tail.map((s) => s.kind)).toEqual(['delete-retired', 'delete-retired']);
    expect(ids(tail)).toEqual([2, 3]);
    expect(p.steps.indexOf(tail[0])).toBeGreaterThanOrEqual(p.commitIndex);
    expect(p.summary).toMatch(/; delete retired images 2, 3 \(beyond the newest 1, VMCHNDL_ON_KEEP_RETIRED\)$/);
    expect(ids(plan(event(), obs(), config({ keepRetired: '2' }), RUN).steps.filter((s) => s.kind === 'delete-retired'))).toEqual([3]);
    expect(plan(event(), obs(), config(), RUN).steps.some((s) => s.kind === 'delete-retired')).toBe(false);
  });

  it('ends an expiry the same way; the image it retires is young, so it stays even with N = 0', () => {
    const p = plan(event({ kind: 'expire', type: 'ExpirePostfix' } as never), obs({ subscriptionState: undefined }), config({ keepRetired: '0' }), RUN);
    expect(p.action).toBe('retire');
    expect(ids(p.steps.filter((s) => s.kind === 'delete-retired'))).toEqual([2, 3]);
    expect(p.commitIndex).toBe(p.steps.length - 2);
  });

  it('still restores what a pruned version had when the image list endorses the image again', () => {
    const gone = entry(2, { pruned: iso(NOW - DAY), from: { name: ID, uid: 5, gid: 100, mode: '640', state: 'ENABLED' } });
    const p = plan(event(), observed({ images: [], record: rec(null, [gone]) }), config({ keepRetired: '0' }), RUN);
    expect(p.action).toBe('register');
    expect(p.steps.filter((s) => s.kind === 'chown')[0]).toMatchObject({ image: 'new', uid: 5, gid: 100 });
    expect(p.steps.filter((s) => s.kind === 'chmod')[0]).toMatchObject({ image: 'new', mode: '640' });
  });

  it('does not prune when nothing is rotated', () => {
    const same = image({ id: 8, name: ID, template: { VMCATCHER_EVENT_DC_IDENTIFIER: ID, VMCATCHER_EVENT_SL_CHECKSUM_SHA512: event().checksum! } });
    const p = plan(event(), obs({ images: [same, retiredImage(2), retiredImage(3)] }), config({ keepRetired: '0' }), RUN);
    expect(p.steps).toEqual([]);
  });
});
