// Fault matrix: every RPC of a rotation and of an expiry is answered in turn with each oned error class,
// an HTTP 500, a dropped connection and a hang past the call timeout (also after oned acted, for calls
// that change something). Each cell ends either completed, or exactly as before with the event pending
// (exit 2, the log naming the call and oned's message), or - after the new image became current - with
// the retirement journalled, which the next `recover` completes to the uninterrupted run's end state.
import * as fs from 'fs';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizedImages } from '../e2e/scenario';
import { runHook, Site, stateFiles } from '../e2e/site';
import type { SimCall, SimVersion } from '../sim/index';
import { errorLines, expiryEvent, makeSeed, Prepared, prepareSite, rotationEvent, Seed, snapshot } from './helpers-a/fixtures';
import { FaultCase, faultCases } from './helpers-a/oned-faults';
import { runCells } from './helpers-a/pool';

const SETTINGS = { VMCHNDL_ON_CALL_TIMEOUT: '0.5' };
const WIDTH = 4;
// Long enough that the READY wait always polls at least twice (LOCKED, LOCKED…, READY), short enough to stay fast.
const COPY_MS = 150;

interface Scenario {
  readonly name: string;
  readonly disabled: boolean;
  readonly version?: SimVersion;
  readonly event: (p: Prepared) => Record<string, string>;
  /** Which of the reference's calls become cells (default all). */
  readonly only?: (call: SimCall, oldId: number) => boolean;
  /** Whether a failed call on the old image rolls forward (rotation) or everything rolls back (expiry). */
  readonly forwardOnOld: boolean;
}

type Expect = 'rolled back' | 'rolled forward' | 'completed, old image left enabled';

interface Cell {
  readonly call: SimCall;
  readonly nth: number;
  readonly fc: FaultCase;
  readonly expect: Expect;
}

const isRead = (m: string) => /\.info$/.test(m);

function expectationOf(s: Scenario, call: SimCall, fc: FaultCase, oldId: number): Expect {
  const onOld = call.params[1] === oldId && call.method !== 'one.image.rename' && !isRead(call.method);
  // Disabling the old image is best effort: oned refusing it (ACTION/INTERNAL "Could not disable image")
  // is the documented "image in use" case — a warning, and the retirement goes on.
  if (onOld && call.method === 'one.image.enable' && (fc.oneClass === 'ACTION' || fc.oneClass === 'INTERNAL')) return 'completed, old image left enabled';
  return onOld && s.forwardOnOld ? 'rolled forward' : 'rolled back';
}

function cellsOf(s: Scenario, calls: SimCall[], oldId: number): Cell[] {
  const seen: Record<string, number> = {};
  const cells: Cell[] = [];
  for (const call of calls) {
    const nth = (seen[call.method] = (seen[call.method] || 0) + 1);
    // READY polls repeat: the first two (LOCKED, then READY) stand for all of them.
    if (call.method === 'one.image.info' && nth > 2) continue;
    if (s.only && !s.only(call, oldId)) continue;
    for (const fc of faultCases(call, !isRead(call.method))) cells.push({ call, nth, fc, expect: expectationOf(s, call, fc, oldId) });
  }
  return cells;
}

function stagingLeft(site: Site): string[] {
  return fs.existsSync(site.stagingDir) ? fs.readdirSync(site.stagingDir) : [];
}

function spooled(site: Site): { lastError?: string }[] {
  const dir = path.join(site.stateDir, 'spool');
  return stateFiles(site, 'spool').map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')));
}

function expectLogNames(stderr: string, cell: Cell): void {
  const m = cell.call.method;
  const says = cell.fc.says;
  const lines = errorLines({ code: 0, stdout: '', stderr }).filter((l) => l.indexOf(`${m} failed`) >= 0 && (typeof says === 'string' ? l.indexOf(says) >= 0 : says.test(l)));
  if (!lines.length) throw new Error(`no ERROR line names ${m} and ${String(says)}:\n${stderr}`);
}

async function runCell(seed: Seed, s: Scenario, cell: Cell, ref: ReturnType<typeof normalizedImages>): Promise<void> {
  const p = await prepareSite(seed, { disabled: s.disabled, settings: SETTINGS, copyDelayMs: COPY_MS, version: s.version });
  const site = p.site;
  try {
    // An expiry's rolled-back mark leaves an empty marker and its record behind (checked below).
    const ignore = s.forwardOnOld ? {} : ({ retiredRecord: 'ignore' } as const);
    const before = snapshot(site, ignore);
    site.sim.clearCalls();
    site.sim.inject({ method: cell.call.method, nth: cell.nth, fault: cell.fc.fault, after: cell.fc.after });
    const r = await runHook(site, s.event(p));
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

    // Not completed: exit 2, the log names the call and what oned said, the event waits in the spool.
    expect(r.code, r.stderr).toBe(2);
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
    const rec = await runHook(site, {}, { args: ['recover'] });
    expect(rec.code, rec.stderr).toBe(0);
    await site.sim.settle();
    expect(normalizedImages(site)).toEqual(ref);
    expect(stateFiles(site, 'spool')).toEqual([]);
    expect(stateFiles(site, 'journal')).toEqual([]);
    expect(stagingLeft(site)).toEqual([]);
  } finally {
    await site.close();
  }
}

