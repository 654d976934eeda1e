// Writes that survive a crash: fsync of files and of the directories that name them.
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

/** fsyncs a directory, so that a rename or unlink in it is on disk. */
export function syncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch (_) {
    // Some file systems refuse fsync on a directory; rename stays atomic.
  }
}

/** Writes a file atomically and durably (mode 0600): temp file, fsync, rename, fsync of the directory. */
export function writeDurably(file: string, data: string): void {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.tmp-${process.pid}-${crypto.randomBytes(4).toString('hex')}`);
  const fd = fs.openSync(tmp, 'wx', 0o600);
  try {
    fs.writeSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  syncDir(dir);
}
