// one.image.lock and one.image.unlock (RequestManagerLock, PoolObjectSQL::lock_db), 5.6+.
import { checkAuth, Ctx, imageAuth, requireImage } from './context';
import { EC, Failure } from './messages';
import { i4, Out } from './wire';

/** one.image.lock(id, level, test): MANAGE, even on a locked image; level 4 (ALL) is kept as 1 (USE). */
export function imageLock(ctx: Ctx): Out {
  const id = ctx.p.int(1);
  const level = ctx.p.int(2);
  const test = ctx.p.size > 3 ? ctx.p.bool(3) : false;
  const img = requireImage(ctx, id);
  checkAuth(ctx, [{ op: 'MANAGE', obj: Object.assign(imageAuth(img), { locked: 0 }) }]);
  // With test, an image already locked is refused; oned's message is only the lock's time.
  if (test && img.lock) throw new Failure(EC.ACTION, String(img.lock.time));
  img.lock = { level: level === 4 ? 1 : level, owner: ctx.caller.uid, time: Math.floor(Date.now() / 1000), reqId: -1 };
  return i4(id);
}

/** one.image.unlock(id): MANAGE; only the lock's owner (or oneadmin) may unlock; unlocking an unlocked image is fine. */
export function imageUnlock(ctx: Ctx): Out {
  const id = ctx.p.int(1);
  const img = requireImage(ctx, id);
  checkAuth(ctx, [{ op: 'MANAGE', obj: Object.assign(imageAuth(img), { locked: 0 }) }]);
  if (img.lock && img.lock.owner !== ctx.caller.uid && ctx.caller.gid !== 0) throw new Failure(EC.ACTION, 'Cannot unlock: Lock is owned by another user');
  delete img.lock;
  return i4(id);
}
