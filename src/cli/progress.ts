// Progress for people and for logs: a live bar on a TTY, otherwise a log line at most every 10 % or 30 s.
import type { Progress } from '../exec/context';
import type { Logger } from '../log/logger';

const LABELS: Record<string, string> = { convert: 'converting', checksum: 'checking sha512', ready: 'waiting for READY' };

/** A progress reporter that writes log lines, sparingly. */
export function logProgress(log: Logger, now: () => number): Progress {
  const last: Record<string, { pct: number; at: number }> = {};
  return (what, percent, detail) => {
    const label = LABELS[what] || what;
    if (percent === undefined) {
      if (detail) log.info('progress', `${label}: ${detail}`);
      return;
    }
    const prev = last[what];
    const t = now();
    if (!prev || percent >= 100 || percent - prev.pct >= 10 || t - prev.at >= 30000) {
      if (prev && prev.pct >= 100 && percent >= 100) return;
      last[what] = { pct: percent, at: t };
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
 * A live bar on a terminal (stderr), redrawn in place at most 10 times a second. Anything else
 * written to the stream while a bar is open (a log line, a warning) first ends the bar's line, so
 * log lines never run into the bar; the next update draws the bar again below them.
 */
export function ttyProgress(stream: NodeJS.WriteStream, color: boolean, now: () => number = Date.now): Progress {
  const raw: Write = (stream.write as Write).bind(stream);
  let open = false;
  const patched: Write = (chunk, ...rest) => {
    if (open) {
      open = false;
      raw('\n');
    }
    return raw(chunk, ...rest);
  };
  (stream as unknown as { write: Write }).write = patched;

  let what = '';
  let started = 0;
  let drawnAt = 0;
  let lastLine = '';
  return (kind, percent, detail) => {
    const label = LABELS[kind] || kind;
    const t = now();
    if (kind !== what || (percent !== undefined && percent < 100 && lastLine === '')) {
      if (open) raw('\n');
      open = false;
      what = kind;
      started = t;
      drawnAt = 0;
      lastLine = '';
    }
    if (percent === undefined) {
      if (detail) {
        raw(`${open ? '\r\x1b[K' : ''}${label}: ${detail}\n`);
        open = false;
        lastLine = '';
      }
      return;
    }
    const done = percent >= 100;
    if (!done && drawnAt && t - drawnAt < 100) return;
    const line = barLine(label, percent, t - started, stream.columns || 80, color);
    if (line === lastLine) return;
    drawnAt = t;
    lastLine = done ? '' : line;
    raw(`\r\x1b[K${line}${done ? '\n' : ''}`);
    open = !done;
    if (done) what = '';
  };
}
