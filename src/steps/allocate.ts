// Step `allocate`: one.image.allocate; undone by deleting the image this run registered, and only that one.
import { ATTR_RUN } from '../attributes';
import { OneError } from '../errors';
import type { ExecContext } from '../exec/context';
import { IMAGE_STATE, TemplateAttrs } from '../one/types';
import { findRegisteredBy } from './find-registered';
import type { StepImpl } from './step';

type S = { kind: 'allocate'; name: string; template: TemplateAttrs; datastoreId: number; runId: string };

const LOCKED_STATES: number[] = [IMAGE_STATE.LOCKED, IMAGE_STATE.LOCKED_USED, IMAGE_STATE.LOCKED_USED_PERS];

async function deleteOurImage(ctx: ExecContext, id: number, runId: string): Promise<void> {
  let img;
  try {
    img = await ctx.one.imageInfo(id);
  } catch (e) {
    if (e instanceof OneError && e.oneClass === 'NO_EXISTS') return;
    throw e;
  }
  // Never delete an image this run did not register.
  if (img.template[ATTR_RUN] !== runId) {
    ctx.log.warn('rollback', `image ${id} does not carry this run's marker ${ATTR_RUN}=${runId}: not deleting it`);
    return;
  }
  if (LOCKED_STATES.indexOf(img.state) < 0) {
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
    await deleteOurImage(ctx, id, s.runId);
    ctx.log.info('rollback', `deleted image ${id}, which this run had registered`);
  },
};
