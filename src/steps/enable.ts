// Step `enable`: one.image.enable; disabling an image in use fails in oned, which is fine when best effort.
import { ATTR_DISABLE_WHEN_UNUSED } from '../attributes';
import { OneError } from '../errors';
import { IMAGE_STATE } from '../one/types';
import type { StepImpl } from './step';
import { imageId, imageLabel } from './step';

type S = { kind: 'enable'; image: number | 'new'; enable: boolean; bestEffort: boolean };

// ImageManager::enable_image refuses an image VMs hold with "Image cannot be in state USED." (or
// USED_PERS, LOCKED_USED, LOCKED_USED_PERS); ImageEnable answers it as INTERNAL "Could not disable
// image: …". Any other refusal (LOCKED, CLONE: an operation in progress) or error is transient.
const IN_USE_REFUSAL = /Could not disable image: Image cannot be in state (USED|USED_PERS|LOCKED_USED|LOCKED_USED_PERS)\./;

/** Tells whether an error is oned refusing to disable an image because VMs use it: the one refusal that is final. */
export function isInUseRefusal(err: unknown): boolean {
  return err instanceof OneError && err.oneClass === 'INTERNAL' && IN_USE_REFUSAL.test(err.oneMessage);
}

export const enableStep: StepImpl<S> = {
  describe: (s) => `${s.enable ? 'enable' : 'disable'} ${imageLabel(s.image)} (one.image.enable ${s.enable})${s.bestEffort ? ', if it is not in use' : ''}`,
  async apply(s, ctx) {
    const id = imageId(ctx, s.image);
    try {
      await ctx.one.imageEnable(id, s.enable);
    } catch (e) {
      if (!s.bestEffort || !isInUseRefusal(e)) throw e;
      const msg = e instanceof OneError ? e.oneMessage : String(e);
      ctx.log.warn('retire', `image ${id} could not be disabled and stays enabled (${msg}); the rest of its retirement goes on, and a later run disables it once no VM uses it`);
      if (!s.enable) {
        try {
          await ctx.one.imageUpdate(id, { [ATTR_DISABLE_WHEN_UNUSED]: new Date(ctx.now()).toISOString() }, true);
        } catch (err) {
          ctx.log.warn('retire', `image ${id}: could not note ${ATTR_DISABLE_WHEN_UNUSED} (${(err as Error).message}); disable it by hand once no VM uses it`);
        }
      }
      return { skipped: msg };
    }
  },
  async isDone(s, ctx) {
    const img = await ctx.one.imageInfo(imageId(ctx, s.image));
    return (img.state === IMAGE_STATE.DISABLED) === !s.enable ? {} : false;
  },
  async undo(s, ctx, result) {
    if (result && result.skipped) return;
    const id = imageId(ctx, s.image);
    const img = await ctx.one.imageInfo(id);
    if ((img.state === IMAGE_STATE.DISABLED) === !s.enable) await ctx.one.imageEnable(id, !s.enable);
  },
};
