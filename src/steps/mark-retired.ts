// Step `mark-retired`: one.image.update (merge) with our retired marker and what the image had.
import { ATTR_RETIRED } from '../attributes';
import type { TemplateAttrs } from '../one/types';
import type { StepImpl } from './step';
import { imageId, imageLabel } from './step';

type S = { kind: 'mark-retired'; image: number | 'new'; attrs: TemplateAttrs };

export const markRetiredStep: StepImpl<S> = {
  describe: (s) => `mark ${imageLabel(s.image)} retired: ${Object.keys(s.attrs).map((k) => `${k}=${s.attrs[k]}`).join(' ')} (one.image.update, merge)`,
  async apply(s, ctx) {
    await ctx.one.imageUpdate(imageId(ctx, s.image), s.attrs, true);
  },
  async isDone(s, ctx) {
    const img = await ctx.one.imageInfo(imageId(ctx, s.image));
    return img.template[ATTR_RETIRED] === s.attrs[ATTR_RETIRED] ? {} : false;
  },
  async undo(s, ctx) {
    // A merge cannot remove an attribute; an empty marker means "not retired".
    const id = imageId(ctx, s.image);
    const img = await ctx.one.imageInfo(id);
    if (img.template[ATTR_RETIRED]) await ctx.one.imageUpdate(id, { [ATTR_RETIRED]: '' }, true);
  },
};
