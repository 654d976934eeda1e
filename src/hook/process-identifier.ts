// Processes the pending events of one identifier in the order received, under its lock.
import * as path from 'path';
import { formatLocalTime } from '../clock/local-time';
import { exitCodeFor, fullText, LockBusyError, OperationFailedError, VmcError } from '../errors';
import { executePlan } from '../exec/executor';
import { prepareStagingBase } from '../files/staging';
import { lockIdentifier } from './identifier-lock';
import { isDue, RetryPolicy } from '../spool/retry-policy';
import { ensureBaseline } from '../record/record';
import { listSpool, removeEntry, SpoolEntry, updateEntry } from '../spool/spool';
import type { HookDeps } from './deps';
import { startEarlyHash } from './early-hash';
import { logPlan, planEvent, recoverIdentifier } from './plan-event';
import { supersedeOlder } from './supersede';

export interface EntryResult {
  readonly entry: SpoolEntry;
  /** waiting: its back-off has not passed; blocked: an older event for the same image goes first; superseded: a newer AvailablePostfix replaced it. */
  readonly outcome: 'done' | 'nothing' | 'failed' | 'waiting' | 'blocked' | 'busy' | 'superseded';
  readonly error?: unknown;
}

/** The retry policy from the configuration. */
export function retryPolicy(deps: HookDeps): RetryPolicy {
  const c = deps.config;
  return { baseDelayMs: c.retryDelayMs, maxDelayMs: c.retryMaxDelayMs, warnAfter: c.retryWarnAfter };
}

