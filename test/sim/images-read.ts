// one.image.info and one.imagepool.info (RequestManagerInfo, RequestManagerPoolInfoFilter).
import { listable, ObjAuth } from './authz';
import { checkAuth, Ctx, imageAuth, requireImage } from './context';
import { EC, Failure } from './messages';
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

function byFilter(ctx: Ctx, filter: number, obj: ObjAuth): boolean {
  const c = ctx.caller;
  const usable = listable(c, obj);
  switch (filter) {
    case ALL:
      return usable;
    case MINE:
      return obj.uid === c.uid;
    case MINE_GROUP:
      return obj.uid === c.uid || (c.groups.has(obj.gid) && usable);
    case GROUP:
      return c.groups.has(obj.gid) && usable;
    default:
      return obj.uid === filter && usable;
  }
}

/** RequestManagerPoolInfoFilter: -2 all usable, -3 mine, -1 mine+group, -4 group, >= 0 a uid; start/end ids or a page. */
export function poolSelect<T>(ctx: Ctx, objects: Iterable<T>, auth: (o: T) => ObjAuth): T[] {
  const filter = ctx.p.int(1);
  const start = ctx.p.int(2);
  const end = ctx.p.int(3);
  if (filter < GROUP) throw new Failure(EC.XML_RPC_API, 'Incorrect filter_flag');
  // oned lists newest first since API_LIST_ORDER (default DESC) came in; 5.2 listed oldest first.
  const desc = ctx.world.version !== '5.2';
  let list = [...objects].filter((o) => byFilter(ctx, filter, auth(o))).sort((a, b) => (desc ? auth(b).oid - auth(a).oid : auth(a).oid - auth(b).oid));
  if (end < -1) {
    // oned's pagination: start is the offset, -end the page size
    list = list.slice(Math.max(start, 0), Math.max(start, 0) - end);
  } else if (start !== -1) {
    list = list.filter((o) => auth(o).oid >= start && (end === -1 || auth(o).oid <= end));
  }
  return list;
}

/** one.imagepool.info(filter, start, end). */
export function imagePoolInfo(ctx: Ctx): Out {
  const list = poolSelect(ctx, ctx.world.images.values(), imageAuth);
  return str(`<IMAGE_POOL>${list.map((i) => imageXml(ctx.world, i)).join('')}</IMAGE_POOL>`);
}
