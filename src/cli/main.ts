// The command line: vmcatcher's hook when run without a command, and the commands an administrator runs.
// Each command lives in commands/<name>.ts; this file only wires them to commander.
import { Command } from 'commander';
import { writeSync } from 'fs';
import { EXIT } from '../errors';
import { runAdopt } from './commands/adopt';
import { runPrune } from './commands/prune';
import { runCheck } from './commands/check';
import { runConfig } from './commands/config';
import { runDoctor } from './commands/doctor';
import { runHistory } from './commands/history';
import { runHook } from './commands/hook';
import { runPlan } from './commands/plan';
import { runRecover } from './commands/recover';
import { runReplay } from './commands/replay';
import { runStatus } from './commands/status';
import { runTemplate } from './commands/template';
import { runForget, runPending, runRetry } from './commands/spool-commands';
import { withCommonOptions } from './common-options';
import { suggestName } from './suggest';
import type { Io } from './io';

declare const __VERSION__: string;
const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : '0.0.0-dev';

/** Builds the commander program; `io` is injected so tests can drive it. */
export function buildProgram(io: Io, done: (code: number) => void): Command {
  const program = withCommonOptions(new Command('vmcatcher_eventHndl_ON'))
    .description(
      "vmcatcher's event handler for OpenNebula: registers new images, rotates updated ones and retires expired ones.\n" +
        'Without a command it handles the event vmcatcher passes in VMCATCHER_EVENT_* variables.',
    )
    .version(VERSION, '--version', 'print the version')
    // Options after a command belong to that command (both have --json, for instance).
    .enablePositionalOptions()
    .option('-n, --dry-run', 'observe and print the plan; change nothing')
    .option('--json', 'print the plan (with --dry-run) or the outcome as JSON on stdout')
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
(rolled back, or left for the next run), 3 invalid event or configuration, or a decision
only the admin can make (several images could be current: see \`adopt\`).`,
    )
    .action(async (o, cmd: Command) => {
      // Without a command the program is the hook, which takes no arguments: a word here is a mistyped command.
      if (cmd.args.length) {
        const names = program.commands.map((c) => c.name());
        const hint = suggestName(cmd.args[0], names);
        program.error(`error: unknown command '${cmd.args[0]}'${hint ? ` (did you mean '${hint}'?)` : ''}; see \`vmcatcher_eventHndl_ON --help\``, {
          exitCode: EXIT.INVALID,
          code: 'commander.unknownCommand',
        });
      }
      done(await runHook(o, io));
    });
  // Subcommands inherit this when created after it: a bad option or argument anywhere is exit 3, not process.exit(1).
  program.exitOverride();
  program.helpCommand(true);

  withCommonOptions(program.command('plan [identifier]'))
    .description(
      'observe an event and print, on stdout, what it would do; change nothing. The event comes from the environment (as vmcatcher sets it) ' +
        'or from a saved one (--env-file)',
    )
    .option('--env-file <file>', 'a saved event: KEY=VALUE lines as `env` prints them (comments allowed), or JSON lines as vmcatcher_eventHndlExpl writes (the identifier picks one)')
    .option('--cache-dir <dir>', "with --env-file: vmcatcher's cache directory, if it is not where the saved event says")
    .option('--json', 'print the plan as JSON on stdout')
    .addHelpText(
      'after',
      `
Examples:
  What would a saved event do (an \`env\` dump, as in vmcatcher's test dumps)?
    vmcatcher_eventHndl_ON plan --env-file saved.env
  The steps as data (each with its description):
    vmcatcher_eventHndl_ON plan --env-file saved.env --json | jq -r '.steps[].description'
  The event in the environment, as vmcatcher sets it:
    env VMCATCHER_EVENT_TYPE=AvailablePostfix VMCATCHER_EVENT_DC_IDENTIFIER=1e2b8099-febf-444f-8078-8942ca3e5210 \\
        VMCATCHER_EVENT_FILENAME=1e2b8099-febf-444f-8078-8942ca3e5210 VMCATCHER_CACHE_DIR_CACHE=/var/lib/vmcatcher/cache \\
        vmcatcher_eventHndl_ON plan
  An image in vmcatcher's cache: see \`replay --dry-run\`.`,
    )
    .action(async (id: string | undefined, o) => done(await runPlan(o, id, io)));

  withCommonOptions(program.command('replay [identifier]'))
    .description(
      "handle an image's event again, exactly as the hook would (same lock, spool and journal): rebuilt from vmcatcher's " +
        'cache.index (AvailablePostfix), or read from a saved event with --env-file',
    )
    .option('--cache-dir <dir>', "vmcatcher's cache directory, holding cache.index (default $VMCATCHER_CACHE_DIR_CACHE)")
    .option('--env-file <file>', 'replay a saved event: KEY=VALUE lines as `env` prints them, or JSON lines as vmcatcher_eventHndlExpl writes')
    .option('--type <type>', 'the event type to replay (default AvailablePostfix, or the saved one), e.g. ExpirePostfix')
    .option('-n, --dry-run', 'observe and print the plan; change nothing')
    .option('--json', 'print the plan (with --dry-run) or the outcome as JSON on stdout')
    .addHelpText(
      'after',
      `
Examples:
  Register or rotate an image from vmcatcher's cache, as vmcatcher's AvailablePostfix would:
    VMCATCHER_CACHE_DIR_CACHE=/var/lib/vmcatcher/cache vmcatcher_eventHndl_ON replay 1e2b8099-febf-444f-8078-8942ca3e5210
  First look at what it would do:
    vmcatcher_eventHndl_ON replay --cache-dir /var/lib/vmcatcher/cache 1e2b8099-febf-444f-8078-8942ca3e5210 --dry-run
  Retire it as an expiry would (asks vmcatcher_image whether it is still subscribed):
    vmcatcher_eventHndl_ON replay --cache-dir /var/lib/vmcatcher/cache 1e2b8099-febf-444f-8078-8942ca3e5210 --type ExpirePostfix
  Replay an event saved with \`env > event.env\`, or the last one of an image in vmcatcher_eventHndlExpl's log:
    vmcatcher_eventHndl_ON replay --env-file event.env
    vmcatcher_eventHndl_ON replay --env-file /var/log/vmcatcher/events.jsonl 1e2b8099-febf-444f-8078-8942ca3e5210 --dry-run --json`,
    )
    .action(async (id: string | undefined, o) => done(await runReplay(o, id, io)));

  withCommonOptions(program.command('status [identifier...]'))
    .description(
      'show, per image list entry, the current image and its retired versions in OpenNebula (owner, mode, state, VMs, version) ' +
        'and pending events; without identifiers every image this tool manages. Reads only.',
    )
    .option('--json', 'print the report as JSON on stdout')
    .option('--csv', 'one line per image, comma-separated (full names), for scripts and spreadsheets')
    .option('--no-header', 'leave out the header lines of the tables (and of --csv)')
    .option('--cache-dir <dir>', "vmcatcher's cache directory: its cache.index tells a mistyped identifier from an image not registered yet (default $VMCATCHER_CACHE_DIR_CACHE)")
    .addHelpText(
      'after',
      `
Exit status: 0 fine, 2 something needs an administrator (an interrupted run, an event that failed
VMCHNDL_ON_RETRY_WARN_AFTER times, several images that look current) or oned could not be asked,
3 an identifier asked for is known neither to OpenNebula nor to the spool (nor to cache.index).

Examples:
  vmcatcher_eventHndl_ON status
  vmcatcher_eventHndl_ON status --csv --no-header | cut -d, -f1,3,8
  vmcatcher_eventHndl_ON status 1e2b8099-febf-444f-8078-8942ca3e5210
  vmcatcher_eventHndl_ON status --json | jq -r '.identifiers[] | [.identifier, .current.id, .current.version] | @tsv'`,
    )
    .action(async (ids: string[], o) => done(await runStatus(o, ids, io)));

  withCommonOptions(program.command('recover [identifier...]'))
    .description('finish or roll back runs that were interrupted (a crash, a reboot, oned down); safe at any time')
    .option('--json', 'print what was recovered as JSON on stdout')
    .option('--abandon', 'first close the interrupted or waiting runs of the given images without finishing them (what is left undone is logged; OpenNebula is not changed)')
    .addHelpText(
      'after',
      '\nExamples:\n  vmcatcher_eventHndl_ON recover\n  vmcatcher_eventHndl_ON recover 1e2b8099-febf-444f-8078-8942ca3e5210\n  vmcatcher_eventHndl_ON recover --abandon 1e2b8099-febf-444f-8078-8942ca3e5210',
    )
    .action(async (ids: string[], o) => done(await runRecover(o, ids, io)));

  withCommonOptions(program.command('pending'))
    .description('list the events kept in the spool: not yet processed, or failed and waiting for a retry')
    .option('--json', 'print them as JSON on stdout')
    .addHelpText('after', '\nExamples:\n  vmcatcher_eventHndl_ON pending\n  vmcatcher_eventHndl_ON pending --json | jq .pending[].identifier')
    .action(async (o) => done(await runPending(o, io)));

  withCommonOptions(program.command('retry [identifier...]'))
    .description('process pending events now (all, or those of the given images), without waiting for the back-off')
    .option('--json', "print each event's outcome as JSON on stdout")
    .addHelpText('after', '\nExamples:\n  vmcatcher_eventHndl_ON retry\n  vmcatcher_eventHndl_ON retry 1e2b8099-febf-444f-8078-8942ca3e5210')
    .action(async (ids: string[], o) => done(await runRetry(o, ids, io)));

  withCommonOptions(program.command('forget <identifier>'))
    .description("drop an image's pending events from the spool (asks first); OpenNebula is not changed")
    .option('-y, --yes', 'do not ask')
    .option('--json', 'print the events dropped as JSON on stdout')
    .addHelpText('after', '\nExample:\n  vmcatcher_eventHndl_ON forget 1e2b8099-febf-444f-8078-8942ca3e5210 --yes')
    .action(async (id: string, o) => done(await runForget(o, id, io)));

  withCommonOptions(program.command('adopt <identifier> <image-id>'))
    .description(
      "record which image is an identifier's current one (where the handler has no record and several images could be), " +
        'then process the events that waited for this decision; changes nothing else in OpenNebula',
    )
    .option('--json', 'print what was adopted and processed as JSON on stdout')
    .addHelpText(
      'after',
      '\nExamples:\n  vmcatcher_eventHndl_ON status 1e2b8099-febf-444f-8078-8942ca3e5210      # which images are candidates\n' +
        '  vmcatcher_eventHndl_ON adopt 1e2b8099-febf-444f-8078-8942ca3e5210 42',
    )
    .action(async (id: string, image: string, o) => done(await runAdopt(o, id, image, io)));

  withCommonOptions(program.command('prune [identifier...]'))
    .description(
      'delete the retired versions of images beyond the newest VMCHNDL_ON_KEEP_RETIRED (or --keep) that the handler registered and retired itself, ' +
        'that no VM uses, that are not persistent or locked and that were retired at least VMCHNDL_ON_PRUNE_MIN_AGE ago; each is checked again just before it goes. ' +
        'Without identifiers every image the handler has a record of',
    )
    .option('-n, --dry-run', 'say what would be deleted, and why every other retired version stays; change nothing')
    .option('--keep <n>', 'how many retired versions to keep (instead of VMCHNDL_ON_KEEP_RETIRED, which prune otherwise requires)')
    .option('--json', 'print each retired version with its verdict and reason as JSON on stdout')
    .addHelpText(
      'after',
      '\nExamples:\n  vmcatcher_eventHndl_ON prune --dry-run\n  vmcatcher_eventHndl_ON prune 1e2b8099-febf-444f-8078-8942ca3e5210\n' +
        "  vmcatcher_eventHndl_ON prune --keep 2 --dry-run --json | jq -r '.identifiers[].verdicts[] | select(.delete) | .id'",
    )
    .action(async (ids: string[], o) => done(await runPrune(o, ids, io)));
  withCommonOptions(program.command('template <identifier>'))
    .description(
      "create the appliance's VM template (VMCHNDL_ON_TEMPLATE=yes) for its current image, also when an administrator deleted the one the handler made; " +
        'or repair it: point it at the current image, give it the image\'s group and mode. Under the image\'s lock, journalled like an event',
    )
    .option('-n, --dry-run', 'observe and print the plan; change nothing')
    .option('--json', 'print the plan (with --dry-run) or the outcome as JSON on stdout')
    .option('--cache-dir <dir>', "vmcatcher's cache directory, whose cache.index gives the appliance's minimum memory and CPUs (default $VMCATCHER_CACHE_DIR_CACHE)")
    .addHelpText(
      'after',
      '\nExamples:\n  vmcatcher_eventHndl_ON template 1e2b8099-febf-444f-8078-8942ca3e5210 --dry-run\n' +
        '  vmcatcher_eventHndl_ON template 1e2b8099-febf-444f-8078-8942ca3e5210 --json | jq .template',
    )
    .action(async (id: string, o) => done(await runTemplate(o, id, io)));

  withCommonOptions(program.command('drain'))
    .description('process the spool (queue mode, VMCHNDL_ON_QUEUE=yes): every pending event whose back-off has passed')
    .option('--json', "print each event's outcome as JSON on stdout")
    .addHelpText('after', '\nExample (cron, every 5 minutes):\n  */5 * * * * oneadmin /usr/bin/vmcatcher_eventHndl_ON drain -q')
    .action(async (o) => done(await runRetry(o, [], io, true)));

  withCommonOptions(program.command('doctor'))
    .description(
      'check everything the handler needs before an event needs it: settings, credentials, oned, the datastore and the directories it copies from, ' +
        'qemu-img, vmcatcher_image, the time zone, the spool and journals. One line per check (OK, WARN or FAIL with the fix); changes nothing',
    )
    .option('--json', 'print the checks as JSON on stdout')
    .option('--cache-dir <dir>', "vmcatcher's cache directory, to compare the datastore's free space with its largest image (default $VMCATCHER_CACHE_DIR_CACHE)")
    .addHelpText(
      'after',
      `
Examples:
  As the user vmcatcher runs the handler as (normally oneadmin):
    vmcatcher_eventHndl_ON doctor --cache-dir /var/lib/vmcatcher/cache
  Only what is wrong:
    vmcatcher_eventHndl_ON doctor --json | jq -r '.checks[] | select(.status != "ok") | "\\(.id): \\(.fix)"'

Exit status: 0 nothing failed (warnings allowed), 2 a check failed, 3 bad arguments.`,
    )
    .action(async (o) => done(await runDoctor(o, io)));

  withCommonOptions(program.command('check'))
    .description(
      'monitoring probe (Nagios plugin convention): one line OK|WARNING|CRITICAL|UNKNOWN - ... with performance data, exit 0/1/2/3; ' +
        'or --format prometheus for the node_exporter textfile collector. Reads the state directory only',
    )
    .option('--format <format>', 'nagios (default) or prometheus')
    .option('--oned', 'also ask oned its version: CRITICAL when it does not answer')
    .option('--pending-warn <n>', 'WARNING above this many pending events (default 10; \'\' for none)')
    .option('--pending-crit <n>', 'CRITICAL above this many pending events (default 50)')
    .option('--age-warn <seconds>', 'WARNING when the oldest pending event is older (default 21600)')
    .option('--age-crit <seconds>', 'CRITICAL when the oldest pending event is older (default 86400)')
    .option('--interrupted-warn <n>', 'WARNING above this many interrupted runs (default 0)')
    .option('--interrupted-crit <n>', 'CRITICAL above this many interrupted runs (default none)')
    .option('--errors-warn <n>', 'WARNING above this many events that failed VMCHNDL_ON_RETRY_WARN_AFTER times (default none)')
    .option('--errors-crit <n>', 'CRITICAL above this many such events (default 0)')
    .addHelpText(
      'after',
      `
Examples:
  As a Nagios/Icinga command (run as the handler's user, e.g. through NRPE or sudo -u oneadmin):
    vmcatcher_eventHndl_ON check --pending-warn 5 --age-crit 43200
  For node_exporter's textfile collector, from cron:
    vmcatcher_eventHndl_ON check --format prometheus > /var/lib/node_exporter/vmcatcher.prom.$$ && mv /var/lib/node_exporter/vmcatcher.prom.$$ /var/lib/node_exporter/vmcatcher.prom

Exit status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (the plugin convention; with --format prometheus 0 unless UNKNOWN).`,
    )
    .action(async (o) => done(await runCheck(o, io)));

  withCommonOptions(program.command('history <identifier>'))
    .description(
      'what happened to an image, newest first, from the journals the handler keeps: when, which event, which images, the outcome and the error; ' +
        'then its pending events. Reads only',
    )
    .option('--json', 'print the runs as JSON on stdout')
    .addHelpText(
      'after',
      `
Examples:
  vmcatcher_eventHndl_ON history 1e2b8099-febf-444f-8078-8942ca3e5210
  vmcatcher_eventHndl_ON history 1e2b8099-febf-444f-8078-8942ca3e5210 --json | jq -r '.runs[] | [.startedAt, .outcome, .newImage] | @tsv'`,
    )
    .action(async (id: string, o) => done(await runHistory(o, id, io)));

  withCommonOptions(program.command('config'))
    .description(
      'show the effective settings and where each came from (file:line, environment, -s, default), and where oned and the credentials are found; ' +
        'secrets masked. Contacts nothing',
    )
    .option('--json', 'print them as JSON on stdout')
    .addHelpText(
      'after',
      `
Examples:
  vmcatcher_eventHndl_ON config
  Where does the staging directory come from?
    vmcatcher_eventHndl_ON config --json | jq '.settings[] | select(.key == "VMCHNDL_ON_STAGING_DIR")'`,
    )
    .action(async (o) => done(await runConfig(o, io)));

  // Only the program itself (not its commands, which inherit settings made before they exist): see its action.
  program.allowExcessArguments(true);
  return program;
}