const SCENARIOS: Scenario[] = [
  { name: 'rotation of a published, enabled image', disabled: false, event: rotationEvent, forwardOnOld: true },
  // Only what the first scenario does not have: disabling the new image, before the commit.
  { name: 'rotation of a disabled image', disabled: true, event: rotationEvent, forwardOnOld: true, only: (c) => c.method === 'one.image.enable' },
  { name: 'expiry (vmcatcher_image says 1)', disabled: false, event: expiryEvent, forwardOnOld: false },
  // oned 5.2 deletes a LOCKED image differently (no force argument): the cells whose rollback deletes the new image.
  {
    name: 'rotation on oned 5.2, allocate and READY wait',
    disabled: false,
    version: '5.2',
    event: rotationEvent,
    forwardOnOld: true,
    only: (c) => c.method === 'one.image.allocate' || c.method === 'one.image.info',
  },
];

describe('fault matrix', () => {
  let seed: Seed;
  beforeAll(async () => {
    seed = await makeSeed();
  });
  afterAll(() => seed && seed.close());

  it.each(SCENARIOS)('$name: every RPC × every fault ends completed, or exactly as before and pending, or rolled forward', async (s) => {
    const p = await prepareSite(seed, { disabled: s.disabled, settings: SETTINGS, copyDelayMs: COPY_MS, version: s.version });
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
    const cells = cellsOf(s, calls, p.oldId!);
    expect(cells.length).toBeGreaterThan(0);
    const failures = await runCells(
      cells,
      WIDTH,
      (c) => `${c.call.method} #${c.nth} answered with ${c.fc.label} (expected: ${c.expect})`,
      (c) => runCell(seed, s, c, ref),
    );
    const by = (e: Expect) => cells.filter((c) => c.expect === e).length;
    console.log(
      `fault matrix, ${s.name}: ${cells.length} cells over ${new Set(cells.map((c) => `${c.call.method}#${c.nth}`)).size} RPCs — ` +
        `${by('rolled back')} rolled back, ${by('rolled forward')} rolled forward and completed by recover, ${by('completed, old image left enabled')} completed with the old image left enabled`,
    );
    expect(failures).toEqual([]);
  }, 300000);
});

// oned going away for good at one RPC (every later call dropped, so the rollback fails too) and coming
// back: the first run exits 2 and keeps the event; `recover` then reaches the uninterrupted end state.
describe('oned going away mid-event', () => {
  let seed: Seed;
  beforeAll(async () => {
    seed = await makeSeed();
  });
  afterAll(() => seed && seed.close());

  // A poll interval well above the copy time makes the READY wait exactly two polls (LOCKED, READY),
  // so a call's position in the sequence is the same in every run.
  const OUTAGE_SETTINGS = Object.assign({ VMCHNDL_ON_POLL_INTERVAL: '0.3' }, SETTINGS);

  it.each(SCENARIOS.filter((s) => !s.only))('$name: from every RPC on', async (s) => {
    const prepare = () => prepareSite(seed, { disabled: s.disabled, settings: OUTAGE_SETTINGS, copyDelayMs: 100 });
    const p = await prepare();
    let ref: ReturnType<typeof normalizedImages>;
    let calls: string[];
    try {
      p.site.sim.clearCalls();
      const r = await runHook(p.site, s.event(p));
      if (r.code !== 0) throw new Error(r.stderr);
      ref = normalizedImages(p.site);
      calls = p.site.sim.calls.map((c) => c.method);
    } finally {
      await p.site.close();
    }
    const positions = calls.map((_, k) => k);
    const failures = await runCells(
      positions,
      WIDTH,
      (k) => `oned gone from call ${k + 1} (${calls[k]}) on`,
      async (k) => {
        const c = await prepare();
        const site = c.site;
        try {
          site.sim.clearCalls();
          site.sim.inject({ method: '*', nth: k + 1, times: 1000000, fault: { type: 'drop' } });
          const r = await runHook(site, s.event(c));
          expect(site.sim.calls.slice(0, k + 1).map((x) => x.method)).toEqual(calls.slice(0, k + 1));
          expect(r.code, r.stderr).toBe(2);
          expect(r.stderr).toContain(`${calls[k]} failed (connection)`);
          expect(r.stderr).not.toMatch(/internal error/);
          expect(stateFiles(site, 'spool')).toHaveLength(1);
          if (s.forwardOnOld) {
            // A rotation never leaves carol without a usable image, whatever name it has at this moment.
            const usable = site.sim.images().filter((i) => i.uid === 2 && i.permissions.join('') === '110100000' && i.stateName === (s.disabled ? 'DISABLED' : 'READY'));
            expect(usable.length).toBeGreaterThanOrEqual(1);
          }
          site.sim.clearFaults();
          const rec = await runHook(site, {}, { args: ['recover'] });
          expect(rec.code, rec.stderr).toBe(0);
          await site.sim.settle();
          expect(normalizedImages(site)).toEqual(ref);
          expect(stateFiles(site, 'spool')).toEqual([]);
          expect(stateFiles(site, 'journal')).toEqual([]);
          expect(stagingLeft(site)).toEqual([]);
        } finally {
          await site.close();
        }
      },
    );
    console.log(`oned going away, ${s.name}: ${positions.length} cells (one per RPC), each recovered to the uninterrupted end state`);
    expect(failures).toEqual([]);
  }, 300000);
});

