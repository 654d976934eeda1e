// Writes on a full disk (a real 64 KiB tmpfs): complete or failed, never short; the file they were to
// replace stays whole; no temporary file is left behind.
import * as fs from 'fs';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncDir, writeDurably } from '../../src/files/durable';
import { mountTmpfs, Tmpfs } from '../helpers/tmpfs';

describe('durable writes on a full disk', () => {
  let fsys: Tmpfs;
  beforeAll(() => {
    fsys = mountTmpfs('64k');
  });
  afterAll(() => fsys && fsys.close());

  it('a write the disk cannot hold fails with ENOSPC, leaves no temporary file and keeps the old file whole', () => {
    const file = path.join(fsys.dir, 'entry.json');
    const good = JSON.stringify({ v: 1, data: 'a'.repeat(1000) });
    writeDurably(file, good);
    fsys.fill(4096);
    // 6 KiB where 4 KiB are free: the kernel writes what fits and says how much.
    expect(() => writeDurably(file, JSON.stringify({ v: 1, data: 'b'.repeat(6000) }))).toThrow(/ENOSPC/);
    expect(fs.readFileSync(file, 'utf8')).toBe(good);
    expect(fs.readdirSync(fsys.dir).filter((f) => /^\.tmp-/.test(f))).toEqual([]);
    fsys.unfill();
    writeDurably(file, 'c'.repeat(6000));
    expect(fs.readFileSync(file, 'utf8')).toBe('c'.repeat(6000));
  });

  it('syncDir reports what is not "unsupported" instead of swallowing it', () => {
    expect(() => syncDir(path.join(fsys.dir, 'no-such-dir'))).toThrow(/ENOENT/);
    syncDir(fsys.dir);
  });
});
