// one.template.allocate/info/delete and one.templatepool.info (RequestManagerAllocate TemplateAllocate,
// VMTemplatePool::allocate, TemplateInfo, TemplateDelete, TemplatePoolInfo of 6.10.5).
import { isAdmin, umaskPerms } from './authz';
import { checkAuth, Ctx, nameError, ownedTemplateNamed, requireTemplate, templateAuth } from './context';
import { imageDeleteById } from './images-state';
import { flavourOf } from './images-alloc';
import { poolSelect } from './images-read';
import { EC, Failure } from './messages';
import type { VmTemplate, World } from './state';
import { eraseAttr, getAttr, parseTemplate, storable, Template } from './templates';
import { firstRestricted } from './vm-restricted';
import { i4, Out, str } from './wire';
import { vmTemplateXml } from './xml-docs';

/** How a VM template's text or XML is parsed: the version's scanner, not in replace mode. */
export function vmFlavour(version: string): ReturnType<typeof flavourOf> & { multi: true } {
  return { ...flavourOf(version), multi: true };
}

/** one.template.allocate(template): parse (INTERNAL), CREATE (AUTHORIZATION), restricted attributes, NAME, per-owner name. */
export function templateAllocate(ctx: Ctx): Out {
  const { world, caller, p } = ctx;
  const parsed = parseTemplate(p.str(1), vmFlavour(world.version));
  if (!parsed.ok) throw new Failure(EC.INTERNAL, parsed.error);
  checkAuth(ctx, [{ op: 'CREATE', obj: { type: 'TEMPLATE', oid: -1, uid: caller.uid, gid: caller.gid, perms: [0, 0, 0, 0, 0, 0, 0, 0, 0] } }]);
  if (!isAdmin(caller)) {
    const ra = firstRestricted(parsed.template);
    if (ra) throw new Failure(EC.AUTHORIZATION, `VM Template includes a restricted attribute ${ra}`);
  }
  // VMTemplatePool::allocate answers INTERNAL for the name, not ALLOCATE as images do.
  const name = getAttr(parsed.template, 'NAME') ?? '';
  const bad = nameError(name);
  if (bad) throw new Failure(EC.INTERNAL, bad);
  const taken = ownedTemplateNamed(world, caller.uid, name);
  if (taken !== -1) throw new Failure(EC.INTERNAL, `NAME is already taken by TEMPLATE ${taken}.`);
  const id = world.nextTemplate++;
  // VMTemplate::insert erases NAME from the template.
  world.vmTemplates.set(id, { id, uid: caller.uid, gid: caller.gid, name, perms: umaskPerms(), regtime: Math.floor(Date.now() / 1000), template: storable(eraseAttr(parsed.template, 'NAME')) });
  return i4(id);
}

/**
 * one.template.info(id[, extended[, decrypt]]): NO_EXISTS first, then USE (a lock does not refuse it).
 * extended (6.10) merges the images' attributes into each DISK; the simulator answers the template as
 * stored either way. decrypt is read only for admins; nothing is encrypted here.
 */
export function templateInfo(ctx: Ctx): Out {
  const { p, world } = ctx;
  const id = p.int(1);
  if (p.size > 2) p.bool(2);
  const t = requireTemplate(ctx, id);
  checkAuth(ctx, [{ op: 'USE', obj: Object.assign(templateAuth(t), { locked: 0 }) }]);
  if (isAdmin(ctx.caller) && p.size > 3 && world.version !== '5.2') p.bool(3);
  return str(vmTemplateXml(world, t));
}

/** one.templatepool.info(filter, start, end). */
export function templatePoolInfo(ctx: Ctx): Out {
  const list = poolSelect(ctx, ctx.world.vmTemplates.values(), templateAuth);
  return str(`<VMTEMPLATE_POOL>${list.map((t) => vmTemplateXml(ctx.world, t)).join('')}</VMTEMPLATE_POOL>`);
}

/** VirtualMachineDisk::get_image_id: IMAGE_ID, or IMAGE by name with IMAGE_UID / IMAGE_UNAME (default: the caller). */
export function diskImageIds(world: World, t: Template, callerUid: number): number[] {
  const ids = new Set<number>();
  for (const a of t) {
    if (a.name !== 'DISK' || 'value' in a) continue;
    const v = new Map(a.vector);
    if (v.has('IMAGE_ID')) {
      const n = Number(v.get('IMAGE_ID'));
      if (Number.isInteger(n)) ids.add(n);
      continue;
    }
    const name = v.get('IMAGE');
    if (name === undefined) continue;
    const uname = v.get('IMAGE_UNAME');
    const uid = v.has('IMAGE_UID') ? Number(v.get('IMAGE_UID')) : uname !== undefined ? [...world.users.values()].find((u) => u.name === uname)?.id : callerUid;
    const img = [...world.images.values()].find((i) => i.uid === uid && i.name === name);
    if (img) ids.add(img.id);
  }
  return [...ids].sort((x, y) => x - y);
}

/**
 * one.template.delete(id[, recursive]): MANAGE. Only with recursive = true does oned go on to
 * one.image.delete each image the DISKs name (as the caller; a refused one is logged, the answer is
 * still success). Without it no image is touched.
 */
export function templateDelete(ctx: Ctx): Out {
  const id = ctx.p.int(1);
  const recursive = ctx.p.size > 2 ? ctx.p.bool(2) : false;
  const t: VmTemplate = requireTemplate(ctx, id);
  checkAuth(ctx, [{ op: 'MANAGE', obj: templateAuth(t) }]);
  const images = recursive ? diskImageIds(ctx.world, t.template, ctx.caller.uid) : [];
  ctx.world.vmTemplates.delete(id);
  for (const iid of images) {
    try {
      imageDeleteById(ctx, iid, false, true);
    } catch (err) {
      if (!(err instanceof Failure)) throw err;
    }
  }
  return i4(id);
}
