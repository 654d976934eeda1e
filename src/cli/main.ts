// The command line: vmcatcher's hook when run without a command, and the commands an administrator runs.
import { Command } from 'commander';
import { exitCodeFor, EXIT, InvalidConfigError, VmcError } from '../errors';
import { parseEvent } from '../event/parse-event';
import { handleEvent, recoverIdentifier } from '../hook/handle-event';
import { listOpenJournals } from '../exec/journal';
import { acquireLock } from '../exec/lock';
import type { Logger } from '../log/logger';
import { bootstrapLogger, CommonOptions, makeRuntime } from './runtime';

declare const __VERSION__: string;
const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : '0.0.0-dev';

function collect(value: string, previous: string[]): string[] {
  return (previous || []).concat([value]);
}

/** The options every command takes (0.0.8's among them). */
function withCommonOptions(cmd: Command): Command {
  return cmd
    .option('-v, --verbose', 'log debug lines too')
    .option('-q, --quiet', 'log warnings and errors only')
    .option('-o, --log-file <file>', 'append log lines to FILE instead of stderr (VMCHNDL_ON_LOG_FILE)')
    .option('--log-format <format>', 'text (0.0.8 line format) or json (VMCHNDL_ON_LOG_FORMAT)')
    .option('-c, --config <file>', 'settings file (default /etc/vmcatcher_eventHndl_ON.conf, or $VMCHNDL_ON_CONFIG)')
    .option('-s, --set <KEY=VALUE>', 'a setting, above the file and the environment (repeatable)', collect, [])
    .option('-l, --log-config-file <file>', 'accepted for compatibility with 0.0.8; not used')
    .option('-g, --generator <name>', 'accepted for compatibility with 0.0.8; not used');
}

interface Io {
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdout: (s: string) => void;
  interactive: boolean;
}

function reportError(e: unknown, log: Logger): number {
  const code = exitCodeFor(e);
  if (e instanceof InvalidConfigError) log.error('config', e.message);
  else if (e instanceof VmcError) log.error('main', e.message);
  else log.error('main', `internal error: ${e instanceof Error ? e.stack || e.message : String(e)}`);
  return code;
}

async function runHook(o: CommonOptions & { dryRun?: boolean; json?: boolean }, io: Io): Promise<number> {
  let log = bootstrapLogger(o);
  try {
    const rt = makeRuntime(o, io.env, io.interactive);
    log = rt.log;
    const event = parseEvent(io.env, io.cwd);
    const res = await handleEvent(event, rt.deps, Boolean(o.dryRun));
    if (o.json && res.plan) io.stdout(JSON.stringify(res.plan, null, 2) + '\n');
    return EXIT.OK;
  } catch (e) {
    return reportError(e, log);
  }
}

async function runRecover(o: CommonOptions & { json?: boolean }, identifiers: string[], io: Io): Promise<number> {
  let log = bootstrapLogger(o);
  try {
    const rt = makeRuntime(o, io.env, io.interactive);
    log = rt.log;
    const ids = identifiers.length ? identifiers : listOpenJournals(rt.config.stateDir);
    const results: { identifier: string; result: string }[] = [];
    for (const id of ids) {
      const lock = await acquireLock(rt.config.stateDir, id, { timeoutMs: rt.config.lockTimeoutMs, sleep: rt.deps.sleep, now: rt.deps.now });
      try {
        results.push({ identifier: id, result: await recoverIdentifier(id, rt.deps) });
      } finally {
        lock.release();
      }
    }
    if (o.json) io.stdout(JSON.stringify({ recovered: results }, null, 2) + '\n');
    else if (!results.length) log.info('recover', 'no interrupted runs: nothing to recover');
    for (const r of results) log.info('recover', `${r.identifier}: ${r.result === 'none' ? 'nothing to recover' : r.result}`);
    return EXIT.OK;
  } catch (e) {
    return reportError(e, log);
  }
}

/** Builds the commander program; `io` is injected so tests can drive it. */
export function buildProgram(io: Io, done: (code: number) => void): Command {
  const program = withCommonOptions(new Command('vmcatcher_eventHndl_ON'))
    .description(
      "vmcatcher's event handler for OpenNebula: registers new images, rotates updated ones and retires expired ones.\n" +
        'Without a command it handles the event vmcatcher passes in VMCATCHER_EVENT_* variables.',
    )
    .version(VERSION, '--version', 'print the version')
    .option('-n, --dry-run', 'observe and print the plan; change nothing')
    .option('--json', 'with --dry-run: print the plan as JSON on stdout')
    .addHelpText(
      'after',
      `
Examples:
  In vmcatcher's configuration (e.g. /etc/sysconfig/vmcatcher or the cron job):
    VMCATCHER_CACHE_EVENT="/usr/bin/vmcatcher_eventHndl_ON"
  Show what an event would do, without changing anything:
    env VMCATCHER_EVENT_TYPE=AvailablePostfix ... vmcatcher_eventHndl_ON --dry-run
  Finish or roll back interrupted runs:
    vmcatcher_eventHndl_ON recover

Exit codes: 0 done or nothing to do, 1 internal error, 2 the operation failed
(rolled back, or left for the next run), 3 invalid event or configuration.`,
    )
    .action(async (o) => done(await runHook(o, io)));

  withCommonOptions(program.command('plan'))
    .description('observe the event in the environment and print what it would do; change nothing')
    .option('--json', 'print the plan as JSON on stdout')
    .addHelpText('after', '\nExample:\n  env $(cat saved-event.env) vmcatcher_eventHndl_ON plan --json')
    .action(async (o) => done(await runHook(Object.assign({}, o, { dryRun: true }), io)));

  withCommonOptions(program.command('recover [identifier...]'))
    .description('finish or roll back runs that were interrupted (a crash, a reboot, oned down); safe at any time')
    .option('--json', 'print what was recovered as JSON on stdout')
    .addHelpText('after', '\nExamples:\n  vmcatcher_eventHndl_ON recover\n  vmcatcher_eventHndl_ON recover 1e2b8099-febf-444f-8078-8942ca3e5210')
    .action(async (ids: string[], o) => done(await runRecover(o, ids, io)));

  program.exitOverride();
  return program;
}

/** Runs the program and resolves with the exit code. */
export function run(argv: string[], io: Io): Promise<number> {
  return new Promise((resolve) => {
    const program = buildProgram(io, resolve);
    program.parseAsync(argv, { from: 'user' }).catch((e: { exitCode?: number; code?: string }) => {
      if (e && e.code === 'commander.helpDisplayed') return resolve(EXIT.OK);
      if (e && e.code === 'commander.version') return resolve(EXIT.OK);
      resolve(e && typeof e.exitCode === 'number' && e.exitCode !== 0 ? EXIT.INVALID : EXIT.OK);
    });
  });
}
