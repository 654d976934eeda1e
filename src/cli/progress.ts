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

/** A live bar on a terminal (stderr), redrawn in place; log lines still go to the logger. */
export function ttyProgress(stream: NodeJS.WriteStream, color: boolean): Progress {
  let current = '';
  return (what, percent, detail) => {
    const label = LABELS[what] || what;
    if (percent === undefined) {
      if (detail) stream.write(`\r\x1b[K${label}: ${detail}`);
      return;
    }
    const width = 30;
    const filled = Math.round((Math.max(0, Math.min(100, percent)) / 100) * width);
    const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
    const line = `${label} [${color ? `\x1b[32m${bar}\x1b[0m` : bar}] ${percent.toFixed(1)} %`;
    if (line === current) return;
    current = line;
    stream.write(`\r\x1b[K${line}${percent >= 100 ? '\n' : ''}`);
  };
}
