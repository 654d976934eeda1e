// Runs a plan's steps one by one, journalling before and after each, and rolls back or forward on failure.
import { OneError, OperationFailedError } from '../errors';
import type { Plan } from '../plan/types';
import { describeStep, implOf } from '../steps';
import { recoverNewImageId } from '../steps/find-registered';
import type { ExecContext } from './context';
import { Journal, JournalState } from './journal';

export type Outcome = 'done' | 'rolled-back';

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Which way an interrupted journal goes: forward once the new image exists or every pre-commit step is done. */
export function recoveryDirection(st: JournalState): 'forward' | 'rollback' {
  if (st.rollingBack) return 'rollback';
  const steps = st.plan.steps;
  for (let i = 0; i < steps.length; i++) {
    // The new image may be READY or about to be: finishing is better than deleting it.
    if (steps[i].kind === 'allocate' && (st.done.has(i) || st.started.has(i))) return 'forward';
  }
  for (let i = 0; i < st.plan.commitIndex; i++) if (!st.done.has(i)) return 'rollback';
  return 'forward';
}

/** Starts a plan: journals it and runs it. */
export async function executePlan(plan: Plan, eventType: string, ctx: ExecContext): Promise<Outcome> {
  const journal = Journal.begin(ctx.config.stateDir, plan, eventType, ctx.now());
  return drive(journal, ctx, 'forward');
}

/** Brings an interrupted journal to a consistent end (finish or roll back). */
export async function resumeJournal(journal: Journal, ctx: ExecContext): Promise<Outcome> {
  const st = journal.state();
  if (!st) {
    journal.close(true);
    return 'rolled-back';
  }
  const direction = recoveryDirection(st);
  ctx.log.info(
    'recover',
    `an earlier run for ${st.plan.identifier} (${st.eventType}, run ${st.plan.runId}) did not finish${st.lastError ? ` (${st.lastError})` : ''}: ${direction === 'forward' ? 'finishing it' : 'rolling it back'}`,
  );
  return drive(journal, ctx, direction);
}

async function drive(journal: Journal, ctx: ExecContext, direction: 'forward' | 'rollback'): Promise<Outcome> {
  const st = journal.state()!;
  const plan = st.plan;
  // The new image's id, when an earlier attempt journalled it.
  st.done.forEach((r) => {
    if (r.imageId !== undefined) ctx.newImageId = r.imageId;
  });
  await recoverNewImageId(plan, st.started, ctx);
  if (direction === 'rollback') return rollback(journal, ctx, st.lastError || 'interrupted');

  for (let i = 0; i < plan.steps.length; i++) {
    if (st.done.has(i)) continue;
    const step = plan.steps[i];
    const impl = implOf(step);
    try {
      if (st.started.has(i)) {
        const already = await impl.isDone(step, ctx);
        if (already) {
          journal.append({ t: 'done', i, at: ctx.now(), result: already });
          continue;
        }
      }
      ctx.log.info('execute', `step ${i + 1}/${plan.steps.length}: ${describeStep(step)}`);
      journal.append({ t: 'start', i, at: ctx.now() });
      const result = await impl.apply(step, ctx);
      journal.append({ t: 'done', i, at: ctx.now(), result: result || undefined });
    } catch (e) {
      journal.append({ t: 'fail', i, at: ctx.now(), error: errorText(e) });
      const what = `step ${i + 1}/${plan.steps.length} (${describeStep(step)}) failed: ${errorText(e)}`;
      if (i < plan.commitIndex) {
        ctx.log.error('execute', `${what}; rolling back`);
        await rollback(journal, ctx, errorText(e));
        throw new OperationFailedError(`${what}. Everything was rolled back; OpenNebula is as it was before this event.`, e);
      }
      journal.close(false);
      throw new OperationFailedError(
        `${what}. The new image is in place; the rest (retiring the old image) is journalled and will be completed by the next run for ${plan.identifier}, or by \`vmcatcher_eventHndl_ON recover\`.`,
        e,
      );
    }
  }
  journal.append({ t: 'end', at: ctx.now(), outcome: 'done' });
  journal.close(true);
  return 'done';
}

async function rollback(journal: Journal, ctx: ExecContext, reason: string): Promise<Outcome> {
  let st = journal.state()!;
  if (!st.rollingBack) journal.append({ t: 'rollback', at: ctx.now(), reason });
  st = journal.state()!;
  const steps = st.plan.steps;
  for (let i = steps.length - 1; i >= 0; i--) {
    if (!st.started.has(i) || st.undone.has(i)) continue;
    const step = steps[i];
    journal.append({ t: 'undo', i, at: ctx.now() });
    try {
      await implOf(step).undo(step, ctx, st.done.get(i));
    } catch (e) {
      journal.close(false);
      const where = e instanceof OneError ? `${e.method}: ${e.oneMessage}` : errorText(e);
      throw new OperationFailedError(
        `rolling back step ${i + 1} (${describeStep(step)}) failed: ${where}. The journal ${journal.file} keeps what is left to undo; run \`vmcatcher_eventHndl_ON recover\` once oned answers again.`,
        e,
      );
    }
    journal.append({ t: 'undone', i, at: ctx.now() });
  }
  if (st.plan.stagingDir) {
    try {
      await ctx.tools.removeStagingDir(st.plan.stagingDir);
    } catch (e) {
      ctx.log.warn('rollback', `could not remove the staging directory ${st.plan.stagingDir}: ${errorText(e)}`);
    }
  }
  journal.append({ t: 'end', at: ctx.now(), outcome: 'rolled-back' });
  journal.close(true);
  ctx.log.info('rollback', `rolled back run ${st.plan.runId} for ${st.plan.identifier}`);
  return 'rolled-back';
}
