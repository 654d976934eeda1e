// one.image.lock/unlock and one.template.lock/unlock (RequestManagerLock, PoolObjectSQL::lock_db), 5.6+.
import type { ObjAuth } from './authz';
import { checkAuth, Ctx, imageAuth, requireImage, requireTemplate, templateAuth } from './context';
import { EC, Failure } from './messages';
import type { Image } from './state';
import { i4, Out } from './wire';

type Lockable = Pick<Image, 'lock'>;

// MANAGE, even on a locked object; level 4 (ALL) is kept as 1 (USE). With test, an object already
// locked is refused; oned's message is only the lock's time.
function lock(ctx: Ctx, obj: Lockable, auth: ObjAuth, checkLevel: boolean): void {
  const level = ctx.p.int(2);
  const test = ctx.p.size > 3 ? ctx.p.bool(3) : false;
  checkAuth(ctx, [{ op: 'MANAGE', obj: Object.assign(auth, { locked: 0 }) }]);
  if (checkLevel && (level < 1 || level > 4)) throw new Failure(EC.ACTION, 'Wrong lock level specified');
  if (test && obj.lock) throw new Failure(EC.ACTION, String(obj.lock.time));
  obj.lock = { level: level === 4 ? 1 : level, owner: ctx.caller.uid, time: Math.floor(Date.now() / 1000), reqId: -1 };
}

// MANAGE; only the lock's owner (or oneadmin) may unlock; unlocking an unlocked object is fine.
function unlock(ctx: Ctx, obj: Lockable, auth: ObjAuth): void {
  checkAuth(ctx, [{ op: 'MANAGE', obj: Object.assign(auth, { locked: 0 }) }]);
  if (obj.lock && obj.lock.owner !== ctx.caller.uid && ctx.caller.gid !== 0) throw new Failure(EC.ACTION, 'Cannot unlock: Lock is owned by another user');
  delete obj.lock;
}

/** one.image.lock(id, level, test). */
export function imageLock(ctx: Ctx): Out {
  const img = requireImage(ctx, ctx.p.int(1));
  lock(ctx, img, imageAuth(img), false);
  return i4(img.id);
}

/** one.image.unlock(id). */
export function imageUnlock(ctx: Ctx): Out {
  const img = requireImage(ctx, ctx.p.int(1));
  unlock(ctx, img, imageAuth(img));
  return i4(img.id);
}

/** one.template.lock(id, level, test): as for images; a level other than 1-4 is refused. */
export function templateLock(ctx: Ctx): Out {
  const t = requireTemplate(ctx, ctx.p.int(1));
  lock(ctx, t, templateAuth(t), true);
  return i4(t.id);
}

/** one.template.unlock(id). */
export function templateUnlock(ctx: Ctx): Out {
  const t = requireTemplate(ctx, ctx.p.int(1));
  unlock(ctx, t, templateAuth(t));
  return i4(t.id);
}
