// Crash matrix, extended: the real process is SIGKILLed (with its process group) while the simulator
// holds each RPC open, before or after oned acted — for an expiry and a first registration (the
// rotation is test/e2e/crash.test.ts), and for all three again with a second crash, of `recover`
// itself, at each change it makes while finishing the interrupted run. `recover` (or the next
// vmcatcher event) must then reach the uninterrupted run's end state with spool, journals and staging empty.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizedImages } from '../e2e/scenario';
import { expectRecovered } from '../e2e/recovery';
import { NodeKind, runHook, Site, stateFiles } from '../e2e/site';
import type { SimCall } from '../sim/index';
import { CrashPoint, crashPoints, describePoint, isRead, pointAt, runUntilKilled } from './helpers-a/crash';
import { expiryEvent, makeSeed, Prepared, prepareSite, PrepareOptions, rotationEvent, Seed } from './helpers-a/fixtures';
import { runCells, runPool } from './helpers-a/pool';

const WIDTH = 4;
const NODES: readonly NodeKind[] = ['node20', 'node10'];

interface Scenario {
  readonly name: string;
  readonly site: PrepareOptions;
  readonly event: (p: Prepared) => Record<string, string>;
}

// The simulator's realistic timings: the copy keeps a new image LOCKED for a few hundred ms (two READY
// polls or more in every run), a deleted image stays in DELETE, its name taken, until rm ends.
const ROTATION: Scenario = { name: 'rotation of a published, disabled image', site: { disabled: true }, event: rotationEvent };
const EXPIRY: Scenario = { name: 'expiry (vmcatcher_image says 1)', site: {}, event: expiryEvent };
const FIRST: Scenario = { name: 'first registration', site: { empty: true }, event: rotationEvent };

type State = ReturnType<typeof normalizedImages>;

async function reference(seed: Seed, s: Scenario): Promise<{ state: State; calls: SimCall[] }> {
  const p = await prepareSite(seed, s.site);
  try {
    p.site.sim.clearCalls();
    const r = await runHook(p.site, s.event(p));
    if (r.code !== 0) throw new Error(r.stderr);
    return { state: normalizedImages(p.site), calls: p.site.sim.calls.slice() };
  } finally {
    await p.site.close();
  }
}


/** `recover` or the next vmcatcher event; returns the calls it made. */

/** A site killed at `point` during the scenario's event. */
async function crashedSite(seed: Seed, s: Scenario, point: CrashPoint, node?: NodeKind): Promise<Site> {
  const p = await prepareSite(seed, s.site);
  try {
    await runUntilKilled(p.site, s.event(p), point, { node });
    return p.site;
  } catch (e) {
    await p.site.close();
    throw e;
  }
}

/**
 * Where to kill `recover` itself: at each change it makes while finishing or undoing the interrupted
 * run (before it re-plans the pending event: that part is a first run again, covered above); when it
 * changes nothing there, at its first change, or else its first call.
 */
function secondCrashPoints(calls: SimCall[]): CrashPoint[] {
  const replan = calls.findIndex((c, i) => c.method === 'one.imagepool.info' && calls[i + 1] && calls[i + 1].method === 'one.datastorepool.info');
  const resume = replan < 0 ? calls.length : replan;
  const writes = calls.map((c, i) => i).filter((i) => !isRead(calls[i].method));
  const inResume = writes.filter((i) => i < resume);
  const chosen = inResume.length ? inResume : writes.length ? [writes[0]] : [0];
  return chosen.map((i) => pointAt(calls, i));
}

describe('crash matrix, extended', () => {
  let seed: Seed;
  beforeAll(async () => {
    seed = await makeSeed();
  });
  afterAll(() => seed && seed.close());

  it.each([EXPIRY, FIRST])('$name killed at every RPC: recovered by `recover` and by the next event', async (s) => {
    const ref = await reference(seed, s);
    const points = crashPoints(ref.calls);
    expect(points.length).toBeGreaterThanOrEqual(6);
    // Cells alternate between Node 20 and Node 10 (SL6's), the crashed run and its recovery alike.
    const cells = ([] as { point: CrashPoint; how: 'recover' | 'next event'; node: NodeKind }[]).concat(
      ...points.map((point, i) => (['recover', 'next event'] as const).map((how, j) => ({ point, how, node: NODES[(i + j) % 2] }))),
    );
    const failures = await runCells(
      cells,
      WIDTH,
      (c) => `killed at ${describePoint(c.point)}, then ${c.how} (${c.node})`,
      async (c) => {
        const site = await crashedSite(seed, s, c.point, c.node);
        try {
          await expectRecovered(site, ref.state, c.how, c.node);
        } finally {
          await site.close();
        }
      },
    );
    console.log(`crash matrix, ${s.name}: ${cells.length} cells (${points.length} crash points × recover/next event)`);
    expect(failures).toEqual([]);
  }, 300000);

  it.each([ROTATION, EXPIRY, FIRST])('$name: a second crash during `recover`, then `recover` again', async (s) => {
    const ref = await reference(seed, s);
    // Crashes before the first change leave no journal, only the spooled event: a second crash there is a first one.
    const firstWrite = ref.calls.findIndex((c) => !isRead(c.method));
    const firstPoints = crashPoints(ref.calls.slice(firstWrite)).map((p) => ({
      method: p.method,
      nth: p.nth + ref.calls.slice(0, firstWrite).filter((c) => c.method === p.method).length,
      after: p.after,
    }));
    // Learn what `recover` does after each first crash (and check that it recovers).
    const learned = await runPool(firstPoints, WIDTH, async (point) => {
      const site = await crashedSite(seed, s, point);
      try {
        return { point, seconds: secondCrashPoints(await expectRecovered(site, ref.state, 'recover')) };
      } catch (e) {
        throw new Error(`killed at ${describePoint(point)}, then recover: ${(e as Error).message}`);
      } finally {
        await site.close();
      }
    });
    const cells = ([] as { first: CrashPoint; second: CrashPoint; node: NodeKind }[]).concat(
      ...learned.map((l) => l.seconds.map((second) => ({ first: l.point, second, node: NODES[0] }))),
    );
    cells.forEach((c, i) => (c.node = NODES[i % 2]));
    const failures = await runCells(
      cells,
      WIDTH,
      (c) => `killed at ${describePoint(c.first)}, recover killed at ${describePoint(c.second)}, then recover (${c.node})`,
      async (c) => {
        const site = await crashedSite(seed, s, c.first, c.node);
        try {
          await runUntilKilled(site, {}, c.second, { args: ['recover'], node: c.node });
          expect(stateFiles(site, 'journal').length + stateFiles(site, 'spool').length).toBeGreaterThan(0);
          await expectRecovered(site, ref.state, 'recover', c.node);
        } finally {
          await site.close();
        }
      },
    );
    console.log(`crash matrix, ${s.name}, second crash during recover: ${cells.length} cells (${firstPoints.length} first crashes × each change recover makes)`);
    expect(failures).toEqual([]);
  }, 400000);
});
