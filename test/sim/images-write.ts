// one.image.chown/chmod/rename/update (RequestManagerChown, Chmod, Rename, UpdateTemplate).
import { isAdmin, ObjAuth, Op } from './authz';
import { checkAuth, Ctx, imageAuth, nameError, ownedImageNamed, requireImage } from './context';
import { flavourOf } from './images-alloc';
import { EC, Failure } from './messages';
import { getAttr, mergeTemplates, parseTemplate, setAttr, storable } from './templates';
import { i4, Out } from './wire';

/**
 * one.image.chown(id, uid, gid): -1 keeps; MANAGE image, MANAGE new user, USE new group; per-owner names.
 * 6.10 ignores a new owner or group equal to the current one; 5.x checked the owner's names and failed.
 */
export function imageChown(ctx: Ctx): Out {
  const { world, p } = ctx;
  const id = p.int(1);
  let uid = p.int(2);
  let gid = p.int(3);
  if (uid > -1 && !world.users.has(uid)) throw new Failure(EC.NO_EXISTS, '', { respId: uid, respObj: 'user' });
  if (gid > -1 && !world.groups.has(gid)) throw new Failure(EC.NO_EXISTS, '', { respId: gid, respObj: 'group' });
  const img = requireImage(ctx, id);
  if (world.version === '6.10' && uid === img.uid) uid = -1;
  if (world.version === '6.10' && gid === img.gid) gid = -1;
  const user = uid > -1 ? world.users.get(uid) : undefined;
  const group = gid > -1 ? world.groups.get(gid) : undefined;
  const requests: Array<{ op: Op; obj: ObjAuth }> = [{ op: 'MANAGE', obj: imageAuth(img) }];
  if (user) requests.push({ op: 'MANAGE', obj: { type: 'USER', oid: user.id, uid: user.id, gid: user.gid, perms: [1, 1, 0, 0, 0, 0, 0, 0, 0] } });
  // a group's members may USE it
  if (group) requests.push({ op: 'USE', obj: { type: 'GROUP', oid: group.id, uid: -1, gid: group.id, perms: [1, 1, 0, 1, 0, 0, 0, 0, 0] } });
  checkAuth(ctx, requests);
  if (user) {
    const other = ownedImageNamed(world, user.id, img.name);
    if (other !== -1) throw new Failure(EC.INTERNAL, `user [${user.id}] already owns image [${other}] with NAME ${img.name}`);
  }
  if (user) img.uid = user.id;
  if (group) img.gid = group.id;
  return i4(id);
}

/** one.image.chmod(id, 9 x -1/0/1): MANAGE, or ADMIN when an ADMIN bit changes. */
export function imageChmod(ctx: Ctx): Out {
  const id = ctx.p.int(1);
  const bits = [2, 3, 4, 5, 6, 7, 8, 9, 10].map((i) => ctx.p.int(i));
  const img = requireImage(ctx, id);
  const changesAdmin = [2, 5, 8].some((i) => bits[i] !== -1 && bits[i] !== img.perms[i]);
  checkAuth(ctx, [{ op: changesAdmin ? 'ADMIN' : 'MANAGE', obj: imageAuth(img) }]);
  if (bits.some((b) => b < -1 || b > 1)) throw new Failure(EC.INTERNAL, 'New permission values must be -1, 0 or 1');
  img.perms = img.perms.map((old, i) => (bits[i] === -1 ? old : bits[i]));
  return i4(id);
}

/** one.image.rename(id, name): MANAGE; the new name must be free among the owner's images. */
export function imageRename(ctx: Ctx): Out {
  const id = ctx.p.int(1);
  const name = ctx.p.str(2);
  const img = requireImage(ctx, id);
  if (img.name === name) return i4(id);
  checkAuth(ctx, [{ op: 'MANAGE', obj: imageAuth(img) }]);
  const other = ownedImageNamed(ctx.world, img.uid, name);
  if (other !== -1) throw new Failure(EC.ACTION, `image cannot be renamed to ${name} because it collides with image ${other}`);
  const bad = nameError(name);
  if (bad) throw new Failure(EC.ACTION, bad);
  img.name = name;
  return i4(id);
}

/** one.image.update(id, template[, 0 replace | 1 merge]). */
export function imageUpdate(ctx: Ctx): Out {
  const id = ctx.p.int(1);
  const text = ctx.p.str(2);
  const type = ctx.p.size > 3 ? ctx.p.int(3) : 0;
  if (type < 0 || type > 1) throw new Failure(EC.XML_RPC_API, 'Wrong update type');
  const img = requireImage(ctx, id);
  checkAuth(ctx, [{ op: 'MANAGE', obj: imageAuth(img) }]);
  const parsed = parseTemplate(text, flavourOf(ctx.world.version));
  if (!parsed.ok) throw new Failure(EC.INTERNAL, `Cannot update template. ${parsed.error}`);
  let next = parsed.template;
  // PoolObjectSQL::replace/append_template with keep_restricted for non-admins (Template::check_restricted):
  // a restricted attribute may not get another value; a replace keeps the one it had.
  if (!isAdmin(ctx.caller)) {
    for (const a of ctx.world.restrictedImageAttrs) {
      const now = getAttr(next, a);
      const had = getAttr(img.template, a);
      if (now !== undefined && now !== had) {
        throw new Failure(EC.INTERNAL, type === 1 ? `Cannot update template. User Template includes a restricted attribute ${a}` : `Cannot update template. Tried to change restricted attribute: ${a}`);
      }
      if (type === 0 && now === undefined && had !== undefined) next = setAttr(next, { name: a, value: had });
    }
  }
  img.template = type === 1 ? mergeTemplates(img.template, next) : storable(next);
  return i4(id);
}
