// The handler's own record, per identifier, of the images it registered, adopted and retired: the
// authority for which image is current and what a retired one had. oned's attributes only cross-check
// it, since any user can set them on images they own. Only this module touches record files.
import * as fs from 'fs';
import * as path from 'path';
import { OperationFailedError } from '../errors';
import { writeDurably } from '../files/durable';

/** What an image had when it was retired (restored when the image list endorses it again). */
export interface RetiredFrom {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly mode: string;
  readonly state: 'ENABLED' | 'DISABLED';
}

/** The current image: registered by a run of this handler, or adopted (by `adopt` or automatically). */
export interface RecordedCurrent {
  readonly id: number;
  readonly how: 'registered' | 'adopted';
  /** ISO 8601 time it was recorded. */
  readonly at: string;
  /** The run that registered it. */
  readonly runId?: string;
}

export interface RecordedRetirement {
  readonly id: number;
  /** ISO 8601 time of the retirement (the same as the image's VMCHNDL_ON_RETIRED). */
  readonly at: string;
  readonly from: RetiredFrom;
  /**
   * How the image had become current: registered by a run of the handler, or adopted. Records written
   * before retention existed lack it (see src/plan/plan-prune.ts for how they are judged).
   */
  readonly how?: 'registered' | 'adopted';
  /** ISO 8601 time the handler deleted the image (VMCHNDL_ON_KEEP_RETIRED, `prune`); the entry stays, for what it had. */
  readonly pruned?: string;
}

/** The VM template the handler keeps for the identifier (VMCHNDL_ON_TEMPLATE). */
export interface RecordedTemplate {
  readonly id: number;
  /** ISO 8601 time it was created or taken on. */
  readonly at: string;
  /** The run that created it. */
  readonly runId?: string;
}

/** The record of one identifier. */
export interface HandlerRecord {
  readonly v: 1;
  readonly identifier: string;
  readonly current: RecordedCurrent | null;
  /** Newest retirement first. */
  readonly retired: readonly RecordedRetirement[];
  /** Its VM template, once it has one; kept when the admin deletes it, so that it is not made again behind their back. */
  readonly template?: RecordedTemplate;
}

/** The record directory under the state directory. */
export function recordDir(stateDir: string): string {
  return path.join(stateDir, 'records');
}

function recordPath(stateDir: string, identifier: string): string {
  return path.join(recordDir(stateDir), `${identifier}.json`);
}

function baselinePath(stateDir: string): string {
  return path.join(recordDir(stateDir), 'baseline.json');
}

function isRecord(x: unknown, identifier: string): x is HandlerRecord {
  const r = x as HandlerRecord;
  return Boolean(r) && r.v === 1 && r.identifier === identifier && Array.isArray(r.retired) && (r.current === null || typeof r.current.id === 'number');
}

/** The record of an identifier, or undefined when the handler has none. A damaged record is an error, never ignored. */
export function readRecord(stateDir: string, identifier: string): HandlerRecord | undefined {
  const file = recordPath(stateDir, identifier);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new OperationFailedError(`cannot read the handler's record ${file}: ${(e as Error).message}`, e);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    parsed = undefined;
  }
  if (!isRecord(parsed, identifier)) {
    throw new OperationFailedError(
      `the handler's record ${file} is damaged: move it away and let the handler adopt the current image again (see \`vmcatcher_eventHndl_ON adopt --help\`)`,
    );
  }
  return parsed;
}

/** Writes an identifier's record durably (fsync, atomic rename); null removes it. */
export function writeRecord(stateDir: string, identifier: string, rec: HandlerRecord | null): void {
  const dir = recordDir(stateDir);
  fs.mkdirSync(dir, { recursive: true, mode: 0o750 });
  const file = recordPath(stateDir, identifier);
  if (rec) {
    writeDurably(file, JSON.stringify(rec, null, 1) + '\n');
    return;
  }
  try {
    fs.unlinkSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

/** Identifiers that have a record. */
export function listRecords(stateDir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(recordDir(stateDir));
  } catch (_) {
    return [];
  }
  return names.filter((n) => /\.json$/.test(n) && n !== 'baseline.json' && n.charAt(0) !== '.').map((n) => n.slice(0, -'.json'.length));
}

/**
 * When the handler started keeping records in this state directory (ms), or undefined. An image
 * registered before then (REGTIME, which only oned sets) may have been current before records existed.
 */
export function readBaseline(stateDir: string): number | undefined {
  try {
    const b = JSON.parse(fs.readFileSync(baselinePath(stateDir), 'utf8')) as { since?: unknown };
    return typeof b.since === 'number' ? b.since : undefined;
  } catch (_) {
    return undefined;
  }
}

/** Reads the baseline, or sets it to `now` when the state directory has none yet (first contact, or a lost state directory). */
export function ensureBaseline(stateDir: string, now: number): number {
  const known = readBaseline(stateDir);
  if (known !== undefined) return known;
  fs.mkdirSync(recordDir(stateDir), { recursive: true, mode: 0o750 });
  writeDurably(baselinePath(stateDir), JSON.stringify({ since: now, at: new Date(now).toISOString() }) + '\n');
  return now;
}
