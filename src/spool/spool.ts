// The event spool: every actionable event is kept on disk, durably, until it has been processed.
// Only this module touches spool files.
import { randomBytes } from 'crypto';
import { mkdirSync, readFileSync, readdirSync, unlinkSync } from 'fs';
import { join } from 'path';
import type { ImageEvent } from '../event/parse-event';
import { syncDir, writeDurably } from '../files/durable';

export interface SpoolEntry {
  readonly v: 1;
  /** File name without `.json`: `<received ms, 15 digits>-<random>-<identifier>`, so names sort by arrival. */
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

function pad15(n: number): string {
  let s = String(n);
  while (s.length < 15) s = '0' + s;
  return s;
}

/** Stores an event before any work starts; returns its entry. */
export function spoolEvent(stateDir: string, event: ImageEvent, now: number): SpoolEntry {
  const dir = spoolDir(stateDir);
  mkdirSync(dir, { recursive: true, mode: 0o750 });
  const id = `${pad15(now)}-${randomBytes(4).toString('hex')}-${event.identifier}`;
  const entry: SpoolEntry = { v: 1, id, identifier: event.identifier, type: event.type, receivedAt: now, event, attempts: 0 };
  writeDurably(join(dir, `${id}.json`), JSON.stringify(entry));
  return entry;
}

/** Every pending entry, oldest first; for one identifier when given. Unreadable files are reported, not dropped. */
export function listSpool(stateDir: string, identifier?: string, onBad?: (file: string, why: string) => void): SpoolEntry[] {
  let names: string[];
  try {
    names = readdirSync(spoolDir(stateDir));
  } catch (_) {
    return [];
  }
  const out: SpoolEntry[] = [];
  for (const name of names.filter((n) => /\.json$/.test(n) && n.charAt(0) !== '.').sort()) {
    const file = join(spoolDir(stateDir), name);
    try {
      const e = JSON.parse(readFileSync(file, 'utf8')) as SpoolEntry;
      if (e.v !== 1 || !e.event || !e.identifier) throw new Error('not a spool entry');
      if (!identifier || e.identifier === identifier) out.push(e);
    } catch (err) {
      if (onBad) onBad(file, (err as Error).message);
    }
  }
  return out;
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
