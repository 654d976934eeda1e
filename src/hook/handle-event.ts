// One event from vmcatcher, start to end: store it, then process what is pending for its image.
import { formatLocalTime } from '../clock/local-time';
import { AdminDecisionError, InvalidConfigError, OperationFailedError, VmcError } from '../errors';
import { ignoredEventMessage } from '../event/event-types';
import type { Event } from '../event/parse-event';
import { Journal } from '../exec/journal';
import { mayHoldState, requireStateDir } from '../files/state-dir';
import { validateRetirableIdentifier } from '../plan/retired-name';
import type { Plan } from '../plan/types';
import { ensureBaseline } from '../record/record';
import { listSpool, spoolDir, spooledIdentifiers, spoolEvent, SpoolEntry } from '../spool/spool';
import type { HookDeps } from './deps';
import { logPlan, planEvent } from './plan-event';
import { nextAttemptAt } from '../spool/retry-policy';
import { EntryResult, processIdentifier, retryPolicy } from './process-identifier';
import { warnUnreadableEntries } from './spool-warnings';

export type { HookDeps } from './deps';
export { recoverIdentifier } from './plan-event';

export interface HookResult {
  readonly event: Event;
  readonly plan?: Plan;
  readonly outcome: 'ignored' | 'queued' | 'processed' | 'planned' | 'retried';
  readonly results?: readonly EntryResult[];
}

/** Automatic retries (at ProcessPrefix/ProcessPostfix, by drain): due entries of every identifier. */
export async function retryPending(deps: HookDeps, ignoreBackoff: boolean, only?: readonly string[]): Promise<EntryResult[]> {
  const ids = spooledIdentifiers(deps.config.stateDir).filter((id) => !only || only.indexOf(id) >= 0);
  const all: EntryResult[] = [];
  for (const id of ids) all.push(...(await processIdentifier(id, deps, { ignoreBackoff, noWait: !ignoreBackoff, automatic: !ignoreBackoff })));
  const waiting = all.filter((r) => r.outcome === 'waiting');
  if (waiting.length) {
    const policy = retryPolicy(deps);
    const next = Math.min(...waiting.map((r) => nextAttemptAt(r.entry, policy)));
    const behind = all.filter((r) => r.outcome === 'blocked').length;
    deps.log.info(
      'spool',
      `${waiting.length} pending event(s) not due yet (back-off)${behind ? `, ${behind} more queued behind them` : ''}; the next is due at ${formatLocalTime(next)}; \`vmcatcher_eventHndl_ON retry\` tries now`,
    );
  }
  return all;
}

// A configuration problem found while processing (auth file, endpoint, datastore) keeps its exit code, 3,
// although the event is kept: it waits in the spool until the administrator fixes the configuration.
function failure(message: string, cause: unknown): Error {
  if (cause instanceof InvalidConfigError) return new InvalidConfigError(cause.problems.concat([message]));
  // Likewise a decision only the administrator can make (`adopt`): exit 3, the event waits for it.
  if (cause instanceof AdminDecisionError) return new AdminDecisionError(`${message}: ${cause.message}`);
  return new OperationFailedError(message, cause);
}

/** Throws when any entry failed, naming them: the exit code says the work is not done. */
export function failIfAnyFailed(results: readonly EntryResult[], what: string): void {
  const failed = results.filter((r) => r.outcome === 'failed');
  if (failed.length) {
    throw failure(`${what}: ${failed.length} event(s) failed again and stay pending (${failed.map((r) => `${r.entry.type} ${r.entry.identifier}`).join(', ')})`, failed[0].error);
  }
}

// What the admin can do about an event that could not even be stored.
function lostEvent(event: Event): string {
  const type = event.type === 'AvailablePostfix' ? '' : ` --type ${event.type}`;
  return `This ${event.type} for ${event.identifier} could not be kept: once the directory is fixed, \`vmcatcher_eventHndl_ON replay${type} ${event.identifier}\` handles it`;
}

