// Log lines in 0.0.8's format (`time;   LEVEL; vmcatcher_eventHndl_ON; where -- message`) or JSON lines.
import { openSync, writeSync } from 'fs';
import { redact } from './redact';

export type LogLevel = 'debug' | 'info' | 'warning' | 'error';
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warning: 30, error: 40 };
const PROGRAM = 'vmcatcher_eventHndl_ON';

export interface LogSink {
  write(line: string): void;
}

/**
 * What a record is about, as JSON fields: written in JSON lines only (the text line says it in words).
 * `detail` is the long part of a message (paths, the step): a JSON field, and in text a DEBUG line (-v).
 */
export interface LogFields {
  identifier?: string;
  /** The event type, e.g. AvailablePostfix. */
  event?: string;
  run?: string;
  /** The image acted on. */
  image?: number;
  /** 1-based step number in its plan, and the step's kind. */
  step?: number;
  stepKind?: string;
  /** The error's code (src/errors.ts), and its exit code. */
  code?: string;
  exitCode?: number;
  detail?: string;
  [key: string]: unknown;
}

export interface Logger {
  debug(where: string, message: string, data?: LogFields): void;
  info(where: string, message: string, data?: LogFields): void;
  warn(where: string, message: string, data?: LogFields): void;
  error(where: string, message: string, data?: LogFields): void;
  /** The same logger, its records carrying these fields too (a run's identifier and event, a step's number). */
  with(fields: LogFields): Logger;
  /** Adds strings that must never be written (set once the session is known). */
  addSecrets(secrets: readonly string[]): void;
}

export interface LoggerOptions {
  level: LogLevel;
  format: 'text' | 'json';
  sink: LogSink;
  secrets?: readonly string[];
  clock?: () => number;
}

function pad(n: number, w = 2): string {
  let s = String(n);
  while (s.length < w) s = '0' + s;
  return s;
}

/** Python logging's asctime: local `YYYY-mm-dd HH:MM:SS,mmm`. */
export function asctime(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())},${pad(d.getMilliseconds(), 3)}`;
}

function textLine(now: number, level: LogLevel, where: string, message: string): string {
  const lvl = level.toUpperCase();
  // One record a line: a message with newlines stays one line.
  return `${asctime(now)}; ${'        '.slice(lvl.length)}${lvl}; ${PROGRAM}; ${where} -- ${message.replace(/\r?\n/g, '\\n')}`;
}

/** A logger that writes each line through the redaction function. */
export function createLogger(opts: LoggerOptions): Logger {
  return withFields(opts, (opts.secrets || []).slice(), {});
}

function withFields(opts: LoggerOptions, secrets: string[], base: LogFields): Logger {
  const clock = opts.clock || Date.now;
  const emit = (level: LogLevel, where: string, message: string, data?: LogFields) => {
    if (RANK[level] < RANK[opts.level]) return;
    const now = clock();
    const fields: LogFields = Object.assign({}, base, data || {});
    const lines: string[] = [];
    if (opts.format === 'json') {
      const record = Object.assign({ time: new Date(now).toISOString(), level: level.toUpperCase(), program: PROGRAM, where, message }, fields);
      // Fields left unknown (undefined) are left out, as JSON.stringify does.
      lines.push(JSON.stringify(record));
    } else {
      lines.push(textLine(now, level, where, message));
      // The detail of a short message: at -v only, right under it.
      if (fields.detail && RANK.debug >= RANK[opts.level]) lines.push(textLine(now, 'debug', where, `  ${fields.detail}`));
    }
    for (const line of lines) opts.sink.write(redact(line, secrets) + '\n');
  };
  return {
    debug: (w, m, d) => emit('debug', w, m, d),
    info: (w, m, d) => emit('info', w, m, d),
    warn: (w, m, d) => emit('warning', w, m, d),
    error: (w, m, d) => emit('error', w, m, d),
    with: (fields) => withFields(opts, secrets, Object.assign({}, base, fields)),
    addSecrets: (s) => {
      for (const x of s) if (x && secrets.indexOf(x) < 0) secrets.push(x);
    },
  };
}

/**
 * Writes to stderr, straight to file descriptor 2: process.stderr would load Node's stream modules,
 * a tenth of the time the hook takes for an event it ignores (bench/RESULTS.md, start-up).
 */
export function stderrSink(): LogSink {
  let stream = false;
  return {
    write: (line) => {
      if (stream) {
        process.stderr.write(line);
        return;
      }
      const bytes = Buffer.from(line, 'utf8');
      let done = 0;
      while (done < bytes.length) {
        try {
          done += writeSync(2, bytes, done, bytes.length - done);
        } catch (e) {
          // A non-blocking pipe that is full: from now on Node's stream waits for it, in order.
          if ((e as NodeJS.ErrnoException).code === 'EAGAIN') {
            stream = true;
            process.stderr.write(bytes.slice(done));
          }
          // Anything else (EPIPE, EBADF): nobody reads stderr, and there is nowhere to say so.
          return;
        }
      }
    },
  };
}

/**
 * Appends to a log file (created 0640), synchronously so that a crash loses no line. A file that
 * cannot be opened or written (a full disk, a read-only or missing directory) never stops the work:
 * `onFail` is told why, once, and that line and every later one go to `fallback` instead.
 */
export function fileSink(path: string, fallback: LogSink, onFail: (why: string) => void): LogSink {
  let fd: number | undefined;
  let failed = false;
  const fail = (e: unknown, line: string) => {
    failed = true;
    const code = (e as NodeJS.ErrnoException).code;
    const message = (e as Error).message || String(e);
    onFail(code && message.indexOf(code) !== 0 ? `${code}: ${message}` : message);
    fallback.write(line);
  };
  return {
    write: (line) => {
      if (failed) return fallback.write(line);
      try {
        if (fd === undefined) fd = openSync(path, 'a', 0o640);
        const bytes = Buffer.from(line, 'utf8');
        let done = 0;
        // A write may be short (a disk filling up): the rest is written or the error is thrown.
        while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
      } catch (e) {
        fail(e, line);
      }
    },
  };
}

/** A sink that keeps lines in memory (tests, `--json` summaries). */
export function memorySink(): LogSink & { lines: string[] } {
  const lines: string[] = [];
  return { lines, write: (l) => lines.push(l) };
}
