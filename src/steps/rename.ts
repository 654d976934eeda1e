// Step `rename`: one.image.rename, undone by renaming back.
import type { StepImpl } from './step';
import { imageId, imageLabel } from './step';

type S = { kind: 'rename'; image: number | 'new'; from: string; to: string };

export const renameStep: StepImpl<S> = {
  describe: (s) => `rename ${imageLabel(s.image)} from ${JSON.stringify(s.from)} to ${JSON.stringify(s.to)} (one.image.rename)`,
  async apply(s, ctx) {
    await ctx.one.imageRename(imageId(ctx, s.image), s.to);
  },
  async isDone(s, ctx) {
    const img = await ctx.one.imageInfo(imageId(ctx, s.image));
    return img.name === s.to ? {} : false;
  },
  async undo(s, ctx) {
    const id = imageId(ctx, s.image);
    const img = await ctx.one.imageInfo(id);
    if (img.name === s.to) await ctx.one.imageRename(id, s.from);
  },
};
