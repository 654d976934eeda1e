// one.template.update/chown/chmod/rename (RequestManagerUpdateTemplate, RequestManagerChown,
// TemplateChmod, RequestManagerRename of 6.10.5).
import { isAdmin, ObjAuth, Op } from './authz';
import { checkAuth, Ctx, nameError, ownedTemplateNamed, requireTemplate, templateAuth } from './context';
import { EC, Failure } from './messages';
import { mergeTemplates, parseTemplate, storable } from './templates';
import { diskImageIds, vmFlavour } from './vm-templates';
import { changedRestricted } from './vm-restricted';
import { i4, Out } from './wire';

/**
 * one.template.update(id, template[, 0 replace | 1 merge]): MANAGE. Merge is Template::merge: each
 * attribute name sent replaces every attribute of that name (one DISK sent, all DISKs replaced), an
 * empty vector erases. Non-admins may not change VM_RESTRICTED_ATTR.
 */
export function templateUpdate(ctx: Ctx): Out {
  const id = ctx.p.int(1);
  const text = ctx.p.str(2);
  const type = ctx.p.size > 3 ? ctx.p.int(3) : 0;
  const t = requireTemplate(ctx, id);
  checkAuth(ctx, [{ op: 'MANAGE', obj: templateAuth(t) }]);
  if (type < 0 || type > 1) throw new Failure(EC.XML_RPC_API, 'Wrong update type');
  const parsed = parseTemplate(text, vmFlavour(ctx.world.version));
  if (!parsed.ok) throw new Failure(EC.INTERNAL, `Cannot update template. ${parsed.error}`);
  let next = parsed.template;
  if (!isAdmin(ctx.caller)) {
    const checked = changedRestricted(next, t.template, type === 1);
    if (checked.name) {
      const why = type === 1 ? `User Template includes a restricted attribute ${checked.name}` : `Tried to change restricted attribute: ${checked.name}`;
      throw new Failure(EC.INTERNAL, `Cannot update template. ${why}`);
    }
    next = checked.template;
  }
  t.template = type === 1 ? mergeTemplates(t.template, next) : storable(next);
  return i4(id);
}

/** one.template.chown(id, uid, gid): -1 keeps; MANAGE template, MANAGE new user, USE new group; per-owner names. */
export function templateChown(ctx: Ctx): Out {
  const { world, p } = ctx;
  const id = p.int(1);
  let uid = p.int(2);
  let gid = p.int(3);
  if (uid > -1 && !world.users.has(uid)) throw new Failure(EC.NO_EXISTS, '', { respId: uid, respObj: 'user' });
  if (gid > -1 && !world.groups.has(gid)) throw new Failure(EC.NO_EXISTS, '', { respId: gid, respObj: 'group' });
  const t = requireTemplate(ctx, id);
  // 6.10 ignores a chown to the current owner or group; 5.x checked the owner's names and failed.
  if (world.version === '6.10' && uid === t.uid) uid = -1;
  if (world.version === '6.10' && gid === t.gid) gid = -1;
  const user = uid > -1 ? world.users.get(uid) : undefined;
  const group = gid > -1 ? world.groups.get(gid) : undefined;
  const requests: Array<{ op: Op; obj: ObjAuth }> = [{ op: 'MANAGE', obj: templateAuth(t) }];
  if (user) requests.push({ op: 'MANAGE', obj: { type: 'USER', oid: user.id, uid: user.id, gid: user.gid, perms: [1, 1, 0, 0, 0, 0, 0, 0, 0] } });
  if (group) requests.push({ op: 'USE', obj: { type: 'GROUP', oid: group.id, uid: -1, gid: group.id, perms: [1, 1, 0, 1, 0, 0, 0, 0, 0] } });
  checkAuth(ctx, requests);
  if (user) {
    const other = ownedTemplateNamed(world, user.id, t.name);
    if (other !== -1) throw new Failure(EC.INTERNAL, `user [${user.id}] already owns virtual machine template [${other}] with NAME ${t.name}`);
    t.uid = user.id;
  }
  if (group) t.gid = group.id;
  return i4(id);
}

function applyChmod(ctx: Ctx, auth: ObjAuth, perms: number[], bits: number[]): number[] {
  // RequestManagerChmod::chmod: an ADMIN bit (or an OTHER bit) equal to the current one is no change.
  const b = bits.map((v, i) => ([2, 5, 6, 7, 8].includes(i) && v === perms[i] ? -1 : v));
  const admin = [2, 5, 8].some((i) => b[i] !== -1);
  checkAuth(ctx, [{ op: admin ? 'ADMIN' : 'MANAGE', obj: auth }]);
  if (b.some((v) => v < -1 || v > 1)) throw new Failure(EC.INTERNAL, 'New permission values must be -1, 0 or 1');
  return perms.map((old, i) => (b[i] === -1 ? old : b[i]));
}

/** one.template.chmod(id, 9 x -1/0/1[, recursive]): MANAGE, or ADMIN when an ADMIN bit changes; recursive chmods the DISKs' images too. */
export function templateChmod(ctx: Ctx): Out {
  const id = ctx.p.int(1);
  const bits = [2, 3, 4, 5, 6, 7, 8, 9, 10].map((i) => ctx.p.int(i));
  const recursive = ctx.p.size > 11 ? ctx.p.bool(11) : false;
  const t = requireTemplate(ctx, id);
  t.perms = applyChmod(ctx, templateAuth(t), t.perms, bits);
  if (!recursive) return i4(id);
  const failed: number[] = [];
  for (const iid of diskImageIds(ctx.world, t.template, ctx.caller.uid)) {
    const img = ctx.world.images.get(iid);
    try {
      if (!img) throw new Failure(EC.NO_EXISTS, '');
      img.perms = applyChmod(ctx, { type: 'IMAGE', oid: img.id, uid: img.uid, gid: img.gid, perms: img.perms, locked: img.lock ? img.lock.level : 0 }, img.perms, bits);
    } catch (err) {
      if (!(err instanceof Failure)) throw err;
      failed.push(iid);
    }
  }
  if (failed.length) throw new Failure(EC.ACTION, `Cannot chmod image: ${failed.join(',')}`);
  return i4(id);
}

/** one.template.rename(id, name): MANAGE; the new name must be free among the owner's templates. */
export function templateRename(ctx: Ctx): Out {
  const id = ctx.p.int(1);
  const name = ctx.p.str(2);
  const t = requireTemplate(ctx, id);
  if (t.name === name) return i4(id);
  checkAuth(ctx, [{ op: 'MANAGE', obj: templateAuth(t) }]);
  const other = ownedTemplateNamed(ctx.world, t.uid, name);
  if (other !== -1) throw new Failure(EC.ACTION, `virtual machine template cannot be renamed to ${name} because it collides with virtual machine template ${other}`);
  const bad = nameError(name);
  if (bad) throw new Failure(EC.ACTION, bad);
  t.name = name;
  return i4(id);
}
