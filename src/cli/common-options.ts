// The options every command takes, 0.0.8's among them.
import { Command } from 'commander';

function collect(value: string, previous: string[]): string[] {
  return (previous || []).concat([value]);
}

/** Adds the common options to a command. */
export function withCommonOptions(cmd: Command): Command {
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
