// The bundle's entry point. vmcatcher runs us for every event of every image, and most events need
// nothing: those are answered here with a few small modules. Anything else runs the command line
// (./main), which the build keeps aside in this same file and which is compiled only then.
import { readdirSync, readFileSync, writeSync } from 'fs';
import { runInThisContext } from 'vm';
import { readConfig } from '../config/read-config';
import { ignoredEventMessage } from '../event/event-types';
import { parseEvent } from '../event/parse-event';
import { configuredLogger } from '../log/configured-logger';
import { listQuarantined, listSpool } from '../spool/spool';

/** The line before the command line in the bundle; every line after it is commented out (scripts/build.mjs). */
declare const __COMMAND_LINE_MARK__: string;

type CommandLine = typeof import('./main');

/**
 * The hook's answer to an event it ignores, when nothing is pending and nothing is odd: the same log
 * lines as the command line's (runHook, makeRuntime, handleEvent). False leaves the event to it, which
 * also reports whatever is wrong (a bad event, configuration or log file).
 */
function answerIgnoredEvent(argv: readonly string[], env: NodeJS.ProcessEnv, cwd: string): boolean {
  if (argv.length > 0) return false;
  try {
    const event = parseEvent(env, cwd);
    if (event.kind !== 'ignored') return false;
    const loaded = readConfig({ env, flags: {} });
    const config = loaded.config;
    // At ProcessPrefix and ProcessPostfix the hook retries what is pending; a spool it cannot read is
    // for the command line to report, never "nothing to do".
    if (event.type === 'ProcessPrefix' || event.type === 'ProcessPostfix') {
      if (spoolUnreadable(config.stateDir) || listSpool(config.stateDir).length > 0) return false;
    }
    // Unreadable spool entries are said at every run: the command line does.
    if (listQuarantined(config.stateDir).length > 0) return false;
    const log = configuredLogger(config);
    for (const w of loaded.warnings) log.warn('config', w);
    // With the event's fields, as the command line logs it (runHook).
    (event.identifier ? log.with({ identifier: event.identifier, event: event.type }) : log).info('main', ignoredEventMessage(event.type, event.identifier, 0));
    return true;
  } catch (_) {
    return false;
  }
}

function spoolUnreadable(stateDir: string): boolean {
  try {
    readdirSync(`${stateDir}/spool`);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

/** Compiles the command line from the commented-out part of this file, keeping its line numbers. */
function loadCommandLine(): CommandLine {
  const text = readFileSync(__filename, 'utf8');
  const mark = __COMMAND_LINE_MARK__;
  // The code above holds the mark too, in quotes: the real one is a line of its own.
  let at = text.indexOf(mark);
  while (at >= 0 && !(text.charAt(at - 1) === '\n' && text.charAt(at + mark.length) === '\n')) at = text.indexOf(mark, at + 1);
  if (at < 0) throw new Error(`${__filename} has no command line part: reinstall vmcatcher_eventHndl_ON`);
  const head = text.slice(0, at + mark.length + 1);
  const code = text.slice(head.length).replace(/^\/\//gm, '');
  const wrapper = runInThisContext(`(function (exports, require, module, __filename, __dirname) {\n${code}\n})`, {
    filename: __filename,
    lineOffset: head.split('\n').length - 2,
  });
  const mod = { exports: {} as CommandLine };
  wrapper.call(mod.exports, mod.exports, require, mod, __filename, __dirname);
  return mod.exports;
}

/** The last resort: an error nothing else caught ends the run with exit 1 and one line on stderr, never 0. */
function lastResort(what: string): (e: unknown) => void {
  return (e) => {
    const text = (e instanceof Error ? e.message || e.name : String(e)).replace(/\r?\n/g, '\\n');
    try {
      writeSync(2, `vmcatcher_eventHndl_ON: internal error (${what}): ${text}\n`);
    } catch (_) {
      // Nobody reads stderr: the exit code still says it.
    }
    process.exit(1);
  };
}

process.on('uncaughtException', lastResort('uncaught exception'));
process.on('unhandledRejection', lastResort('unhandled rejection'));

if (!answerIgnoredEvent(process.argv.slice(2), process.env, process.cwd())) {
  loadCommandLine()
    .run(process.argv.slice(2), {
      env: process.env,
      cwd: process.cwd(),
      stdout: (s) => process.stdout.write(s),
      interactive: Boolean(process.stdin.isTTY && process.stderr.isTTY),
    })
    .then((code) => {
      process.exitCode = code;
    }, lastResort('command line'));
}
