// A per-identifier lock held for a whole event, so two runs for one image never interleave.
// The lock file names its owner (pid, host, boot and start time). It is written whole into a temporary
// file and linked into place (link fails if the lock exists), so it is never seen empty or half written.
// A lock whose owner is gone is stale and taken over: under a guard that only one process holds at a
// time, and only if the file, read again under the guard, is still stale and still the same inode.
import { formatLocalTime } from '../clock/local-time';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LockBusyError } from '../errors';
import { writeAll } from '../files/durable';
import { isSameProcess, ownIdentity, ProcessIdentity } from './process-identity';

export interface Lock {
  readonly file: string;
  release(): void;
}

export interface LockOptions {
  timeoutMs: number;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  /** Called once when we start waiting for another process. */
  onWait?: (holder: string) => void;
  /** Called when a stale lock is taken over. */
  onStale?: (holder: string) => void;
}

interface Holder extends ProcessIdentity {
  pid: number;
  host: string;
  since: number;
}

/** A lock file as read: its inode, its age and its owner (undefined when empty or unreadable). */
interface Seen {
  ino: number;
  mtimeMs: number;
  holder?: Holder;
}

// Lock files written by versions before link() was used could be seen empty for a moment while their
// owner wrote them; an unreadable lock younger than this is left alone.
const UNREADABLE_GRACE_MS = 2000;

function parseHolder(text: string): Holder | undefined {
  try {
    const h = JSON.parse(text);
    return h && typeof h.pid === 'number' && typeof h.host === 'string' ? h : undefined;
  } catch (_) {
    return undefined;
  }
}

/** Reads a lock file through one descriptor, so that inode and content belong together; undefined if absent. */
function readLock(file: string): Seen | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    const st = fs.fstatSync(fd);
    const buf = Buffer.alloc(Math.min(st.size, 65536));
    const n = buf.length ? fs.readSync(fd, buf, 0, buf.length, 0) : 0;
    return { ino: st.ino, mtimeMs: st.mtime.getTime(), holder: parseHolder(buf.slice(0, n).toString('utf8')) };
  } finally {
    fs.closeSync(fd);
  }
}

function inodeOf(file: string): number | undefined {
  try {
    return fs.statSync(file).ino;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether a lock (or guard) as seen is stale: its owner is gone, or it is unreadable and not new. */
function isStale(seen: Seen, now: number): boolean {
  const h = seen.holder;
  if (!h) return now - seen.mtimeMs > UNREADABLE_GRACE_MS;
  return h.host === os.hostname() && !(isAlive(h.pid) && isSameProcess(h.pid, h));
}

/** Creates `file` holding our identity, whole, unless it exists; returns its inode, or undefined if it existed. */
function tryCreate(file: string): number | undefined {
  const tmp = path.join(path.dirname(file), `.tmp-${process.pid}-${crypto.randomBytes(4).toString('hex')}`);
  try {
    const fd = fs.openSync(tmp, 'wx', 0o600);
    let ino: number;
    try {
      writeAll(fd, JSON.stringify(Object.assign({ pid: process.pid, host: os.hostname(), since: Date.now() }, ownIdentity())));
      ino = fs.fstatSync(fd).ino;
    } finally {
      fs.closeSync(fd);
    }
    try {
      fs.linkSync(tmp, file);
      return ino;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
      throw e;
    }
  } finally {
    try {
      fs.unlinkSync(tmp);
    } catch (_) {
      // never created
    }
  }
}

/** Removes `file` if it still is inode `ino`. */
function unlinkIfSame(file: string, ino: number): boolean {
  if (inodeOf(file) !== ino) return false;
  try {
    fs.unlinkSync(file);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}

/**
 * Reads `file` again and removes it if it is stale now. Inode numbers are reused at once, so what
 * counts is what the file holds at this moment, not what it held when first judged.
 */
function removeIfStale(file: string): Seen | undefined {
  const now = readLock(file);
  if (!now || !isStale(now, Date.now())) return undefined;
  return unlinkIfSame(file, now.ino) ? now : undefined;
}

/**
 * Removes a stale lock under a guard file, so that takeovers happen one at a time: nobody else can
 * remove the lock between our last look and the unlink, and a live owner's lock is never stale.
 * Returns false when another process holds the guard.
 */
function breakStale(file: string, onStale?: (holder: string) => void): boolean {
  const guard = file + '.takeover';
  const guardIno = tryCreate(guard);
  if (guardIno === undefined) {
    // A guard whose owner died mid-takeover is itself stale.
    return removeIfStale(guard) !== undefined;
  }
  try {
    const gone = removeIfStale(file);
    if (gone && onStale) onStale(gone.holder ? `pid ${gone.holder.pid} on ${gone.holder.host}` : 'unknown owner');
  } finally {
    unlinkIfSame(guard, guardIno);
  }
  return true;
}

/** Takes the lock for an identifier, waiting up to timeoutMs for a live holder to finish. */
export async function acquireLock(stateDir: string, identifier: string, opts: LockOptions): Promise<Lock> {
  const dir = path.join(stateDir, 'locks');
  fs.mkdirSync(dir, { recursive: true, mode: 0o750 });
  const file = path.join(dir, `${identifier}.lock`);
  const start = opts.now();
  let delay = 50;
  let told = false;
  for (;;) {
    const ino = tryCreate(file);
    if (ino !== undefined) {
      let released = false;
      return {
        file,
        release: () => {
          if (released) return;
          released = true;
          unlinkIfSame(file, ino);
        },
      };
    }
    const seen = readLock(file);
    // Gone between our attempt and the read: its owner released it; try again at once.
    if (!seen) continue;
    if (isStale(seen, Date.now())) {
      // Another process is taking it over: give it a moment.
      if (!breakStale(file, opts.onStale)) await opts.sleep(10);
      continue;
    }
    const holder = seen.holder;
    const who = holder ? `pid ${holder.pid} on ${holder.host} since ${formatLocalTime(holder.since)}` : 'another process';
    if (opts.now() - start >= opts.timeoutMs) {
      throw new LockBusyError(`another run holds the lock for ${identifier} (${who}, lock file ${file}); gave up after ${Math.round(opts.timeoutMs / 1000)} s`);
    }
    if (!told && opts.onWait) opts.onWait(who);
    told = true;
    await opts.sleep(delay);
    delay = Math.min(delay * 2, 2000);
  }
}
