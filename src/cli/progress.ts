// Progress for people and for logs: a live bar on a TTY, otherwise log lines: the start, every 10 % or 30 s
// once the work has taken 5 s, and the end.
import type { Progress } from '../exec/context';
import type { Logger } from '../log/logger';

const LABELS: Record<string, string> = { convert: 'converting', checksum: 'checking sha512', ready: 'waiting for READY' };

/** Work shorter than this logs only its start and its end. */
const QUIET_START_MS = 5000;

/** A progress reporter that writes log lines, sparingly: the start, then (after 5 s) every 10 % or 30 s, and the end. */
export function logProgress(log: Logger, now: () => number): Progress {
  const last: Record<string, { pct: number; at: number; started: number }> = {};
  return (what, percent, detail) => {
    const label = LABELS[what] || what;
    if (percent === undefined) {
      if (detail) log.info('progress', `${label}: ${detail}`);
      return;
    }
    const prev = last[what];
    const t = now();
    const due = prev && t - prev.started >= QUIET_START_MS && (percent - prev.pct >= 10 || t - prev.at >= 30000);
    if (!prev || percent >= 100 || due) {
      if (prev && prev.pct >= 100 && percent >= 100) return;
      last[what] = { pct: percent, at: t, started: prev ? prev.started : t };
      log.info('progress', `${label}: ${percent.toFixed(0)} %${detail ? ` (${detail})` : ''}`);
    }
  };
}

function clock(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const m = Math.floor(s / 60);
  return `${m}:${s % 60 < 10 ? '0' : ''}${s % 60}`;
}

/** The bar line for a state: label, bar, percent, elapsed and (once it can be guessed) time left. */
export function barLine(label: string, percent: number, elapsedMs: number, columns: number, color: boolean): string {
  const pct = Math.max(0, Math.min(100, percent));
  const eta = pct >= 1 && pct < 100 && elapsedMs >= 1000 ? ` ${clock((elapsedMs * (100 - pct)) / pct)} left` : '';
  const tail = ` ${pct.toFixed(1)} % ${clock(elapsedMs)}${eta}`;
  const width = Math.max(10, Math.min(50, columns - label.length - tail.length - 4));
  const filled = Math.round((pct / 100) * width);
  const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
  return `${label} [${color ? `\x1b[32m${bar}\x1b[0m` : bar}]${tail}`;
}

type Write = (chunk: unknown, ...rest: unknown[]) => boolean;

/**
 * A live bar on a terminal (stderr), redrawn in place at most 10 times a second. Messages without a
 * percentage are left to the log, which the runtime also writes to this terminal. Anything else
 * written to the stream while a bar is open (a log line, a warning) first ends the bar's line, so
 * log lines never run into the bar; the next update draws the bar again below them.
 */
export function ttyProgress(stream: NodeJS.WriteStream, color: boolean, now: () => number = Date.now): Progress {
  const raw: Write = (stream.write as Write).bind(stream);
  let open = false;
  (stream as unknown as { write: Write }).write = (chunk, ...rest) => {
    if (open) {
      open = false;
      raw('\n');
    }
    return raw(chunk, ...rest);
  };

  let what = '';
  let started = 0;
  let drawnAt: number | undefined;
  return (kind, percent) => {
    if (percent === undefined) return;
    const t = now();
    const done = percent >= 100;
    if (kind !== what) {
      if (open) raw('\n');
      open = false;
      // A bar that never started (a wait that was over at the first look) is not worth drawing.
      if (done) return;
      what = kind;
      started = t;
      drawnAt = undefined;
    }
    if (!done && drawnAt !== undefined && t - drawnAt < 100) return;
    drawnAt = t;
    raw(`\r\x1b[K${barLine(LABELS[kind] || kind, percent, t - started, stream.columns || 80, color)}${done ? '\n' : ''}`);
    open = !done;
    if (done) what = '';
  };
}
