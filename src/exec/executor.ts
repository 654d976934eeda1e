// Runs a plan's steps one by one, journalling before and after each, and rolls back or forward on failure.
import { fullText, messageOf, OneError, OperationFailedError, VmcError } from '../errors';
import type { LogFields } from '../log/logger';
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

const errorText = messageOf;

/** A run's records carry its identifier, event and run id (JSON log fields). */
function forRun(ctx: ExecContext, plan: Plan, eventType: string): void {
  ctx.log = ctx.log.with({ identifier: plan.identifier, event: eventType, run: plan.runId });
}

/** A step's log fields: its number, kind and the image it acts on (the new one once registered). */
function stepFields(plan: Plan, i: number, ctx: ExecContext): LogFields {
  const step = plan.steps[i];
  const ref = (step as { image?: number | 'new' }).image;
  return { step: i + 1, stepKind: step.kind, image: ref === 'new' ? ctx.newImageId : ref };
}

/** Runs a step's work with its fields on every record logged meanwhile (steps log through ctx.log). */
async function inStep<T>(ctx: ExecContext, fields: LogFields, work: () => Promise<T>): Promise<T> {
  const outer = ctx.log;
  ctx.log = outer.with(fields);
  try {
    return await work();
  } finally {
    ctx.log = outer;
  }
}

/** The long part of a step's failure: which step, and the error's own detail. */
function failureDetail(plan: Plan, i: number, e: unknown): string {
  const own = e instanceof VmcError && e.detail ? `; ${e.detail}` : '';
  return `step ${i + 1}/${plan.steps.length}: ${describeStep(plan.steps[i])}${own}`;
}

