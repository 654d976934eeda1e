// Runs a plan's steps one by one, journalling before and after each, and rolls back or forward on failure.
import { OneError, OperationFailedError } from '../errors';
import type { Plan, Step } from '../plan/types';
import { describeStep, implOf } from '../steps';
import { recoverNewImageId } from '../steps/find-registered';
import type { ExecContext } from './context';
import { Journal, JournalState, parkJournal } from './journal';

/** parked: the new image is current; the rest of the retirement waits for its image to be unlocked. */
export type Outcome = 'done' | 'rolled-back' | 'parked';

/** The existing image a step acts on, if any (not the new one). */
function existingImageOf(step: Step): number | undefined {
  const ref = (step as { image?: number | 'new' }).image;
  return typeof ref === 'number' ? ref : undefined;
}

type Blocker = { kind: 'vanished'; image: number } | { kind: 'locked'; image: number; name: string; level: number };

/** Why a step on an existing image failed for good, if it did: the image is gone (an admin deleted it) or locked. */
async function blockerOf(step: Step, ctx: ExecContext): Promise<Blocker | undefined> {
  const id = existingImageOf(step);
  if (id === undefined) return undefined;
  try {
    const img = await ctx.one.imageInfo(id);
    return img.lock ? { kind: 'locked', image: id, name: img.name, level: img.lock } : undefined;
  } catch (e) {
    return e instanceof OneError && e.oneClass === 'NO_EXISTS' ? { kind: 'vanished', image: id } : undefined;
  }
}

const LOCK_LEVELS: Record<number, string> = { 1: 'USE', 2: 'MANAGE', 3: 'ADMIN', 4: 'ALL' };

/** What is left of a plan from step `from` on, for messages. */
function leftUndone(plan: Plan, st: JournalState, from = 0): string {
  const left: string[] = [];
  for (let i = from; i < plan.steps.length; i++) if (!st.done.has(i)) left.push(`${i + 1}. ${describeStep(plan.steps[i])}`);
  return left.join('; ');
}

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

/**
 * Looks at a parked retirement again: finishes it once its image is unlocked (or gone), else says it
 * still waits. Never throws for a parked journal's sake: it must not block the identifier's events.
 */
export async function resumeParked(journal: Journal, ctx: ExecContext): Promise<Outcome | 'waiting'> {
  const st = journal.state();
  if (!st) {
    journal.close(true);
    return 'done';
  }
  for (let i = st.plan.commitIndex; i < st.plan.steps.length; i++) {
    if (st.done.has(i)) continue;
    const blocker = await blockerOf(st.plan.steps[i], ctx);
    if (blocker && blocker.kind === 'locked') {
      journal.close(false);
      ctx.log.warn(
        'retire',
        `image ${blocker.image} (${JSON.stringify(blocker.name)}) is still locked (one.image.lock): its retirement by run ${st.plan.runId} for ${st.plan.identifier} still waits (${leftUndone(st.plan, st, i)}). ` +
          `\`oneimage unlock ${blocker.image}\`, then \`vmcatcher_eventHndl_ON recover ${st.plan.identifier}\`; or \`vmcatcher_eventHndl_ON recover --abandon ${st.plan.identifier}\` to leave it`,
      );
      return 'waiting';
    }
    break;
  }
  ctx.log.info('recover', `finishing the retirement that run ${st.plan.runId} for ${st.plan.identifier} left waiting for a locked image`);
  return drive(journal, ctx, 'forward');
}

/** Closes an interrupted or parked journal without doing the rest, and says what is left undone. */
export function abandonJournal(journal: Journal, ctx: ExecContext): void {
  const st = journal.state();
  if (st) {
    const left = leftUndone(st.plan, st);
    ctx.log.warn(
      'recover',
      `abandoned run ${st.plan.runId} for ${st.plan.identifier} (${st.eventType}${st.rollingBack ? ', rolling back' : ''}) as asked: ` +
        `${left ? `left undone: ${left}` : 'nothing was left to do'}. OpenNebula stays as it is; \`vmcatcher_eventHndl_ON status ${st.plan.identifier}\` shows it`,
    );
    journal.append({ t: 'end', at: ctx.now(), outcome: 'abandoned' });
  }
  journal.close(true);
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

  // Existing images found gone during the retirement: their remaining steps count as done.
  const vanished: number[] = [];
  for (let i = 0; i < plan.steps.length; i++) {
    if (st.done.has(i)) continue;
    const step = plan.steps[i];
    const impl = implOf(step);
    const on = existingImageOf(step);
    if (i >= plan.commitIndex && on !== undefined && vanished.indexOf(on) >= 0) {
      journal.append({ t: 'done', i, at: ctx.now(), result: { skipped: `image ${on} no longer exists` } });
      continue;
    }
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
      // Past the commit a step that can never succeed must not block the image for ever.
      const blocker = await blockerOf(step, ctx);
      if (blocker && blocker.kind === 'vanished') {
        ctx.log.warn('retire', `image ${blocker.image} no longer exists (deleted by an administrator?): there is nothing left to retire; its retirement counts as done`);
        vanished.push(blocker.image);
        journal.append({ t: 'done', i, at: ctx.now(), result: { skipped: `image ${blocker.image} no longer exists` } });
        continue;
      }
      if (blocker && blocker.kind === 'locked') {
        const where = parkJournal(journal);
        ctx.log.warn(
          'retire',
          `image ${blocker.image} (${JSON.stringify(blocker.name)}) is locked (one.image.lock, level ${LOCK_LEVELS[blocker.level] || blocker.level}): ${what}. ` +
            `The new image is in place; the rest of image ${blocker.image}'s retirement is left undone (${leftUndone(plan, journal.state()!, i)}) and waits in ${where}. ` +
            `To finish it: \`oneimage unlock ${blocker.image}\`, then \`vmcatcher_eventHndl_ON recover ${plan.identifier}\` (the next event for ${plan.identifier} does it too); ` +
            `to leave it as it is: \`vmcatcher_eventHndl_ON recover --abandon ${plan.identifier}\``,
        );
        return 'parked';
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
      const blocker = await blockerOf(step, ctx);
      if (blocker && blocker.kind === 'vanished') {
        // An image an administrator deleted meanwhile has nothing left to undo.
        ctx.log.warn('rollback', `image ${blocker.image} no longer exists (deleted by an administrator?): nothing to undo on it`);
        journal.append({ t: 'undone', i, at: ctx.now() });
        continue;
      }
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
