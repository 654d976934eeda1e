// Step `chmod`: one.image.chmod with all 9 bits, undone by restoring the previous mode.
import { bitsToOctal, octalToBits } from '../one/permissions';
import type { StepImpl } from './step';
import { imageId, imageLabel } from './step';

type S = { kind: 'chmod'; image: number | 'new'; mode: string; fromMode: string };

export const chmodStep: StepImpl<S> = {
  describe: (s) => `set the permissions of ${imageLabel(s.image)} to ${s.mode} (one.image.chmod; was ${s.fromMode})`,
  async apply(s, ctx) {
    await ctx.one.imageChmod(imageId(ctx, s.image), octalToBits(s.mode));
  },
  async isDone(s, ctx) {
    const img = await ctx.one.imageInfo(imageId(ctx, s.image));
    return bitsToOctal(img.permissions) === s.mode ? {} : false;
  },
  async undo(s, ctx) {
    const id = imageId(ctx, s.image);
    const img = await ctx.one.imageInfo(id);
    if (bitsToOctal(img.permissions) !== s.fromMode) await ctx.one.imageChmod(id, octalToBits(s.fromMode));
  },
};
