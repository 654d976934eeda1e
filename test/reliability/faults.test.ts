// Fault matrix: every RPC of a rotation, an expiry and a first registration is answered in turn with each oned error class,
// an HTTP 500, a dropped connection and a hang past the call timeout (also after oned acted, for calls
// that change something). Each cell ends either completed, or exactly as before with the event pending
// (exit 2, the log naming the call and oned's message), or - after the new image became current - with
// the retirement journalled, which the next `recover` completes to the uninterrupted run's end state.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizedImages } from '../e2e/scenario';
import { expectRecovered } from '../e2e/recovery';
import { NodeKind, runHook, stateFiles } from '../e2e/site';
import type { SimCall } from '../sim/index';
import { FAULT_SETTINGS, Scenario, SCENARIOS, spooled, stagingLeft } from './helpers-a/fault-scenarios';
import { errorLines, makeSeed, prepareSite, Seed, snapshot } from './helpers-a/fixtures';
import { FaultCase, faultCases } from './helpers-a/oned-faults';
import { runCells } from './helpers-a/pool';

const WIDTH = 4;
// The simulator's realistic timings (no copyDelayMs, no deleteDelayMs): the READY wait always polls at
// least twice (LOCKED, LOCKED…, READY), and a rollback meets the deleted image in DELETE, its name taken.

type Expect = 'rolled back' | 'rolled forward' | 'completed, old image left enabled';

interface Cell {
  readonly call: SimCall;
  readonly nth: number;
  readonly fc: FaultCase;
  readonly expect: Expect;
  /** Cells alternate between Node 20 and Node 10 (SL6's). */
  readonly node: NodeKind;
}

const isRead = (m: string) => /\.info$/.test(m);

function expectationOf(s: Scenario, call: SimCall, fc: FaultCase, oldId: number): Expect {
  const onOld = call.params[1] === oldId && call.method !== 'one.image.rename' && !isRead(call.method);
  // Disabling the old image is best effort: oned refusing it because VMs use it (INTERNAL "Could not
  // disable image: Image cannot be in state USED.") is the documented case — a warning, and the
  // retirement goes on. Any other error is a real failure, retried.
  if (onOld && call.method === 'one.image.enable' && fc.oneClass === 'INTERNAL') return 'completed, old image left enabled';
  return onOld && s.forwardOnOld ? 'rolled forward' : 'rolled back';
}

function cellsOf(s: Scenario, calls: SimCall[], oldId: number): Cell[] {
  const seen: Record<string, number> = {};
  const cells: Cell[] = [];
  let rpcs = 0;
  for (const call of calls) {
    const nth = (seen[call.method] = (seen[call.method] || 0) + 1);
    // READY polls repeat: the first two (LOCKED, then READY) stand for all of them.
    if (call.method === 'one.image.info' && nth > 2) continue;
    if (s.callFilter && !s.callFilter(call, oldId)) continue;
    // Each fault meets one call under Node 20 and the next under Node 10.
    faultCases(call, !isRead(call.method)).forEach((fc, f) => {
      cells.push({ call, nth, fc, expect: expectationOf(s, call, fc, oldId), node: (rpcs + f) % 2 ? 'node10' : 'node20' });
    });
    rpcs++;
  }
  return cells;
}

function expectLogNames(stderr: string, cell: Cell): void {
  const m = cell.call.method;
  const says = cell.fc.says;
  const lines = errorLines({ code: 0, stdout: '', stderr }).filter((l) => l.indexOf(`${m} failed`) >= 0 && (typeof says === 'string' ? l.indexOf(says) >= 0 : says.test(l)));
  if (!lines.length) throw new Error(`no ERROR line names ${m} and ${String(says)}:\n${stderr}`);
}