function explain(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Plans and executes one spooled event; the caller holds the identifier's lock. */
async function processEntry(entry: SpoolEntry, deps: HookDeps): Promise<'done' | 'nothing'> {
  const ev = entry.event;
  // The checksum a new version needs runs alongside observing and planning (early-hash.ts).
  const early = ev.kind === 'available' && ev.file && ev.checksum && deps.config.verifyChecksum ? startEarlyHash(ev.file) : undefined;
  try {
    const p = await planEvent(ev, deps);
    logPlan(p, deps.log);
    if (p.action === 'nothing' && !p.steps.length) return 'nothing';
    // A staging directory only an administrator can fix is said before anything changes in OpenNebula.
    if (p.stagingDir) await prepareStagingBase(path.dirname(p.stagingDir));
    const ctx = deps.exec();
    await executePlan(p, entry.type, early ? Object.assign({}, ctx, { tools: early.wrap(ctx.tools) }) : ctx);
    // Nothing to do but record an adopted image.
    if (p.action === 'nothing') return 'nothing';
    deps.log.info('main', `done: ${p.summary}`);
    return 'done';
  } finally {
    if (early) await early.stop();
  }
}

export interface ProcessOptions {
  /** true: try every pending entry now; false: only those whose back-off has passed. */
  readonly ignoreBackoff: boolean;
  /** An automatic retry (next vmcatcher run, drain): it advances the back-off. */
  readonly automatic?: boolean;
  /** Give up at once when another process holds the lock (drain, automatic retries). */
  readonly noWait?: boolean;
  /** The spool entry of the event being handled, to name it in messages. */
  readonly ownId?: string;
}

/**
 * Takes the lock, finishes an interrupted run, then processes pending entries oldest first.
 * It stops at the first failure: later events for the same image must not overtake it.
 */
export async function processIdentifier(identifier: string, deps: HookDeps, opts: ProcessOptions): Promise<EntryResult[]> {
  let lock;
  try {
    lock = await lockIdentifier(identifier, deps, opts.noWait ? 0 : deps.config.lockTimeoutMs);
  } catch (e) {
    if (e instanceof LockBusyError && opts.noWait) {
      deps.log.info('lock', `${identifier} is being handled by another process; its pending events wait for it`);
      return listSpool(deps.config.stateDir, identifier).map((entry) => ({ entry, outcome: 'busy' as const }));
    }
    // A lock file that cannot be written (a full state disk): nothing was tried, nothing changed.
    if ((e as NodeJS.ErrnoException).code && !(e instanceof VmcError)) {
      throw new OperationFailedError(
        `could not take the lock for ${identifier} (${explain(e)}); its pending events were not tried and stay as they were. Free space in VMCHNDL_ON_STATE_DIR (${deps.config.stateDir})`,
        e,
      );
    }
    throw e;
  }
  const results: EntryResult[] = [];
  try {
    await recoverIdentifier(identifier, deps);
    // From the first run on, images registered later without a record are never adopted on their own.
    try {
      ensureBaseline(deps.config.stateDir, deps.now());
    } catch (e) {
      // Without it, images registered later by other users could be adopted: try nothing.
      if ((e as NodeJS.ErrnoException).code && !(e instanceof VmcError)) {
        throw new OperationFailedError(
          `could not note when the handler's records begin (${explain(e)}); the pending events of ${identifier} were not tried and stay as they were. Free space in VMCHNDL_ON_STATE_DIR (${deps.config.stateDir})`,
          e,
        );
      }
      throw e;
    }
    const policy = retryPolicy(deps);
    let blocked = false;
    const pending = listSpool(deps.config.stateDir, identifier);
    const superseded = supersedeOlder(deps.config.stateDir, pending, deps.log, opts.ownId);
    for (const entry of superseded) results.push({ entry, outcome: 'superseded' });
    for (let entry of pending.filter((e) => superseded.indexOf(e) < 0)) {
      if (blocked) {
        results.push({ entry, outcome: 'blocked' });
        continue;
      }
      if (!opts.ignoreBackoff && !isDue(entry, policy, deps.now())) {
        results.push({ entry, outcome: 'waiting' });
        blocked = true;
        continue;
      }
      try {
        entry = updateEntry(deps.config.stateDir, entry, {
          attempts: entry.attempts + 1,
          retries: (entry.retries || 0) + (opts.automatic && entry.attempts > 0 ? 1 : 0),
          lastAttemptAt: deps.now(),
          lastError: 'interrupted',
        });
      } catch (e) {
        // Not tried without its attempt on record (a killed attempt must count); the entry is left whole.
        const error = new OperationFailedError(
          `could not record an attempt in the spool entry of ${entry.type} for ${identifier} (${explain(e)}); it was not tried and stays pending as it was. Free space in VMCHNDL_ON_STATE_DIR (${deps.config.stateDir})`,
          e,
        );
        deps.log.error('main', error.message);
        results.push({ entry, outcome: 'failed', error });
        blocked = true;
        continue;
      }
      // This event's records carry its identifier and type (JSON log fields).
      const log = deps.log.with({ identifier, event: entry.type });
      try {
        const outcome = await processEntry(entry, Object.assign({}, deps, { log }));
        removeEntry(deps.config.stateDir, entry);
        results.push({ entry, outcome });
      } catch (e) {
        try {
          entry = updateEntry(deps.config.stateDir, entry, { lastError: fullText(e) });
        } catch (w) {
          // The entry stays as it was (attempt counted, error "interrupted"); the failure itself is said below.
          log.warn('spool', `could not record the error in the spool entry of ${identifier}: ${explain(w)}`);
        }
        const again = entry.attempts >= policy.warnAfter ? ` It has failed ${entry.attempts} times: look at \`vmcatcher_eventHndl_ON pending\`.` : '';
        // The cause first, then what becomes of the event; when it came and the failed step are the detail.
        const kept = `${entry.type} for ${identifier} stays pending and will be retried.${again}`;
        const received = `${entry.type} for ${identifier} received ${formatLocalTime(entry.receivedAt)}, attempt ${entry.attempts}`;
        const fields = { code: e instanceof VmcError ? e.code : 'INTERNAL', exitCode: exitCodeFor(e) };
        if (e instanceof VmcError) log.error('main', `${explain(e)} — ${kept}`, Object.assign(fields, { detail: e.detail ? `${received}; ${e.detail}` : received }));
        else log.error('main', `internal error: ${e instanceof Error ? e.stack || e.message : String(e)} — ${kept}`, Object.assign(fields, { detail: received }));
        results.push({ entry, outcome: 'failed', error: e });
        blocked = true;
      }
    }
  } finally {
    lock.release();
  }
  return results;
}
