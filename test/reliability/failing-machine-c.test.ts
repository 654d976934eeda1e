// A failing machine, part C: oned's slow deletes, retirements that can never finish (the old image
// deleted or locked by an admin), a cached file replaced while oned copies it, identifiers too long
// to retire, and transient refusals to disable. Each case runs the bundled command end to end
// against the oned simulator with its realistic timings, under Node 20 and Node 10.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALPHA, normalizedImages } from '../e2e/scenario';
import { NodeKind, runHook, stateFiles } from '../e2e/site';
import { EC, failureText } from '../sim/messages';
import { spooled, stagingLeft } from './helpers-a/fault-scenarios';
import { makeSeed, prepareSite, rotationEvent, Seed } from './helpers-a/fixtures';

const NODES: NodeKind[] = ['node20', 'node10'];

let seed: Seed;
beforeAll(async () => {
  seed = await makeSeed();
}, 60000);
afterAll(() => seed && seed.close());

describe('13b: only "image in use" makes disabling the old image best effort', () => {
  it.each(NODES)('a transient refusal to disable (image LOCKED by a snapshot) is retried, not taken for "stays enabled" (%s)', async (node) => {
    const p = await prepareSite(seed);
    const site = p.site;
    try {
      const message = failureText('one.image.enable', EC.INTERNAL, 0, {
        respMsg: 'Could not disable image: Image cannot be in state LOCKED.',
        obj: 'image',
        respId: p.oldId!,
      });
      site.sim.inject({ method: 'one.image.enable', fault: { type: 'error', code: EC.INTERNAL, message } });
      const r = await runHook(site, rotationEvent(p), { node });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).not.toMatch(/stays enabled/);
      expect(r.stderr).toMatch(/Image cannot be in state LOCKED/);
      expect(r.stderr).toMatch(/The new image is in place; the rest \(retiring the old image\) is journalled/);
      expect(stateFiles(site, 'journal')).toHaveLength(1);
      expect(spooled(site)).toHaveLength(1);

      const again = await runHook(site, {}, { args: ['recover'], node });
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).not.toMatch(/stays enabled/);
      await site.sim.settle();
      const old = site.sim.image(p.oldId!)!;
      expect(old.stateName).toBe('DISABLED');
      expect(old.template.VMCHNDL_ON_RETIRED_FROM_STATE).toBe('ENABLED');
      expect(normalizedImages(site).map((i) => i.name).sort()).toEqual([`${ALPHA} (current)`, `${ALPHA} (retired)`]);
      expect(stateFiles(site, 'journal')).toEqual([]);
      expect(stateFiles(site, 'spool')).toEqual([]);
      expect(stagingLeft(site)).toEqual([]);
    } finally {
      await site.close();
    }
  }, 60000);
});
