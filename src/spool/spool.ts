// The event spool: every actionable event is kept on disk, durably, until it has been processed.
// Only this module touches spool files.
import { randomBytes } from 'crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, unlinkSync } from 'fs';
import { join } from 'path';
import type { ImageEvent } from '../event/parse-event';
import { syncDir, writeDurably } from '../files/durable';

export interface SpoolEntry {
  readonly v: 1;
  /**
   * File name without `.json`: `s<sequence, 15 digits>-<random>-<identifier>`, so names sort by arrival
   * whatever the clock does; before 2026-12 `<received ms, 15 digits>-<random>-<identifier>`, which sort
   * before every new name.
   */
  readonly id: string;
  readonly identifier: string;
  readonly type: string;
  readonly receivedAt: number;
  /** The event as parsed when it arrived: variables and absolute paths, all that processing needs. */
  readonly event: ImageEvent;
  readonly attempts: number;
  /** Of the attempts, those made by automatic retries (next vmcatcher run, drain): they set the back-off. */
  readonly retries?: number;
  readonly lastAttemptAt?: number;
  readonly lastError?: string;
}

/** The spool directory under the state directory. */
export function spoolDir(stateDir: string): string {
  return join(stateDir, 'spool');
}

/** Where unreadable spool entries are moved, out of the way, until an administrator looks at them. */
export function quarantineDir(stateDir: string): string {
  return join(spoolDir(stateDir), 'bad');
}

function pad15(n: number): string {
  let s = String(n);
  while (s.length < 15) s = '0' + s;
  return s;
}

const SEQ_NAME = /^s(\d{15})-/;

// The next sequence number: one past the highest in the spool. Entries of events still pending all sort
// before it; two events spooled at the same moment get the same number and are told apart by the rest
// of the name.
function nextSeq(names: readonly string[]): number {
  let max = 0;
  for (const n of names) {
    const m = SEQ_NAME.exec(n);
    if (m) max = Math.max(max, Number(m[1]));
  }
  return max + 1;
}

function readNames(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

/** Stores an event before any work starts; returns its entry. */
export function spoolEvent(stateDir: string, event: ImageEvent, now: number): SpoolEntry {
  const dir = spoolDir(stateDir);
  mkdirSync(dir, { recursive: true, mode: 0o750 });
  const id = `s${pad15(nextSeq(readNames(dir)))}-${randomBytes(4).toString('hex')}-${event.identifier}`;
  const entry: SpoolEntry = { v: 1, id, identifier: event.identifier, type: event.type, receivedAt: now, event, attempts: 0 };
  writeDurably(join(dir, `${id}.json`), JSON.stringify(entry));
  return entry;
}

/** The identifier an entry's file name carries (old and new names). */
export function identifierOfEntryFile(file: string): string {
  return file.replace(/^.*\//, '').replace(/\.json$/, '').replace(/^s?\d{15}-[0-9a-f]+-/, '');
}

/**
 * Every pending entry, oldest first; for one identifier when given. An unreadable file (a torn write
 * by an earlier version on a full disk, a hand edit) is never dropped: it is moved to quarantineDir and
 * reported through onBad, then reported by listQuarantined at every run until an administrator acts.
 * Commands that only read (status, pending, plan) pass quarantine=false: reported, left in place.
 */
export function listSpool(stateDir: string, identifier?: string, onBad?: (file: string, why: string) => void, quarantine = true): SpoolEntry[] {
  const dir = spoolDir(stateDir);
  const out: SpoolEntry[] = [];
  for (const name of readNames(dir).filter((n) => /\.json$/.test(n) && n.charAt(0) !== '.').sort()) {
    const file = join(dir, name);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      // Processed meanwhile; any other read error (permissions, EIO) is not the entry's fault: thrown.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    let e: SpoolEntry;
    try {
      e = JSON.parse(text) as SpoolEntry;
      if (!e || e.v !== 1 || !e.event || !e.identifier) throw new Error('not a spool entry');
    } catch (err) {
      const why = text.length ? (err as Error).message : 'empty file';
      let where = file;
      try {
        if (!quarantine) throw new Error('read only');
        mkdirSync(quarantineDir(stateDir), { recursive: true, mode: 0o750 });
        renameSync(file, join(quarantineDir(stateDir), name));
        where = join(quarantineDir(stateDir), name);
        syncDir(dir);
      } catch (_) {
        // A command that only reads, or cannot move it: it stays where it is, and is reported all the same.
      }
      if (onBad) onBad(where, why);
      continue;
    }
    if (!identifier || e.identifier === identifier) out.push(e);
  }
  return out;
}

/** The unreadable entries moved aside by listSpool, still waiting for an administrator. */
export function listQuarantined(stateDir: string): string[] {
  return readNames(quarantineDir(stateDir))
    .filter((n) => n.charAt(0) !== '.')
    .sort()
    .map((n) => join(quarantineDir(stateDir), n));
}

/** Records an attempt (before it starts: a killed attempt still counts) or its error. */
export function updateEntry(stateDir: string, entry: SpoolEntry, change: Partial<Pick<SpoolEntry, 'attempts' | 'retries' | 'lastAttemptAt' | 'lastError'>>): SpoolEntry {
  const next = Object.assign({}, entry, change) as SpoolEntry;
  writeDurably(join(spoolDir(stateDir), `${entry.id}.json`), JSON.stringify(next));
  return next;
}

/** Removes an entry once processed, superseded or forgotten. */
export function removeEntry(stateDir: string, entry: SpoolEntry): void {
  try {
    unlinkSync(join(spoolDir(stateDir), `${entry.id}.json`));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  syncDir(spoolDir(stateDir));
}

/** Identifiers with pending entries, in order of their oldest entry. */
export function spooledIdentifiers(stateDir: string): string[] {
  const seen: string[] = [];
  for (const e of listSpool(stateDir)) if (seen.indexOf(e.identifier) < 0) seen.push(e.identifier);
  return seen;
}
