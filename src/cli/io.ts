// What a command may touch of the process: injected, so tests can drive the command line in-process.
import { exitCodeFor, InvalidConfigError, VmcError } from '../errors';
import type { Logger } from '../log/logger';

export interface Io {
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdout: (s: string) => void;
  /** Where a last-resort message goes; fd 2 when not given. */
  stderr?: (s: string) => void;
  /** stdin and stderr are terminals: a person is watching. */
  interactive: boolean;
}

/** The one place errors become log lines and exit codes. */
export function reportError(e: unknown, log: Logger): number {
  const code = exitCodeFor(e);
  if (e instanceof InvalidConfigError) {
    const fields = { code: e.code, exitCode: code };
    log.error('config', `invalid configuration (${e.problems.length} problem${e.problems.length === 1 ? '' : 's'}):`, fields);
    for (const p of e.problems) log.error('config', `  ${p}`, fields);
  }
  else if (e instanceof VmcError) log.error('main', e.message, { code: e.code, exitCode: code, detail: e.detail });
  else log.error('main', `internal error: ${e instanceof Error ? e.stack || e.message : String(e)}`, { code: 'INTERNAL', exitCode: code });
  return code;
}