/** Handles one vmcatcher event; `dryRun` observes and plans only (`planShown`: the caller prints the plan, log it at debug). */
export async function handleEvent(event: Event, deps: HookDeps, dryRun = false, planShown = false): Promise<HookResult> {
  warnUnreadableEntries(deps.config.stateDir, deps.log, dryRun);
  if (event.kind === 'ignored') {
    const retryHere = event.type === 'ProcessPrefix' || event.type === 'ProcessPostfix';
    if (retryHere && !dryRun && mayHoldState(deps.config.stateDir)) requireStateDir(deps.config.stateDir, 'read', 'Events kept there cannot be retried until then');
    const pending = retryHere && !dryRun ? listSpool(deps.config.stateDir).length : 0;
    deps.log.info('main', ignoredEventMessage(event.type, event.identifier, pending));
    if (!pending) return { event, outcome: 'ignored' };
    requireStateDir(deps.config.stateDir, 'write', `${pending} pending event(s) cannot be retried until then`);
    const results = await retryPending(deps, false);
    failIfAnyFailed(results, 'retrying pending events');
    return { event, outcome: 'retried', results };
  }
  deps.log.info('main', `event ${event.type} for ${event.identifier}${event.file ? ` (${event.file})` : ''}`);
  // What is registered must be retirable: refused at first sight (exit 3), before anything is spooled.
  validateRetirableIdentifier(event.identifier, deps.config.retiredNamePattern);
  if (dryRun) {
    requireStateDir(deps.config.stateDir, 'read');
    if (Journal.readOpen(deps.config.stateDir, event.identifier)) {
      deps.log.warn('plan', `an earlier run for ${event.identifier} did not finish: a real run would first finish or roll it back`);
    }
    const p = await planEvent(event, deps);
    logPlan(p, deps.log, planShown ? 'debug' : 'info');
    return { event, plan: p, outcome: 'planned' };
  }

  requireStateDir(deps.config.stateDir, 'write', lostEvent(event));
  const now = deps.now();
  let entry: SpoolEntry;
  try {
    entry = spoolEvent(deps.config.stateDir, event, now);
  } catch (e) {
    // Nothing was done, and vmcatcher sends each event once: say so, and never exit 0.
    const resend = `vmcatcher_eventHndl_ON replay ${event.kind === 'expire' ? '--type ExpirePostfix ' : ''}${event.identifier}`;
    throw new VmcError(
      'INTERNAL',
      `could not store ${event.type} for ${event.identifier} in the spool ${spoolDir(deps.config.stateDir)} (${e instanceof Error ? e.message : String(e)}): nothing was done and the event is NOT kept. ${(e as NodeJS.ErrnoException).code === 'ENOSPC' ? 'Free space in' : 'Make writable'} VMCHNDL_ON_STATE_DIR (${deps.config.stateDir}), then send it again (\`${resend}\`)`,
      e,
    );
  }
  // The handler's records begin with the first event it keeps: an image another user registers after
  // this is never adopted on its own, even when the event waits in the queue. Processing writes it too.
  try {
    ensureBaseline(deps.config.stateDir, now);
  } catch (e) {
    deps.log.warn('record', `could not note when the handler's records begin (${e instanceof Error ? e.message : String(e)}); the next run for ${event.identifier} tries again`);
  }
  if (deps.config.queue) {
    deps.log.info('spool', `queued ${event.type} for ${event.identifier} (VMCHNDL_ON_QUEUE=yes): \`vmcatcher_eventHndl_ON drain\` will process it`);
    if (deps.config.queueSpawn) deps.spawnDrain();
    return { event, outcome: 'queued' };
  }
  const results = await processIdentifier(event.identifier, deps, { ignoreBackoff: true, ownId: entry.id });
  const mine = results.filter((r) => r.entry.id === entry.id)[0];
  const failed = results.filter((r) => r.outcome === 'failed')[0];
  if (!mine && !listSpool(deps.config.stateDir, event.identifier).some((e) => e.id === entry.id)) {
    // Another run for this image held the lock while we waited, and took this event along.
    deps.log.info('main', `${event.type} for ${event.identifier} was taken care of by another run for the same image while this one waited for its lock`);
    return { event, outcome: 'processed', results };
  }
  const handled = mine && (mine.outcome === 'done' || mine.outcome === 'nothing' || (mine.outcome === 'superseded' && !failed));
  if (!handled) {
    const first = failed;
    if (first && first.entry.id !== entry.id) {
      throw failure(`an earlier ${first.entry.type} for ${event.identifier} failed again; this event stays queued behind it and will be retried`, first.error);
    }
    throw failure(`${event.type} for ${event.identifier} failed; the event is kept and will be retried at the next vmcatcher run (or \`vmcatcher_eventHndl_ON retry\`)`, first ? first.error : undefined);
  }
  return { event, outcome: 'processed', results };
}