function writeStderr(s: string): void {
  try {
    writeSync(2, s);
  } catch (_) {
    // Nobody reads stderr: the exit code still says it.
  }
}

/** One line for an unexpected error: its message, else what it is. */
export function describeError(e: unknown): string {
  const text = e instanceof Error ? e.message || e.name : String(e);
  return text.replace(/\r?\n/g, '\\n');
}

/** Runs the program and resolves with the exit code. */
export function run(argv: string[], io: Io): Promise<number> {
  return new Promise((resolve) => {
    const program = buildProgram(io, resolve);
    program.parseAsync(argv, { from: 'user' }).catch((e: { exitCode?: number; code?: string }) => {
      if (e && (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help')) return resolve(EXIT.OK);
      // commander's own errors (unknown option, missing argument) carry an exit code: wrong arguments.
      if (e && typeof e.code === 'string' && e.code.indexOf('commander.') === 0 && typeof e.exitCode === 'number') {
        return resolve(e.exitCode !== 0 ? EXIT.INVALID : EXIT.OK);
      }
      // Anything else escaped a command's own error handling: never an exit 0.
      (io.stderr || writeStderr)(`vmcatcher_eventHndl_ON: internal error: ${describeError(e)}\n`);
      resolve(EXIT.INTERNAL);
    });
  });
}
