import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OperationFailedError } from '../../src/errors';
import { sha512File } from '../../src/files/checksum';
import { makeQcow2, makeRaw, sha512, useTempDir } from '../helpers/images';

const at = useTempDir({ qemuImg: true });

describe('sha512File', () => {
  it('equals sha512sum for empty, small, odd-sized and multi-chunk files', async () => {
    fs.writeFileSync(at('empty'), '');
    fs.writeFileSync(at('odd'), Buffer.alloc(4 * 1024 * 1024 + 3, 'abc'));
    makeRaw(at('img.raw'), 9, 'checksum');
    makeQcow2(at('img.qcow2'), 4);
    for (const name of ['empty', 'odd', 'img.raw', 'img.qcow2']) {
      const ours = await sha512File(at(name));
      expect(ours).toMatch(/^[0-9a-f]{128}$/);
      expect(ours).toBe(sha512(at(name)));
    }
    // Small reads give the same answer, also when the size is a whole number of reads.
    expect(await sha512File(at('odd'), { chunkBytes: 1000 })).toBe(sha512(at('odd')));
    fs.writeFileSync(at('whole'), Buffer.alloc(8192, 'xyz'));
    expect(await sha512File(at('whole'), { chunkBytes: 1024 })).toBe(sha512(at('whole')));
    expect(await sha512File(at('whole'), { chunkBytes: 8192 })).toBe(sha512(at('whole')));
  });

  it('reports rising progress ending at 100', async () => {
    const seen: number[] = [];
    await sha512File(at('img.raw'), { onProgress: (p) => seen.push(p), chunkBytes: 1024 * 1024 });
    expect(seen.length).toBeGreaterThan(5);
    expect(seen[seen.length - 1]).toBe(100);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
    const empty: number[] = [];
    await sha512File(at('empty'), { onProgress: (p) => empty.push(p) });
    expect(empty).toEqual([100]);
  });

  it('fails as OperationFailedError for a missing file, a directory, or a throwing listener', async () => {
    await expect(sha512File(at('nope'))).rejects.toBeInstanceOf(OperationFailedError);
    await expect(sha512File(at())).rejects.toBeInstanceOf(OperationFailedError);
    await expect(sha512File(at('img.raw'), { onProgress: () => { throw new Error('stop'); } })).rejects.toThrow('stop');
  });

  it('closes the file however it ends, after the read in flight', async () => {
    const fds = () => fs.readdirSync('/proc/self/fd').length;
    const before = fds();
    await sha512File(at('img.raw'), { chunkBytes: 64 * 1024 });
    await sha512File(at('img.raw'), { chunkBytes: 64 * 1024, onProgress: (p) => { if (p > 20) throw new Error('stop'); } }).catch(() => undefined);
    await sha512File(at()).catch(() => undefined);
    expect(fds()).toBe(before);
  });
});
