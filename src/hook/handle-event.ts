// One event, start to end: lock, finish what an earlier run left, observe, plan, execute.
import { formatRetiredStamp } from '../clock/retired-stamp';
import type { Config } from '../config/config';
import type { Event, ImageEvent } from '../event/parse-event';
import { ExecContext, Progress, Tools } from '../exec/context';
import { executePlan, resumeJournal } from '../exec/executor';
import { Journal } from '../exec/journal';
import { acquireLock } from '../exec/lock';
import type { Logger } from '../log/logger';
import type { OneApi } from '../one/types';
import { observe } from '../observe/observe';
import { plan as makePlan } from '../plan/plan';
import type { Plan } from '../plan/types';
import { describeStep } from '../steps';
import { newRunId } from './run-id';

export interface HookDeps {
  readonly config: Config;
  readonly log: Logger;
  readonly env: NodeJS.ProcessEnv;
  /** Opens the connection to oned only when an event needs it. */
  readonly one: () => OneApi;
  readonly sessionUser: () => string;
  readonly tools: Tools;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly progress: Progress;
}

export interface HookResult {
  readonly event: Event;
  readonly plan?: Plan;
  readonly outcome: 'ignored' | 'nothing' | 'done' | 'rolled-back' | 'planned';
}

/** The executor's context for one run. */
export function execContext(deps: HookDeps): ExecContext {
  return {
    one: deps.one(),
    tools: deps.tools,
    log: deps.log,
    config: deps.config,
    now: deps.now,
    sleep: deps.sleep,
    progress: deps.progress,
    pollMs: deps.config.pollIntervalMs,
    maxPollMs: Math.max(deps.config.pollIntervalMs, 30000),
  };
}

/** Brings an interrupted run for this identifier to a consistent end; the caller holds the lock. */
export async function recoverIdentifier(identifier: string, deps: HookDeps): Promise<'none' | 'done' | 'rolled-back'> {
  const journal = Journal.readOpen(deps.config.stateDir, identifier);
  if (!journal) return 'none';
  return resumeJournal(journal, execContext(deps));
}

/** Observes and plans an image event without changing anything. */
export async function planEvent(event: ImageEvent, deps: HookDeps): Promise<Plan> {
  const now = deps.now();
  const observed = await observe(event, { one: deps.one(), config: deps.config, sessionUser: deps.sessionUser(), env: deps.env });
  return makePlan(event, observed, deps.config, { runId: newRunId(now), now, stamp: formatRetiredStamp(now, deps.env.TZ) });
}

/** Logs a plan: its summary, warnings and steps. */
export function logPlan(p: Plan, log: Logger): void {
  for (const w of p.warnings) log.warn('plan', w);
  log.info('plan', p.summary);
  p.steps.forEach((s, i) => log.info('plan', `  ${i + 1}. ${describeStep(s)}${i === p.commitIndex && i > 0 ? '   (from here on the new image is current: failures roll forward)' : ''}`));
}

/** Handles one vmcatcher event; `dryRun` observes and plans only. */
export async function handleEvent(event: Event, deps: HookDeps, dryRun = false): Promise<HookResult> {
  if (event.kind === 'ignored') {
    deps.log.info('main', `event ${event.type}${event.identifier ? ` for ${event.identifier}` : ''}: nothing to do for this event type`);
    return { event, outcome: 'ignored' };
  }
  deps.log.info('main', `event ${event.type} for ${event.identifier}${event.file ? ` (${event.file})` : ''}`);
  if (dryRun) {
    if (Journal.readOpen(deps.config.stateDir, event.identifier)) {
      deps.log.warn('plan', `an earlier run for ${event.identifier} did not finish: a real run would first finish or roll it back`);
    }
    const p = await planEvent(event, deps);
    logPlan(p, deps.log);
    return { event, plan: p, outcome: 'planned' };
  }
  const lock = await acquireLock(deps.config.stateDir, event.identifier, {
    timeoutMs: deps.config.lockTimeoutMs,
    sleep: deps.sleep,
    now: deps.now,
    onWait: (who) => deps.log.info('lock', `waiting for ${who}, which is handling ${event.identifier}`),
    onStale: (who) => deps.log.warn('lock', `took over the lock for ${event.identifier} left by ${who}, which is gone`),
  });
  try {
    await recoverIdentifier(event.identifier, deps);
    const p = await planEvent(event, deps);
    logPlan(p, deps.log);
    if (p.action === 'nothing') return { event, plan: p, outcome: 'nothing' };
    const outcome = await executePlan(p, event.type, execContext(deps));
    deps.log.info('main', `done: ${p.summary}`);
    return { event, plan: p, outcome };
  } finally {
    lock.release();
  }
}
