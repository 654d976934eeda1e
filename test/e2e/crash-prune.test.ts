// Crash proof of retention: the real process is killed while oned holds the delete of a retired version
// open, before or after oned acted on it; `recover`, or the next vmcatcher event, must reach the state of
// an uninterrupted run: the version deleted once, the handler's record marking it pruned.
import * as fs from 'fs';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { requireQemuImg } from '../helpers/images';
import { expectRecovered } from './recovery';
import { ALPHA, availableEvent, cacheImage, CachedImage, currentImages, normalizedImages } from './scenario';
import { makeSite, runHook, Site, startHook, waitFor } from './site';

const KEEP = { VMCHNDL_ON_KEEP_RETIRED: '1', VMCHNDL_ON_PRUNE_MIN_AGE: '0' };

/** v1 and v2 registered (v1 retired), v3 waiting in the cache: its rotation deletes v1. */
async function prepare(): Promise<{ site: Site; v1: number; v3: CachedImage }> {
  requireQemuImg();
  const site = await makeSite({ settings: KEEP });
  let v1 = -1;
  for (const pattern of ['v1', 'v2']) {
    const r = await runHook(site, availableEvent(site, cacheImage(site, 'raw', pattern, undefined, 1)));
    if (r.code !== 0) throw new Error(r.stderr);
    if (v1 < 0) v1 = currentImages(site)[0].id;
  }
  const v3 = cacheImage(site, 'raw', 'v3', undefined, 1);
  site.sim.clearCalls();
  return { site, v1, v3 };
}

function prunedIds(site: Site): number[] {
  const rec = JSON.parse(fs.readFileSync(path.join(site.stateDir, 'records', `${ALPHA}.json`), 'utf8'));
  return rec.retired.filter((r: { pruned?: string }) => r.pruned).map((r: { id: number }) => r.id);
}

describe('crash at the delete of a retired version', () => {
  it('recovers to the uninterrupted end state, by `recover` and by the next event, whether oned deleted it or not', async () => {
    const ref = await (async () => {
      const { site, v1, v3 } = await prepare();
      try {
        const r = await runHook(site, availableEvent(site, v3));
        if (r.code !== 0) throw new Error(r.stderr);
        await site.sim.settle();
        expect(site.sim.image(v1)).toBeUndefined();
        expect(prunedIds(site)).toEqual([v1]);
        return normalizedImages(site);
      } finally {
        await site.close();
      }
    })();
    for (const after of [false, true]) {
      for (const how of ['recover', 'next event'] as const) {
        const { site, v1, v3 } = await prepare();
        try {
          site.sim.inject({ method: 'one.image.delete', fault: { type: 'hang' }, after });
          const node = after ? 'node10' : 'node20';
          const child = startHook(site, availableEvent(site, v3), { group: true, node });
          await waitFor(() => site.sim.calls.some((c) => c.method === 'one.image.delete'), 20000, 'one.image.delete');
          if (after) await new Promise((r) => setTimeout(r, 30));
          process.kill(-child.pid!, 'SIGKILL');
          await child;
          site.sim.clearFaults();
          const calls = await expectRecovered(site, ref, how, node).catch((e) => {
            throw new Error(`${after ? 'after' : 'before'} oned acted, ${how}: ${(e as Error).message}`);
          });
          expect(site.sim.image(v1)).toBeUndefined();
          expect(prunedIds(site)).toEqual([v1]);
          // Deleted at most once more: never a second delete of an image already going.
          expect(calls.filter((c) => c.method === 'one.image.delete').length).toBe(after ? 0 : 1);
        } finally {
          await site.close();
        }
      }
    }
  });
});
