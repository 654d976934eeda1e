// An event that arrives while the configuration is invalid is kept in the spool (exit 3 all the same),
// to be processed once the administrator has fixed it: vmcatcher sends each event only once.
import { InvalidConfigError } from '../errors';
import { readStateDirAnyway, ConfigSources } from '../config/read-config';
import { parseEvent } from '../event/parse-event';
import { stateDirProblem } from '../files/state-dir';
import type { Logger } from '../log/logger';
import { spoolEvent } from '../spool/spool';

/**
 * Spools the event in the environment when it is one to act on and a state directory can be found
 * (its own setting when valid, else the default); returns the configuration error to report, with
 * what became of the event.
 */
export function keepDespiteConfig(err: InvalidConfigError, src: ConfigSources, cwd: string, log: Logger): InvalidConfigError {
  let event;
  try {
    event = parseEvent(src.env, cwd);
  } catch (_) {
    // An invalid event is not kept either way: the configuration error is what to fix first.
    return err;
  }
  if (event.kind === 'ignored') return err;
  const stateDir = readStateDirAnyway(src);
  const problem = stateDirProblem(stateDir, 'write');
  if (problem) {
    return new InvalidConfigError(err.problems.concat([`VMCHNDL_ON_STATE_DIR: ${problem}: ${event.type} for ${event.identifier} could not be kept either`]));
  }
  try {
    spoolEvent(stateDir, event, Date.now());
  } catch (e) {
    return new InvalidConfigError(err.problems.concat([`${event.type} for ${event.identifier} could not be kept in ${stateDir}: ${(e as Error).message}`]));
  }
  log.warn(
    'spool',
    `${event.type} for ${event.identifier} is kept in ${stateDir}/spool and will be processed once the configuration is fixed: ` +
      'at the next vmcatcher run (ProcessPrefix/ProcessPostfix) or by `vmcatcher_eventHndl_ON retry`',
  );
  return err;
}
