// oned going away for good at one RPC of a rotation or an expiry (every later call dropped, so the
// rollback fails too) and coming back: the first run exits 2 and keeps the event; `recover` then
// reaches the uninterrupted run's end state, with spool, journals and staging empty.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizedImages } from '../e2e/scenario';
import { expectRecovered } from '../e2e/recovery';
import { runHook, stateFiles } from '../e2e/site';
import { FAULT_SETTINGS, SCENARIOS } from './helpers-a/fault-scenarios';
import { makeSeed, prepareSite, Seed } from './helpers-a/fixtures';
import { runCells } from './helpers-a/pool';

const WIDTH = 4;

describe('oned going away mid-event', () => {
  let seed: Seed;
  beforeAll(async () => {
    seed = await makeSeed();
  });
  afterAll(() => seed && seed.close());

  // A poll interval well above the copy time (the simulator's realistic ~0.3 s for this image) makes the
  // READY wait exactly two polls (LOCKED, READY), so a call's position in the sequence is the same in every run.
  const OUTAGE_SETTINGS = Object.assign({ VMCHNDL_ON_POLL_INTERVAL: '0.8' }, FAULT_SETTINGS);

  it.each(SCENARIOS.filter((s) => !s.callFilter))('$name: from every RPC on', async (s) => {
    const prepare = () => prepareSite(seed, { disabled: s.disabled, settings: OUTAGE_SETTINGS });
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
          await expectRecovered(site, ref);
        } finally {
          await site.close();
        }
      },
    );
    console.log(`oned going away, ${s.name}: ${positions.length} cells (one per RPC), each recovered to the uninterrupted end state`);
    expect(failures).toEqual([]);
  }, 300000);
});

