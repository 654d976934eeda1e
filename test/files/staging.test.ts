import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { OperationFailedError } from '../../src/errors';
import { STAGING_MARKER, isStagingDir, linkOrCopy, makeStagingDir, removeStagingDir } from '../../src/files/staging';
import { useTempDir } from '../helpers/images';

const at = useTempDir();
const mode = (p: string) => fs.statSync(p).mode & 0o777;

describe('makeStagingDir', () => {
  it('creates base and per-run directories 0700 even under a loose umask', async () => {
    const old = process.umask(0o002);
    try {
      const base = at('var/staging');
      const a = await makeStagingDir(base);
      const b = await makeStagingDir(base);
      expect(mode(base)).toBe(0o700);
      expect(mode(a)).toBe(0o700);
      expect(a).not.toBe(b);
      expect(path.dirname(a)).toBe(base);
      expect(fs.readdirSync(a)).toEqual([STAGING_MARKER]);
      expect(mode(path.join(a, STAGING_MARKER))).toBe(0o600);
      expect(await isStagingDir(a)).toBe(true);
    } finally {
      process.umask(old);
    }
  });

  it('refuses an existing base that others can write to', async () => {
    fs.mkdirSync(at('open'), { mode: 0o777 });
    fs.chmodSync(at('open'), 0o777);
    await expect(makeStagingDir(at('open'))).rejects.toThrow(/has mode 777, writable by others: run chmod 700/);
    fs.writeFileSync(at('afile'), '');
    await expect(makeStagingDir(at('afile'))).rejects.toThrow(/is not a directory/);
  });
});

describe('removeStagingDir', () => {
  it('removes everything inside, without following symlinks', async () => {
    const keep = at('precious');
    fs.mkdirSync(keep);
    fs.writeFileSync(path.join(keep, 'data'), 'keep');
    const run = await makeStagingDir(at('s2'));
    fs.mkdirSync(path.join(run, 'sub/deeper'), { recursive: true });
    fs.writeFileSync(path.join(run, 'sub/deeper/f'), 'x');
    fs.symlinkSync(keep, path.join(run, 'link-to-precious'));
    await removeStagingDir(run);
    expect(fs.existsSync(run)).toBe(false);
    expect(fs.readFileSync(path.join(keep, 'data'), 'utf8')).toBe('keep');
    await removeStagingDir(run); // absent: nothing to do
  });

  it('refuses directories it did not make', async () => {
    const fake = at('vmc-staging-abcdef');
    fs.mkdirSync(fake);
    await expect(removeStagingDir(fake)).rejects.toThrow(/not a staging directory made by this program/);
    const run = await makeStagingDir(at('s3'));
    const renamed = at('s3/other-name');
    fs.renameSync(run, renamed);
    await expect(removeStagingDir(renamed)).rejects.toBeInstanceOf(OperationFailedError);
    fs.symlinkSync(renamed, at('s3/vmc-staging-zzzzzz'));
    await expect(removeStagingDir(at('s3/vmc-staging-zzzzzz'))).rejects.toThrow(/not a staging directory/);
    expect(fs.existsSync(path.join(renamed, STAGING_MARKER))).toBe(true);
    await expect(removeStagingDir(at())).rejects.toThrow(/refusing to remove/);
  });
});

describe('linkOrCopy', () => {
  it('hard-links on the same file system', async () => {
    fs.writeFileSync(at('src.img'), 'image bytes', { mode: 0o644 });
    const run = await makeStagingDir(at('s4'));
    const got = await linkOrCopy(at('src.img'), run);
    expect(got).toEqual({ path: path.join(run, 'src.img'), how: 'link' });
    expect(fs.statSync(got.path).ino).toBe(fs.statSync(at('src.img')).ino);
    await expect(linkOrCopy(at('src.img'), run)).rejects.toThrow(/EEXIST/);
  });

  it('copies with mode 0600 across file systems', async () => {
    // /dev/shm is tmpfs on Linux; the test directory is elsewhere or the check below says so.
    const other = fs.mkdtempSync('/dev/shm/vmc-test-');
    try {
      expect(fs.statSync(other).dev).not.toBe(fs.statSync(at()).dev);
      fs.writeFileSync(at('src2.img'), Buffer.alloc(5 * 1024 * 1024 + 7, 'q'), { mode: 0o644 });
      const got = await linkOrCopy(at('src2.img'), other, { name: 'copy.img' });
      expect(got).toEqual({ path: path.join(other, 'copy.img'), how: 'copy' });
      expect(mode(got.path)).toBe(0o600);
      expect(fs.readFileSync(got.path).equals(fs.readFileSync(at('src2.img')))).toBe(true);
      await expect(linkOrCopy(at('missing'), other)).rejects.toThrow(/cannot link/);
      await expect(linkOrCopy(at('src2.img'), other, { name: '../escape' })).rejects.toThrow(/invalid file name/);
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
  });
});
