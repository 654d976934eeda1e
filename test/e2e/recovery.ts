// After a crash or a fault: recover (or the next vmcatcher event) must reach the uninterrupted end state.
import * as fs from 'fs';
import { expect } from 'vitest';
import type { SimCall } from '../sim/index';
import { normalizedImages } from './scenario';
import { eventEnv, NodeKind, runHook, Site, stateFiles } from './site';

/** Entries left in the staging directory (absent counts as empty: an expiry never creates it). */
export function stagingLeft(site: Site): string[] {
  return fs.existsSync(site.stagingDir) ? fs.readdirSync(site.stagingDir) : [];
}

/**
 * Runs `recover` (or a ProcessPrefix, the next vmcatcher event), under `node` (default Node 20), and asserts the images equal `expected`
 * with spool, journals and staging empty; returns the calls the recovery made.
 */
export async function expectRecovered(site: Site, expected: unknown, how: 'recover' | 'next event' = 'recover', node?: NodeKind): Promise<SimCall[]> {
  site.sim.clearCalls();
  const r = how === 'recover' ? await runHook(site, {}, { args: ['recover'], node }) : await runHook(site, eventEnv(site, '01-ProcessPrefix.env'), { node });
  expect(r.stderr).not.toMatch(/internal error/);
  expect(r.code, r.stderr).toBe(0);
  await site.sim.settle();
  expect(normalizedImages(site)).toEqual(expected);
  expect(stateFiles(site, 'spool')).toEqual([]);
  expect(stateFiles(site, 'journal')).toEqual([]);
  expect(stagingLeft(site)).toEqual([]);
  return site.sim.calls.slice();
}
