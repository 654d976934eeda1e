// `history <identifier>`: what happened to an image, newest first, read from the journals the handler
// keeps (journal/done/ and an open journal) and the spool. Reads only; journal files are read as text
// and folded with the journal module's own foldJournal.
import * as fs from 'fs';
import * as path from 'path';
import { foldJournal, journalDir, JournalRecord, JournalState } from '../exec/journal';
import type { SpoolEntry } from '../spool/spool';

export interface HistoryRun {
  readonly runId: string;
  /** ISO 8601 UTC. */
  readonly startedAt: string;
  readonly endedAt: string | null;
  readonly event: string;
  readonly action: string;
  readonly summary: string;
  /** done; rolled-back (nothing changed); interrupted (open: `recover` finishes it). */
  readonly outcome: 'done' | 'rolled-back' | 'abandoned' | 'interrupted';
  readonly error: string | null;
  /** The image this run registered, and the one it renamed or retired. */
  readonly newImage: number | null;
  readonly oldImage: number | null;
  readonly retiredName: string | null;
  readonly steps: number;
  readonly stepsDone: number;
}

export interface History {
  readonly identifier: string;
  readonly runs: readonly HistoryRun[];
  readonly pending: ReadonlyArray<{ readonly type: string; readonly received: string; readonly attempts: number; readonly lastError: string | null }>;
}

function readRecords(file: string): JournalRecord[] {
  const out: JournalRecord[] = [];
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (_) {
    return out;
  }
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line));
    } catch (_) {
      // A torn last line (a crash mid-write): the record it held was never acted upon.
    }
  }
  return out;
}

function runOf(records: JournalRecord[], st: JournalState, open: boolean): HistoryRun {
  const end = records.filter((r) => r.t === 'end')[0] as { at: number } | undefined;
  const steps = st.plan.steps;
  let newImage: number | null = null;
  st.done.forEach((res) => {
    if (res.imageId !== undefined) newImage = res.imageId;
  });
  let oldImage: number | null = null;
  let retiredName: string | null = null;
  for (const s of steps) {
    if (s.kind === 'rename' && typeof s.image === 'number') {
      oldImage = s.image;
      retiredName = s.to;
    } else if (s.kind === 'mark-retired' && typeof s.image === 'number' && oldImage === null) oldImage = s.image;
  }
  const outcome = open || !st.ended ? 'interrupted' : st.ended;
  return {
    runId: st.plan.runId,
    startedAt: new Date(st.begunAt).toISOString(),
    endedAt: end ? new Date(end.at).toISOString() : null,
    event: st.eventType,
    action: st.plan.action,
    summary: st.plan.summary,
    outcome,
    error: st.lastError || null,
    newImage: outcome === 'rolled-back' ? null : newImage,
    oldImage,
    retiredName,
    steps: steps.length,
    stepsDone: st.done.size,
  };
}

/** The journalled runs of an identifier, newest first, and its pending events. */
export function readHistory(stateDir: string, identifier: string, pending: readonly SpoolEntry[]): History {
  const dir = journalDir(stateDir);
  const files: Array<{ file: string; open: boolean }> = [];
  try {
    for (const f of fs.readdirSync(path.join(dir, 'done'))) {
      // <identifier>.<run id>.jsonl; a run id has no dot, an identifier may.
      if (f.indexOf(identifier + '.') === 0 && /\.jsonl$/.test(f) && f.slice(identifier.length + 1, -6).indexOf('.') < 0) files.push({ file: path.join(dir, 'done', f), open: false });
    }
  } catch (_) {
    // No run finished yet.
  }
  if (fs.existsSync(path.join(dir, `${identifier}.jsonl`))) files.push({ file: path.join(dir, `${identifier}.jsonl`), open: true });
  const runs: HistoryRun[] = [];
  for (const f of files) {
    const records = readRecords(f.file);
    const st = foldJournal(records);
    if (st && st.plan.identifier === identifier) runs.push(runOf(records, st, f.open));
  }
  runs.sort((a, b) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : 0));
  return {
    identifier,
    runs,
    pending: pending
      .filter((e) => e.identifier === identifier)
      .map((e) => ({ type: e.type, received: new Date(e.receivedAt).toISOString(), attempts: e.attempts, lastError: e.lastError || null })),
  };
}
