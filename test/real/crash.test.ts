// Crashes against a real oned: the command is killed (SIGKILL, with its qemu-img) while a call is
// held open before or after oned acted on it; `recover` must reach the state of an uninterrupted
// rotation, with oned's real asynchronous copy and delete. Cells alternate Node 20 and Node 10.
import * as fs from 'fs';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { NodeKind } from '../e2e/site';
import { startHook } from '../e2e/site';
import { startProxy, OnedProxy, When } from './proxy';
import { availableReal, cacheReal, newIdentifier, normalizedReal } from './scenario';
import { onedInstalls, openRealSite, RealSite, runReal, settleReal, useRealOned } from './site';

// A real oned copies with its own drivers: minutes, not milliseconds, on a busy 2-core machine.
vi.setConfig({ testTimeout: 600000, hookTimeout: 600000 });

interface Cell {
  method: string;
  nth: number;
  when: When;
  node: NodeKind;
}

// A rotation's calls: rename (old → retired name), allocate, info polls, chown/chmod/enable of the
// new image, then the retirement's chown, chmod, update, enable of the old one.
const CELLS: Cell[] = [
  { method: 'one.image.rename', nth: 1, when: 'before', node: 'node20' },
  { method: 'one.image.rename', nth: 1, when: 'after', node: 'node10' },
  { method: 'one.image.allocate', nth: 1, when: 'after', node: 'node20' },
  { method: 'one.image.info', nth: 1, when: 'after', node: 'node10' },
  { method: 'one.image.chmod', nth: 1, when: 'after', node: 'node20' },
  { method: 'one.image.update', nth: 1, when: 'before', node: 'node10' },
  { method: 'one.image.enable', nth: 1, when: 'after', node: 'node20' },
];

function stateFiles(site: RealSite, sub: string): string[] {
  try {
    return fs.readdirSync(path.join(site.stateDir, sub)).filter((f) => /\.(json|jsonl|lock)$/.test(f));
  } catch (_) {
    return [];
  }
}

describe.each(onedInstalls())('real oned $version: killed during a rotation', (install) => {
  const getOned = useRealOned(install);
  let proxy: OnedProxy;
  let expected: unknown;
  beforeAll(async () => {
    proxy = await startProxy(getOned().url);
    // The reference: the same rotation, uninterrupted.
    const site = await openRealSite(getOned());
    const id = newIdentifier();
    expect((await runReal(site, availableReal(site, cacheReal(site, id, 'qcow2', 'v1')))).code).toBe(0);
    expect((await runReal(site, availableReal(site, cacheReal(site, id, 'qcow2', 'v2')))).code).toBe(0);
    await settleReal(site);
    expected = await normalizedReal(site, id);
  }, 180000);
  afterAll(async () => {
    if (proxy) await proxy.close();
  });

  it.each(CELLS)('$method #$nth, $when oned acted ($node): recover reaches the uninterrupted end state', async (cell) => {
    const site = await openRealSite(getOned(), { endpoint: proxy.url });
    const id = newIdentifier();
    expect((await runReal(site, availableReal(site, cacheReal(site, id, 'qcow2', 'v1')), { node: cell.node })).code).toBe(0);
    const v2 = cacheReal(site, id, 'qcow2', 'v2');
    proxy.reset();
    const held = proxy.hold(cell.method, cell.when, cell.nth);
    const child = startHook(site, availableReal(site, v2), { node: cell.node, group: true });
    const outcome = await Promise.race([held.then(() => 'held'), child.then(() => 'exited')]);
    expect(outcome, 'the call was never made').toBe('held');
    process.kill(-child.pid!, 'SIGKILL');
    await child;
    proxy.reset();

    const r = await runReal(site, {}, { node: cell.node, args: ['recover'] });
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code, r.stderr).toBe(0);
    await settleReal(site);
    expect(await normalizedReal(site, id)).toEqual(expected);
    expect(stateFiles(site, 'spool')).toEqual([]);
    expect(stateFiles(site, 'journal')).toEqual([]);
    expect(fs.existsSync(site.stagingDir) ? fs.readdirSync(site.stagingDir) : []).toEqual([]);
  });
});
