// The lock of one identifier for a run of the handler: waiting and a stale holder are said in the log.
import { acquireLock, Lock } from '../exec/lock';
import type { HookDeps } from './deps';

/** Takes the identifier's lock, waiting up to `timeoutMs` (default VMCHNDL_ON_LOCK_TIMEOUT); 0 gives up at once. */
export function lockIdentifier(identifier: string, deps: HookDeps, timeoutMs: number = deps.config.lockTimeoutMs): Promise<Lock> {
  return acquireLock(deps.config.stateDir, identifier, {
    timeoutMs,
    sleep: deps.sleep,
    now: deps.now,
    onWait: (who) => deps.log.info('lock', `waiting for ${who}, which is handling ${identifier}`),
    onStale: (who) => deps.log.warn('lock', `took over the lock for ${identifier} left by ${who}, which is gone`),
  });
}
