// A per-identifier lock held for a whole event, so two runs for one image never interleave.
// O_EXCL files with the owner's pid; a lock whose owner is dead is stale and taken over.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LockBusyError } from '../errors';
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

function readHolder(file: string): Holder | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (_) {
    return undefined;
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

function tryCreate(file: string): boolean {
  try {
    const fd = fs.openSync(file, 'wx', 0o600);
    fs.writeSync(fd, JSON.stringify(Object.assign({ pid: process.pid, host: os.hostname(), since: Date.now() }, ownIdentity())));
    fs.closeSync(fd);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

/** Removes a stale lock under a guard file, so that two processes never both take it over. */
function breakStale(file: string, seen: Holder | undefined, onStale?: (holder: string) => void): void {
  const guard = file + '.takeover';
  try {
    const st = fs.statSync(guard);
    // A guard older than a minute belongs to a process killed during a takeover.
    if (Date.now() - st.mtime.getTime() > 60000) fs.unlinkSync(guard);
  } catch (_) {
    // no guard
  }
  if (!tryCreate(guard)) return;
  try {
    const now = readHolder(file);
    const same = now && seen && now.pid === seen.pid && now.since === seen.since;
    if (same || (!now && !seen)) {
      try {
        fs.unlinkSync(file);
      } catch (_) {
        // already gone
      }
      if (onStale) onStale(seen ? `pid ${seen.pid} on ${seen.host}` : 'unknown owner');
    }
  } finally {
    fs.unlinkSync(guard);
  }
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
    if (tryCreate(file)) {
      let released = false;
      return {
        file,
        release: () => {
          if (released) return;
          released = true;
          const h = readHolder(file);
          if (h && h.pid === process.pid) fs.unlinkSync(file);
        },
      };
    }
    const holder = readHolder(file);
    const sameHost = holder && holder.host === os.hostname();
    if (holder === undefined || (sameHost && !(isAlive(holder.pid) && isSameProcess(holder.pid, holder)))) {
      // A lock file without readable content may be one being written right now: give it a moment.
      if (holder !== undefined || opts.now() - lockMtime(file) > 2000) {
        breakStale(file, holder, opts.onStale);
        continue;
      }
    }
    const who = holder ? `pid ${holder.pid} on ${holder.host} since ${new Date(holder.since).toISOString()}` : 'another process';
    if (opts.now() - start >= opts.timeoutMs) {
      throw new LockBusyError(`another run holds the lock for ${identifier} (${who}, lock file ${file}); gave up after ${Math.round(opts.timeoutMs / 1000)} s`);
    }
    if (!told && opts.onWait) opts.onWait(who);
    told = true;
    await opts.sleep(delay);
    delay = Math.min(delay * 2, 2000);
  }
}

function lockMtime(file: string): number {
  try {
    return fs.statSync(file).mtime.getTime();
  } catch (_) {
    return 0;
  }
}
