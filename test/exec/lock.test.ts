import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { LockBusyError } from '../../src/errors';
import { acquireLock } from '../../src/exec/lock';

const opts = (timeoutMs: number) => ({ timeoutMs, sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)), now: Date.now });

describe('per-identifier lock', () => {
  it('is exclusive, released, and tells who holds it when waiting gives up', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmc-lock-'));
    const a = await acquireLock(dir, 'img', opts(1000));
    await expect(acquireLock(dir, 'img', opts(100))).rejects.toThrow(LockBusyError);
    await expect(acquireLock(dir, 'img', opts(100))).rejects.toThrow(new RegExp(`pid ${process.pid}`));
    const other = await acquireLock(dir, 'other', opts(100));
    other.release();
    a.release();
    const b = await acquireLock(dir, 'img', opts(100));
    b.release();
  });

  it('takes over a lock whose process is gone', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmc-lock-'));
    fs.mkdirSync(path.join(dir, 'locks'));
    const dead = spawnSync('sh', ['-c', 'echo $$']).stdout.toString().trim();
    fs.writeFileSync(path.join(dir, 'locks/img.lock'), JSON.stringify({ pid: Number(dead), host: os.hostname(), since: 1 }));
    const seen: string[] = [];
    const l = await acquireLock(dir, 'img', Object.assign(opts(1000), { onStale: (w: string) => seen.push(w) }));
    expect(seen).toEqual([`pid ${dead} on ${os.hostname()}`]);
    l.release();
    expect(fs.existsSync(path.join(dir, 'locks/img.lock'))).toBe(false);
  });
});
