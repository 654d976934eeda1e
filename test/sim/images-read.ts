// one.image.info and one.imagepool.info (RequestManagerInfo, RequestManagerPoolInfoFilter).
import { listable } from './authz';
import { checkAuth, Ctx, imageAuth, requireImage } from './context';
import { EC, Failure } from './messages';
import type { Image } from './state';
import { str, Out } from './wire';
import { imageXml } from './xml-docs';

/** one.image.info(id[, decrypt]): needs USE. */
export function imageInfo(ctx: Ctx): Out {
  const img = requireImage(ctx, ctx.p.int(1));
  // RequestManagerInfo asks USE_NO_LCK: a locked image can still be read.
  checkAuth(ctx, [{ op: 'USE', obj: Object.assign(imageAuth(img), { locked: 0 }) }]);
  return str(imageXml(ctx.world, img));
}

const MINE_GROUP = -1;
const ALL = -2;
const MINE = -3;
const GROUP = -4;

function byFilter(ctx: Ctx, filter: number, img: Image): boolean {
  const c = ctx.caller;
  const usable = listable(c, imageAuth(img));
  switch (filter) {
    case ALL:
      return usable;
    case MINE:
      return img.uid === c.uid;
    case MINE_GROUP:
      return img.uid === c.uid || (c.groups.has(img.gid) && usable);
    case GROUP:
      return c.groups.has(img.gid) && usable;
    default:
      return img.uid === filter && usable;
  }
}

/** one.imagepool.info(filter, start, end): -2 all usable, -3 mine, -1 mine+group, -4 group, >= 0 a uid. */
export function imagePoolInfo(ctx: Ctx): Out {
  const filter = ctx.p.int(1);
  const start = ctx.p.int(2);
  const end = ctx.p.int(3);
  if (filter < GROUP) throw new Failure(EC.XML_RPC_API, 'Incorrect filter_flag.');
  // oned lists newest first since API_LIST_ORDER (default DESC) came in; 5.2 listed oldest first.
  const desc = ctx.world.version !== '5.2';
  let list = [...ctx.world.images.values()].filter((i) => byFilter(ctx, filter, i)).sort((a, b) => (desc ? b.id - a.id : a.id - b.id));
  if (end < -1) {
    // oned's pagination: start is the offset, -end the page size
    list = list.slice(Math.max(start, 0), Math.max(start, 0) - end);
  } else if (start !== -1) {
    list = list.filter((i) => i.id >= start && (end === -1 || i.id <= end));
  }
  return str(`<IMAGE_POOL>${list.map((i) => imageXml(ctx.world, i)).join('')}</IMAGE_POOL>`);
}
