// Writes that survive a crash: fsync of files and of the directories that name them. A write is
// complete or it fails: a full disk never leaves a short file in place of a good one.
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

// What fsync on a directory raises where the file system does not support it (Linux: EINVAL on some
// network and FUSE file systems; elsewhere EISDIR, EBADF or EPERM). Anything else, EIO first, is a
// real failure and is thrown.
const DIR_FSYNC_UNSUPPORTED = ['EINVAL', 'EISDIR', 'EBADF', 'EPERM', 'ENOTSUP', 'EOPNOTSUPP'];

/** fsyncs a directory, so that a rename or unlink in it is on disk. */
export function syncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } catch (e) {
    if (DIR_FSYNC_UNSUPPORTED.indexOf((e as NodeJS.ErrnoException).code || '') < 0) throw e;
  } finally {
    fs.closeSync(fd);
  }
}

/** Writes all of `data` at the file's position, or throws (ENOSPC when the disk takes no more). */
export function writeAll(fd: number, data: string | Buffer): void {
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let off = 0;
  while (off < buf.length) {
    const n = fs.writeSync(fd, buf, off, buf.length - off);
    if (n <= 0) {
      const e = new Error(`ENOSPC: no space left on device, write (${off} of ${buf.length} bytes written)`) as NodeJS.ErrnoException;
      e.code = 'ENOSPC';
      throw e;
    }
    off += n;
  }
}

/** Writes a file atomically and durably (mode 0600): temp file, fsync, rename, fsync of the directory. */
export function writeDurably(file: string, data: string): void {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.tmp-${process.pid}-${crypto.randomBytes(4).toString('hex')}`);
  const fd = fs.openSync(tmp, 'wx', 0o600);
  try {
    try {
      writeAll(fd, data);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (e) {
    // The file it was to replace is untouched; the short temp file must not stay behind.
    try {
      fs.unlinkSync(tmp);
    } catch (_) {
      // never created, or already renamed
    }
    throw e;
  }
  syncDir(dir);
}
