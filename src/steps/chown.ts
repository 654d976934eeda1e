// Step `chown`: one.image.chown, undone by giving the image back to its previous owner and group.
import type { StepImpl } from './step';
import { imageId, imageLabel } from './step';

type S = {
  kind: 'chown';
  image: number | 'new';
  uid: number;
  gid: number;
  fromUid: number;
  fromGid: number;
  uname?: string;
  gname?: string;
  fromUname?: string;
  fromGname?: string;
};

// `oneadmin (0)` when the name is known, else the id alone.
function named(name: string | undefined, id: number): string {
  return name === undefined ? String(id) : `${name} (${id})`;
}

export const chownStep: StepImpl<S> = {
  describe: (s) =>
    `give ${imageLabel(s.image)} to user ${named(s.uname, s.uid)}, group ${named(s.gname, s.gid)} ` +
    `(one.image.chown; was user ${named(s.fromUname, s.fromUid)}, group ${named(s.fromGname, s.fromGid)})`,
  async apply(s, ctx) {
    // -1 for what does not change: oned 5.x refuses a chown to the current owner when it checks the
    // owner's image names, because it does not leave the image itself out (6.10 ignores such a chown).
    await ctx.one.imageChown(imageId(ctx, s.image), s.uid === s.fromUid ? -1 : s.uid, s.gid === s.fromGid ? -1 : s.gid);
  },
  async isDone(s, ctx) {
    const img = await ctx.one.imageInfo(imageId(ctx, s.image));
    return img.uid === s.uid && img.gid === s.gid ? {} : false;
  },
  async undo(s, ctx) {
    const id = imageId(ctx, s.image);
    const img = await ctx.one.imageInfo(id);
    if (img.uid !== s.fromUid || img.gid !== s.fromGid) {
      await ctx.one.imageChown(id, img.uid !== s.fromUid ? s.fromUid : -1, img.gid !== s.fromGid ? s.fromGid : -1);
    }
  },
};
