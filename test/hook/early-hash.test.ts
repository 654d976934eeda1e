// The early sha512 (src/hook/early-hash.ts): taken when the executor asks for the same, unchanged
// file; the file hashed again otherwise; stopped, with its file closed, when nothing takes it.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Tools } from '../../src/exec/context';
import { startEarlyHash } from '../../src/hook/early-hash';
import { sha512File } from '../../src/files/checksum';
import { useTempDir } from '../helpers/images';

const at = useTempDir();
const sha512 = (file: string) => createHash('sha512').update(fs.readFileSync(file)).digest('hex');

/** Tools whose sha512 counts its calls (and really hashes). */
function counting(): { tools: Tools; calls: string[] } {
  const calls: string[] = [];
  const tools = {
    sha512: (file: string) => {
      calls.push(file);
      return sha512File(file);
    },
  } as unknown as Tools;
  return { tools, calls };
}

function writeFile(name: string, mib: number, fill: number): string {
  const file = at(name);
  fs.writeFileSync(file, Buffer.alloc(mib * 1048576, fill));
  return file;
}

/** Whether this process has `file` open. */
function isOpen(file: string): boolean {
  const real = fs.realpathSync(file);
  return fs.readdirSync('/proc/self/fd').some((fd) => {
    try {
      return fs.readlinkSync(`/proc/self/fd/${fd}`) === real;
    } catch (_) {
      return false;
    }
  });
}

describe('the early sha512', () => {
  it('is taken for the same file, also through a symlink, and reports progress', async () => {
    const file = writeFile('a.img', 24, 1);
    fs.symlinkSync(file, at('a.link'));
    const early = startEarlyHash(file);
    const { tools, calls } = counting();
    const wrapped = early.wrap(tools);
    const seen: number[] = [];
    expect(await wrapped.sha512(at('a.link'), (p) => seen.push(p))).toBe(sha512(file));
    expect(await wrapped.sha512(file)).toBe(sha512(file));
    expect(calls).toEqual([]);
    expect(seen[seen.length - 1]).toBe(100);
    await early.stop();
  });

  it('is taken for a hard link made after it started (the staging link oned copies), not for a file moved over the name', async () => {
    const file = writeFile('h.img', 8, 5);
    const early = startEarlyHash(file);
    const { tools, calls } = counting();
    const wrapped = early.wrap(tools);
    // Once the hash has opened the file, linking changes the inode's ctime; the bytes are the same.
    await new Promise((r) => setTimeout(r, 50));
    fs.linkSync(file, at('h.staged'));
    expect(await wrapped.sha512(at('h.staged'))).toBe(sha512(file));
    expect(calls).toEqual([]);
    await early.stop();

    const moved = startEarlyHash(file);
    const counted = counting();
    const other = writeFile('h.next', 8, 6);
    await new Promise((r) => setTimeout(r, 50));
    fs.renameSync(other, file);
    expect(await moved.wrap(counted.tools).sha512(file)).toBe(sha512(file));
    expect(counted.calls).toEqual([file]);
    await moved.stop();
  });

  it('is not taken for another file, nor for one changed since it was opened', async () => {
    const file = writeFile('b.img', 8, 2);
    const other = writeFile('c.img', 1, 3);
    const early = startEarlyHash(file);
    const { tools, calls } = counting();
    const wrapped = early.wrap(tools);
    expect(await wrapped.sha512(other)).toBe(sha512(other));
    expect(calls).toEqual([other]);
    // Replaced under the same name, as a new download would be.
    fs.writeFileSync(`${file}.new`, Buffer.alloc(8 * 1048576, 4));
    fs.renameSync(`${file}.new`, file);
    expect(await wrapped.sha512(file)).toBe(sha512(file));
    expect(calls).toEqual([other, file]);
    await early.stop();
  });

  it('is not taken for its own file replaced since it was opened, asked first', async () => {
    const file = writeFile('g.img', 64, 9);
    const early = startEarlyHash(file);
    const { tools, calls } = counting();
    // Replaced once the early hash holds the old file open.
    for (let i = 0; i < 200 && !isOpen(file); i++) await new Promise((r) => setImmediate(r));
    expect(isOpen(file)).toBe(true);
    fs.writeFileSync(`${file}.new`, Buffer.alloc(64 * 1048576, 10));
    fs.renameSync(`${file}.new`, file);
    expect(await early.wrap(tools).sha512(file)).toBe(sha512(file));
    expect(calls).toEqual([file]);
    await early.stop();
  });

  it('stops, leaving its file closed, once asked for a file it does not hold', async () => {
    // 8 GiB of holes: no disk, but seconds of hashing (SHA-512 runs at 1-2 GiB/s) if nothing stopped it.
    const file = at('e.img');
    fs.closeSync(fs.openSync(file, 'w'));
    fs.truncateSync(file, 8 * 1024 * 1048576);
    const other = writeFile('f.img', 1, 8);
    const early = startEarlyHash(file);
    const { tools, calls } = counting();
    expect(await early.wrap(tools).sha512(other)).toBe(sha512(other));
    expect(calls).toEqual([other]);
    // Stopped at its next 4 MiB read: closed long before the 8 GiB could be read through.
    for (let i = 0; i < 200 && isOpen(file); i++) await new Promise((r) => setTimeout(r, 10));
    expect(isOpen(file)).toBe(false);
    await early.stop();
  });

  it('leaves a file it could not read to the real hash, whose error names it', async () => {
    const missing = at('missing.img');
    const early = startEarlyHash(missing);
    const { tools, calls } = counting();
    await expect(early.wrap(tools).sha512(missing)).rejects.toThrow(/cannot read .*missing\.img to check its SHA-512/);
    expect(calls).toEqual([missing]);
    await early.stop();
  });

  it('stops when nothing takes it, and leaves its file closed', async () => {
    const file = writeFile('d.img', 64, 6);
    const early = startEarlyHash(file);
    await new Promise((r) => setImmediate(r));
    await early.stop();
    expect(isOpen(file)).toBe(false);
    // Once stopped, it is never taken.
    const { tools, calls } = counting();
    expect(await early.wrap(tools).sha512(file)).toBe(sha512(file));
    expect(calls).toEqual([file]);
  });
});
