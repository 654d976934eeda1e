// Crash proof: the real process is killed (SIGKILL, with its qemu-img) while the simulator holds each RPC of
// a rotation open in turn, before or after oned acted on it; `recover`, or separately the next vmcatcher
// event, must reach the same end state as an uninterrupted run. No test hooks in the product.
import * as fs from 'fs';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { requireQemuImg } from '../helpers/images';
import { expectRecovered } from './recovery';
import { ALPHA, availableEvent, cacheImage, CachedImage, normalizedImages, publish } from './scenario';
import { makeSite, runHook, Site, startHook, waitFor } from './site';

interface Prepared {
  site: Site;
  v2: CachedImage;
}

/** A site whose current image is published (carol:users, 640, disabled), with v2 waiting in the cache. */
async function prepare(sizeMiB = 2): Promise<Prepared> {
  requireQemuImg();
  const site = await makeSite();
  const v1 = cacheImage(site, 'qcow2', 'alpha-v1');
  const r = await runHook(site, availableEvent(site, v1));
  if (r.code !== 0) throw new Error(r.stderr);
  const carol = site.sim.addUser({ name: 'carol', password: 'c', gid: 1 });
  await publish(site, site.sim.images()[0].id, { uid: carol, gid: 1, mode: '640', disabled: true });
  const v2 = cacheImage(site, 'qcow2', 'alpha-v2', ALPHA, sizeMiB);
  site.sim.clearCalls();
  return { site, v2 };
}

/** The uninterrupted rotation: its end state and the calls it made. */
async function reference() {
  const { site, v2 } = await prepare();
  try {
    const r = await runHook(site, availableEvent(site, v2));
    if (r.code !== 0) throw new Error(r.stderr);
    return { state: normalizedImages(site), calls: site.sim.calls.map((c) => c.method) };
  } finally {
    await site.close();
  }
}

function cellsOf(calls: string[]): { method: string; nth: number }[] {
  const seen: Record<string, number> = {};
  const cells: { method: string; nth: number }[] = [];
  for (const m of calls) {
    seen[m] = (seen[m] || 0) + 1;
    // READY polls repeat: the first two stand for all of them.
    if (m === 'one.image.info' && seen[m] > 2) continue;
    cells.push({ method: m, nth: seen[m] });
  }
  return cells;
}


describe('crash matrix: a rotation killed at every RPC', () => {
  it('recovers to the uninterrupted end state from every cell, by `recover` and by the next event', async () => {
    const ref = await reference();
    const cells = cellsOf(ref.calls);
    expect(cells.length).toBeGreaterThanOrEqual(12);
    let count = 0;
    for (const cell of cells) {
      for (const after of [false, true]) {
        for (const how of ['recover', 'next event'] as const) {
          const { site, v2 } = await prepare();
          try {
            site.sim.inject({ method: cell.method, nth: cell.nth, fault: { type: 'hang' }, after });
            // Each RPC is cut under both runtimes: before oned acted under Node 20, after under Node 10 (SL6's).
            const node = after ? 'node10' : 'node20';
            const child = startHook(site, availableEvent(site, v2), { group: true, node });
            await waitFor(() => site.sim.calls.filter((c) => c.method === cell.method).length >= cell.nth, 20000, `${cell.method} #${cell.nth}`);
            if (after) await new Promise((r) => setTimeout(r, 30));
            process.kill(-child.pid!, 'SIGKILL');
            await child;
            site.sim.clearFaults();
            await expectRecovered(site, ref.state, how, node).catch((e) => {
              throw new Error(`cell ${cell.method} #${cell.nth} (${after ? 'after' : 'before'} oned acted, ${node}), ${how}: ${(e as Error).message}`);
            });
            count++;
          } finally {
            await site.close();
          }
        }
      }
    }
    console.log(`crash matrix: ${count} cells recovered (${cells.length} RPCs × before/after × recover/next event)`);
  }, 600000);

  it('a crash during qemu-img convert leaves no staging file behind after recovery', async () => {
    const ref = await reference();
    for (const how of ['recover', 'next event'] as const) {
      const { site, v2 } = await prepare(256);
      try {
        const child = startHook(site, availableEvent(site, v2), { group: true });
        const staged = () => {
          try {
            return fs.readdirSync(site.stagingDir).some((d) => fs.readdirSync(path.join(site.stagingDir, d)).some((f) => f.endsWith('.raw')));
          } catch (_) {
            return false;
          }
        };
        await waitFor(staged, 20000, 'the conversion to start');
        process.kill(-child.pid!, 'SIGKILL');
        await child;
        expect(site.sim.calls.map((c) => c.method).filter((m) => !/info$/.test(m))).toEqual([]);
        const expected = ref.state.map((i) => i);
        await expectRecovered(site, expected.length ? normalizedImagesWithBigV2(expected) : expected, how);
      } finally {
        await site.close();
      }
    }
  }, 120000);
});

// The 256 MiB v2 has another checksum than the reference's 2 MiB v2; everything else is the same.
function normalizedImagesWithBigV2<T extends { sha512: string; retired: boolean }>(state: T[]): T[] {
  return state.map((i) => (i.retired ? i : Object.assign({}, i, { sha512: expect.any(String) as unknown as string })));
}
