// Finds the image a run registered by the run marker it carries, for when its id was never journalled.
import { ATTR_RUN } from '../attributes';
import type { ExecContext } from '../exec/context';
import type { ImageRecord } from '../one/types';
import type { Plan } from '../plan/types';

/** The image carrying this run's marker, if oned has one. */
export async function findRegisteredBy(ctx: ExecContext, runId: string): Promise<ImageRecord | undefined> {
  const pool = await ctx.one.imagePool();
  for (const img of pool) if (img.template[ATTR_RUN] === runId) return img;
  return undefined;
}

/**
 * Finds the new image by the run marker when the journal shows steps after its registration but not its
 * id (the allocate's `done` record was lost to a torn write): recovery must not stall on "not known yet".
 */
export async function recoverNewImageId(plan: Plan, started: ReadonlySet<number>, ctx: ExecContext): Promise<void> {
  if (ctx.newImageId !== undefined) return;
  let at = -1;
  plan.steps.forEach((s, i) => {
    if (at < 0 && s.kind === 'allocate') at = i;
  });
  const step = plan.steps[at];
  if (!step || step.kind !== 'allocate') return;
  let later = false;
  started.forEach((i) => {
    if (i > at) later = true;
  });
  if (!later) return;
  const img = await findRegisteredBy(ctx, step.runId);
  if (img) ctx.newImageId = img.id;
}
