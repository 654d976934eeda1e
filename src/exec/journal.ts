// The journal: an append-only, fsynced record of a plan and of every side effect before and after it.
// Only this module touches journal files.
import * as fs from 'fs';
import * as path from 'path';
import { syncDir, writeAll } from '../files/durable';
import type { Plan } from '../plan/types';

export type JournalRecord =
  | { t: 'begin'; v: 1; at: number; runId: string; identifier: string; eventType: string; plan: Plan }
  | { t: 'start'; i: number; at: number }
  | { t: 'done'; i: number; at: number; result?: StepResult }
  | { t: 'fail'; i: number; at: number; error: string }
  | { t: 'rollback'; at: number; reason: string }
  | { t: 'undo'; i: number; at: number }
  | { t: 'undone'; i: number; at: number }
  | { t: 'end'; at: number; outcome: 'done' | 'rolled-back' };

/** What a step reports back (today: the id of the image it registered). */
export interface StepResult {
  readonly imageId?: number;
  readonly skipped?: string;
}

/** A journal read back: what was planned and how far it got. */
export interface JournalState {
  readonly plan: Plan;
  readonly eventType: string;
  readonly begunAt: number;
  readonly started: ReadonlySet<number>;
  readonly done: ReadonlyMap<number, StepResult>;
  readonly undone: ReadonlySet<number>;
  readonly rollingBack: boolean;
  readonly lastError?: string;
  readonly ended?: 'done' | 'rolled-back';
}

/** Folds records into a state. */
export function foldJournal(records: readonly JournalRecord[]): JournalState | undefined {
  const begin = records[0];
  if (!begin || begin.t !== 'begin') return undefined;
  const started = new Set<number>();
  const done = new Map<number, StepResult>();
  const undone = new Set<number>();
  let rollingBack = false;
  let lastError: string | undefined;
  let ended: JournalState['ended'];
  for (const r of records) {
    if (r.t === 'start') started.add(r.i);
    else if (r.t === 'done') done.set(r.i, r.result || {});
    else if (r.t === 'fail') lastError = r.error;
    else if (r.t === 'rollback') {
      rollingBack = true;
      lastError = lastError || r.reason;
    } else if (r.t === 'undone') undone.add(r.i);
    else if (r.t === 'end') ended = r.outcome;
  }
  return { plan: begin.plan, eventType: begin.eventType, begunAt: begin.at, started, done, undone, rollingBack, lastError, ended };
}

function mkdirp(dir: string): void {
  // Node 10.12+ has recursive mkdir.
  fs.mkdirSync(dir, { recursive: true, mode: 0o750 });
}

/** The journal directory under the state directory. */
export function journalDir(stateDir: string): string {
  return path.join(stateDir, 'journal');
}

function activePath(stateDir: string, identifier: string): string {
  return path.join(journalDir(stateDir), `${identifier}.jsonl`);
}

/** An open journal for one identifier. */
export class Journal {
  private readonly fd: number;
  private readonly records: JournalRecord[];
  /** The file ends in a torn line (no newline): the next record must start on a line of its own. */
  private tornTail: boolean;

  private constructor(readonly file: string, readonly stateDir: string, readonly identifier: string, records: JournalRecord[], tornTail = false) {
    this.records = records;
    this.tornTail = tornTail;
    this.fd = fs.openSync(file, 'a', 0o600);
  }

  /** Reads the unfinished journal for an identifier, if there is one. */
  static readOpen(stateDir: string, identifier: string): Journal | undefined {
    const file = activePath(stateDir, identifier);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    const records: JournalRecord[] = [];
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        records.push(JSON.parse(line));
      } catch (_) {
        // A torn last line from a crash mid-write: the record it held was never acted upon.
      }
    }
    return new Journal(file, stateDir, identifier, records, text.length > 0 && text.charAt(text.length - 1) !== '\n');
  }

  /** Starts a journal for a plan; fails if one is already open for the identifier. */
  static begin(stateDir: string, plan: Plan, eventType: string, now: number): Journal {
    mkdirp(journalDir(stateDir));
    const file = activePath(stateDir, plan.identifier);
    const fd = fs.openSync(file, 'wx', 0o600);
    fs.closeSync(fd);
    const j = new Journal(file, stateDir, plan.identifier, []);
    j.append({ t: 'begin', v: 1, at: now, runId: plan.runId, identifier: plan.identifier, eventType, plan });
    syncDir(path.dirname(file));
    return j;
  }

  /** Appends one record and waits until it is on disk. */
  append(rec: JournalRecord): void {
    const line = JSON.stringify(rec) + '\n';
    const torn = this.tornTail;
    // Until the record is whole on disk, the file may end in a torn line (a full disk, EIO).
    this.tornTail = true;
    writeAll(this.fd, torn ? '\n' + line : line);
    fs.fsyncSync(this.fd);
    this.tornTail = false;
    this.records.push(rec);
  }

  state(): JournalState | undefined {
    return foldJournal(this.records);
  }

  /** Closes the journal and files it under done/ (keeping the last few per identifier). */
  close(archive: boolean): void {
    fs.closeSync(this.fd);
    if (!archive) return;
    const st = this.state();
    const doneDir = path.join(journalDir(this.stateDir), 'done');
    mkdirp(doneDir);
    const runId = st ? st.plan.runId : String(Date.now());
    fs.renameSync(this.file, path.join(doneDir, `${this.identifier}.${runId}.jsonl`));
    syncDir(path.dirname(this.file));
    pruneDone(doneDir, this.identifier, 10);
  }
}

// Archived journals are `<identifier>.<run id>.jsonl`; run ids hold no dot, identifiers may: `a.b`'s
// journals are not `a`'s.
function isArchiveOf(file: string, identifier: string): boolean {
  if (!/\.jsonl$/.test(file)) return false;
  const base = file.slice(0, -'.jsonl'.length);
  return base.slice(0, base.lastIndexOf('.')) === identifier;
}

function pruneDone(doneDir: string, identifier: string, keep: number): void {
  const mine = fs
    .readdirSync(doneDir)
    .filter((f) => isArchiveOf(f, identifier))
    .map((f) => ({ f, m: fs.statSync(path.join(doneDir, f)).mtime.getTime() }))
    .sort((a, b) => b.m - a.m);
  for (const old of mine.slice(keep)) fs.unlinkSync(path.join(doneDir, old.f));
}

/** Identifiers that have an unfinished journal. */
export function listOpenJournals(stateDir: string): string[] {
  let files: string[];
  try {
    files = fs.readdirSync(journalDir(stateDir));
  } catch (_) {
    return [];
  }
  return files.filter((f) => /\.jsonl$/.test(f)).map((f) => f.slice(0, -'.jsonl'.length));
}