async function runCell(seed: Seed, s: Scenario, cell: Cell, ref: ReturnType<typeof normalizedImages>): Promise<void> {
  const p = await prepareSite(seed, { disabled: s.disabled, empty: s.empty, settings: FAULT_SETTINGS, version: s.version });
  const site = p.site;
  try {
    // An expiry's rolled-back mark leaves an empty marker and its record behind (checked below).
    const ignore = s.forwardOnOld ? {} : ({ retiredRecord: 'ignore' } as const);
    const before = snapshot(site, ignore);
    site.sim.clearCalls();
    site.sim.inject({ method: cell.call.method, nth: cell.nth, fault: cell.fc.fault, after: cell.fc.after });
    const r = await runHook(site, s.event(p), { node: cell.node });
    await site.sim.settle();
    expect(site.sim.calls.filter((c) => c.method === cell.call.method).length, 'the fault was reached').toBeGreaterThanOrEqual(cell.nth);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(stagingLeft(site)).toEqual([]);

    if (cell.expect === 'completed, old image left enabled') {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/could not be disabled and stays enabled/);
      expect(normalizedImages(site)).toEqual(ref.map((i) => (i.retired ? Object.assign({}, i, { state: 'READY' }) : i)));
      expect(stateFiles(site, 'spool')).toEqual([]);
      expect(stateFiles(site, 'journal')).toEqual([]);
      return;
    }

    // Not completed: exit 2 (3 when oned refused our credentials: a configuration matter), the log
    // names the call and what oned said, the event waits in the spool.
    expect(r.code, r.stderr).toBe(cell.fc.oneClass === 'AUTHENTICATION' ? 3 : 2);
    expectLogNames(r.stderr, cell);
    const pending = spooled(site);
    expect(pending).toHaveLength(1);
    expect(pending[0].lastError).toContain(`${cell.call.method} failed`);

    if (cell.expect === 'rolled back') {
      expect(snapshot(site, ignore)).toEqual(before);
      for (const i of site.sim.images()) expect(i.template.VMCHNDL_ON_RETIRED || '').toBe('');
      expect(stateFiles(site, 'journal')).toEqual([]);
      return;
    }

    // Rolled forward: the new image is current already; the old one's retirement is journalled.
    expect(r.stderr).toMatch(/The new image is in place; the rest \(retiring the old image\) is journalled/);
    expect(normalizedImages(site).filter((i) => !i.name.endsWith('(retired)'))).toEqual(ref.filter((i) => !i.name.endsWith('(retired)')));
    expect(stateFiles(site, 'journal')).toHaveLength(1);
    await expectRecovered(site, ref, 'recover', cell.node);
  } finally {
    await site.close();
  }
}

describe('fault matrix', () => {
  let seed: Seed;
  beforeAll(async () => {
    seed = await makeSeed();
  });
  afterAll(() => seed && seed.close());

  it.each(SCENARIOS)('$name: every RPC × every fault ends completed, or exactly as before and pending, or rolled forward', async (s) => {
    const p = await prepareSite(seed, { disabled: s.disabled, empty: s.empty, settings: FAULT_SETTINGS, version: s.version });
    let ref: ReturnType<typeof normalizedImages>;
    let calls: SimCall[];
    try {
      p.site.sim.clearCalls();
      const r = await runHook(p.site, s.event(p));
      if (r.code !== 0) throw new Error(r.stderr);
      ref = normalizedImages(p.site);
      calls = p.site.sim.calls.slice();
    } finally {
      await p.site.close();
    }
    const cells = cellsOf(s, calls, p.oldId === undefined ? -1 : p.oldId);
    expect(cells.length).toBeGreaterThan(0);
    const failures = await runCells(
      cells,
      WIDTH,
      (c) => `${c.call.method} #${c.nth} answered with ${c.fc.label} under ${c.node} (expected: ${c.expect})`,
      (c) => runCell(seed, s, c, ref),
    );
    const by = (e: Expect) => cells.filter((c) => c.expect === e).length;
    console.log(
      `fault matrix, ${s.name}: ${cells.length} cells over ${new Set(cells.map((c) => `${c.call.method}#${c.nth}`)).size} RPCs — ` +
        `${by('rolled back')} rolled back, ${by('rolled forward')} rolled forward and completed by recover, ${by('completed, old image left enabled')} completed with the old image left enabled`,
    );
    expect(failures).toEqual([]);
  }, 600000);
});