/** An error's log fields: its code and detail. */
function errorFields(e: unknown, detail?: string): LogFields {
  return { code: e instanceof VmcError ? e.code : 'INTERNAL', detail: detail || (e instanceof VmcError ? e.detail : undefined) };
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
  forRun(ctx, plan, eventType);
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
  forRun(ctx, st.plan, st.eventType);
  ctx.log.info(
    'recover',
    `an earlier run for ${st.plan.identifier} (${st.eventType}) did not finish: ${direction === 'forward' ? 'finishing it' : 'rolling it back'}`,
    { detail: `run ${st.plan.runId}${st.lastError ? `; it failed with: ${st.lastError}` : ''}` },
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
  forRun(ctx, st.plan, st.eventType);
  for (let i = st.plan.commitIndex; i < st.plan.steps.length; i++) {
    if (st.done.has(i)) continue;
    const blocker = await blockerOf(st.plan.steps[i], ctx);
    if (blocker && blocker.kind === 'locked') {
      journal.close(false);
      ctx.log.warn(
        'retire',
        `image ${blocker.image} (${JSON.stringify(blocker.name)}) is still locked (one.image.lock): its retirement (run ${st.plan.runId}) still waits. ` +
          `\`oneimage unlock ${blocker.image}\`, then \`vmcatcher_eventHndl_ON recover ${st.plan.identifier}\`; or \`recover --abandon\` to leave it`,
        Object.assign(stepFields(st.plan, i, ctx), { detail: `run ${st.plan.runId}; left undone: ${leftUndone(st.plan, st, i)}` }),
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
    forRun(ctx, st.plan, st.eventType);
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
        const already = await inStep(ctx, stepFields(plan, i, ctx), () => impl.isDone(step, ctx));
        if (already) {
          journal.append({ t: 'done', i, at: ctx.now(), result: already });
          continue;
        }
      }
      ctx.log.info('execute', `step ${i + 1}/${plan.steps.length}: ${describeStep(step)}`, stepFields(plan, i, ctx));
      journal.append({ t: 'start', i, at: ctx.now() });
      const result = await inStep(ctx, stepFields(plan, i, ctx), () => impl.apply(step, ctx));
      journal.append({ t: 'done', i, at: ctx.now(), result: result || undefined });
    } catch (e) {
      journal.append({ t: 'fail', i, at: ctx.now(), error: fullText(e) });
      // The cause first, on one line; which step it was (with its paths) is the detail.
      const cause = errorText(e);
      const detail = failureDetail(plan, i, e);
      const stepLog = ctx.log.with(stepFields(plan, i, ctx));
      const what = `step ${i + 1}/${plan.steps.length} (${describeStep(step)}) failed: ${cause}`;
      if (i < plan.commitIndex) {
        stepLog.error('execute', `${cause} (step ${i + 1}/${plan.steps.length}, ${step.kind}): rolling back`, errorFields(e, detail));
        await rollback(journal, ctx, fullText(e));
        throw new OperationFailedError(`${cause}. Everything was rolled back.`, e, detail);
      }
      // Past the commit a step that can never succeed must not block the image for ever.
      const blocker = await blockerOf(step, ctx);
      if (blocker && blocker.kind === 'vanished') {
        stepLog.warn('retire', `image ${blocker.image} no longer exists (deleted by an administrator?): there is nothing left to retire; its retirement counts as done`);
        vanished.push(blocker.image);
        journal.append({ t: 'done', i, at: ctx.now(), result: { skipped: `image ${blocker.image} no longer exists` } });
        continue;
      }
      if (blocker && blocker.kind === 'locked') {
        const where = parkJournal(journal);
        stepLog.warn(
          'retire',
          `image ${blocker.image} (${JSON.stringify(blocker.name)}) is locked (one.image.lock, level ${LOCK_LEVELS[blocker.level] || blocker.level}): the new image is in place, the rest of its retirement waits. ` +
            `\`oneimage unlock ${blocker.image}\`, then \`vmcatcher_eventHndl_ON recover ${plan.identifier}\` (or \`recover --abandon\` to leave it)`,
          errorFields(e, `${what}; left undone: ${leftUndone(plan, journal.state()!, i)}; waiting in ${where}; the next event for ${plan.identifier} finishes it too`),
        );
        return 'parked';
      }
      journal.close(false);
      throw new OperationFailedError(
        `${cause}. The new image is in place; the rest (retiring the old image) is journalled: the next run or \`vmcatcher_eventHndl_ON recover\` finishes it.`,
        e,
        detail,
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
    const fields = stepFields(st.plan, i, ctx);
    try {
      await inStep(ctx, fields, () => implOf(step).undo(step, ctx, st.done.get(i)));
    } catch (e) {
      const blocker = await blockerOf(step, ctx);
      if (blocker && blocker.kind === 'vanished') {
        // An image an administrator deleted meanwhile has nothing left to undo.
        ctx.log.warn('rollback', `image ${blocker.image} no longer exists (deleted by an administrator?): nothing to undo on it`, fields);
        journal.append({ t: 'undone', i, at: ctx.now() });
        continue;
      }
      journal.close(false);
      const where = e instanceof OneError ? `${e.method}: ${e.oneMessage}` : errorText(e);
      throw new OperationFailedError(
        `${where}, while rolling back (step ${i + 1}, ${step.kind}): the journal keeps what is left to undo; run \`vmcatcher_eventHndl_ON recover\` once oned answers again.`,
        e,
        `step ${i + 1}/${steps.length}: ${describeStep(step)}; journal ${journal.file}`,
      );
    }
    journal.append({ t: 'undone', i, at: ctx.now() });
  }
  if (st.plan.stagingDir) {
    try {
      await ctx.tools.removeStagingDir(st.plan.stagingDir);
    } catch (e) {
      ctx.log.warn('rollback', `could not remove the staging directory: ${errorText(e)}`, { detail: st.plan.stagingDir });
    }
  }
  journal.append({ t: 'end', at: ctx.now(), outcome: 'rolled-back' });
  journal.close(true);
  ctx.log.info('rollback', `rolled back run ${st.plan.runId} for ${st.plan.identifier}`);
  return 'rolled-back';
}
