// Observe and plan one event; finish an interrupted run.
import { formatRetiredStamp } from '../clock/retired-stamp';
import type { ImageEvent } from '../event/parse-event';
import { Outcome, resumeJournal, resumeParked } from '../exec/executor';
import { Journal, readParkedJournals } from '../exec/journal';
import type { Logger } from '../log/logger';
import { observe } from '../observe/observe';
import { plan as makePlan } from '../plan/plan';
import type { Plan } from '../plan/types';
import { describeStep } from '../steps';
import type { HookDeps } from './deps';
import { newRunId } from './run-id';

/**
 * Brings an interrupted run for this identifier to a consistent end, and finishes retirements that
 * waited for a locked image once it is unlocked; the caller holds the lock.
 */
export async function recoverIdentifier(identifier: string, deps: HookDeps): Promise<'none' | Outcome> {
  const journal = Journal.readOpen(deps.config.stateDir, identifier);
  const outcome = journal ? await resumeJournal(journal, deps.exec()) : 'none';
  for (const parked of readParkedJournals(deps.config.stateDir, identifier)) {
    try {
      await resumeParked(parked, deps.exec());
    } catch (e) {
      // It stays parked; the identifier's events go on.
      deps.log.warn('retire', `a retirement left waiting for ${identifier} could not be finished yet: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return outcome;
}

/** Observes and plans an image event without changing anything. */
export async function planEvent(event: ImageEvent, deps: HookDeps): Promise<Plan> {
  const now = deps.now();
  const observed = await observe(event, { one: deps.one(), config: deps.config, sessionUser: deps.sessionUser(), env: deps.env });
  return makePlan(event, observed, deps.config, { runId: newRunId(now), now, stamp: formatRetiredStamp(now, deps.env.TZ) });
}

/** Logs a plan: its summary, warnings and steps (at debug when the plan is printed on stdout anyway). */
export function logPlan(p: Plan, log: Logger, level: 'info' | 'debug' = 'info'): void {
  for (const w of p.warnings) log.warn('plan', w);
  log[level]('plan', p.summary);
  p.steps.forEach((s, i) =>
    log[level]('plan', `  ${i + 1}. ${describeStep(s)}${i === p.commitIndex && i > 0 ? '   (from here on the new image is current: failures roll forward)' : ''}`),
  );
}
