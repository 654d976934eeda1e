// Step `allocate`: one.image.allocate; undone by deleting the image this run registered, and only that one.
import { ATTR_ERROR, ATTR_RUN } from '../attributes';
import { OneError, OperationFailedError } from '../errors';
import type { ExecContext } from '../exec/context';
import { IMAGE_STATE, TemplateAttrs } from '../one/types';
import { findRegisteredBy } from './find-registered';
import type { StepImpl } from './step';

type S = { kind: 'allocate'; name: string; template: TemplateAttrs; datastoreId: number; runId: string };

const LOCKED_STATES: number[] = [IMAGE_STATE.LOCKED, IMAGE_STATE.LOCKED_USED, IMAGE_STATE.LOCKED_USED_PERS];

/** Longest wait for oned's datastore to remove a deleted image (also bounded by VMCHNDL_ON_READY_TIMEOUT). */
const DELETE_WAIT_MS = 10 * 60 * 1000;

/** The image, or undefined once oned no longer has it. */
async function infoIfAny(ctx: ExecContext, id: number) {
  try {
    return await ctx.one.imageInfo(id);
  } catch (e) {
    if (e instanceof OneError && e.oneClass === 'NO_EXISTS') return undefined;
    throw e;
  }
}

/**
 * Waits until oned has removed a deleted image. one.image.delete only starts the datastore's rm: the
 * image stays in DELETE, its name still taken by its owner, until rm ends. Renaming the old image back
 * (or registering again) before that collides with it. Polls back off as the READY wait's do.
 */
async function waitUntilGone(ctx: ExecContext, id: number, name: string): Promise<void> {
  const start = ctx.now();
  const limit = Math.min(ctx.config.readyTimeoutMs, DELETE_WAIT_MS);
  for (;;) {
    const img = await infoIfAny(ctx, id);
    if (!img) return;
    if (img.state === IMAGE_STATE.ERROR) {
      throw new OperationFailedError(
        `image ${id}, which this run registered and deleted, went to ERROR instead of going away (${img.template[ATTR_ERROR] || 'no message'}): ` +
          `it still holds the name ${JSON.stringify(name)}. Remove it (oneimage delete --force ${id}), then run \`vmcatcher_eventHndl_ON recover\``,
      );
    }
    const waited = ctx.now() - start;
    if (waited >= limit) {
      throw new OperationFailedError(
        `image ${id}, which this run registered and deleted, is still there after ${Math.round(waited / 1000)} s (state ${img.state}): ` +
          `oned's datastore has not removed it yet and its name ${JSON.stringify(name)} stays taken; \`vmcatcher_eventHndl_ON recover\` finishes the rollback once it is gone`,
      );
    }
    const delay = Math.min(ctx.maxPollMs, Math.max(ctx.pollMs, waited / 4));
    await ctx.sleep(Math.min(delay, Math.max(1, limit - waited)));
  }
}

async function deleteOurImage(ctx: ExecContext, id: number, runId: string, name: string): Promise<void> {
  const img = await infoIfAny(ctx, id);
  if (!img) return;
  // Never delete an image this run did not register.
  if (img.template[ATTR_RUN] !== runId) {
    ctx.log.warn('rollback', `image ${id} does not carry this run's marker ${ATTR_RUN}=${runId}: not deleting it`);
    return;
  }
  // An earlier attempt deleted it already (a crash, or a lost answer): only the wait is left.
  if (img.state !== IMAGE_STATE.DELETE) await startDelete(ctx, id, img.state);
  await waitUntilGone(ctx, id, name);
}

async function startDelete(ctx: ExecContext, id: number, state: number): Promise<void> {
  if (LOCKED_STATES.indexOf(state) < 0) {
    await ctx.one.imageDelete(id);
    return;
  }
  try {
    await ctx.one.imageDelete(id);
    return;
  } catch (e) {
    if (!(e instanceof OneError)) throw e;
    if (e.oneClass === 'NO_EXISTS') return;
  }
  // oned >= 6.6 deletes a LOCKED image only with force; older oned takes no such argument.
  try {
    await ctx.one.imageDelete(id, true);
    return;
  } catch (e) {
    if (!(e instanceof OneError)) throw e;
  }
  // Wait for oned to finish copying, then delete.
  const deadline = ctx.now() + ctx.config.readyTimeoutMs;
  let delay = ctx.pollMs;
  while (ctx.now() < deadline) {
    await ctx.sleep(delay);
    delay = Math.min(delay * 2, ctx.maxPollMs);
    const st = await ctx.one.imageInfo(id);
    if (LOCKED_STATES.indexOf(st.state) < 0) {
      await ctx.one.imageDelete(id);
      return;
    }
  }
  await ctx.one.imageDelete(id);
}

export const allocateStep: StepImpl<S> = {
  describe: (s) => `register ${JSON.stringify(s.name)} from ${s.template.PATH} in datastore ${s.datastoreId} (one.image.allocate)`,
  async apply(s, ctx) {
    const id = await ctx.one.imageAllocate(s.template, s.datastoreId);
    ctx.newImageId = id;
    ctx.log.info('register', `registered image ${id} (${JSON.stringify(s.name)}); oned is copying ${s.template.PATH}`);
    return { imageId: id };
  },
  async isDone(s, ctx) {
    const img = await findRegisteredBy(ctx, s.runId);
    if (!img) return false;
    ctx.newImageId = img.id;
    return { imageId: img.id };
  },
  async undo(s, ctx, result) {
    let id = result && result.imageId !== undefined ? result.imageId : ctx.newImageId;
    if (id === undefined) {
      const img = await findRegisteredBy(ctx, s.runId);
      if (!img) return;
      id = img.id;
    }
    await deleteOurImage(ctx, id, s.runId, s.name);
    ctx.log.info('rollback', `deleted image ${id}, which this run had registered`);
  },
};
