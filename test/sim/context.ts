// What every method handler gets, and the checks they share: object lookup (NO_EXISTS),
// authorisation (AUTHORIZATION) and oned's name rules.
import { authorize, Caller, ObjAuth, Op } from './authz';
import type { Engine } from './engine';
import { EC, Failure } from './messages';
import type { Params } from './params';
import type { Datastore, Image, VmTemplate, World } from './state';
import type { Out } from './wire';

export interface Ctx {
  readonly world: World;
  readonly engine: Engine;
  readonly caller: Caller;
  readonly p: Params;
}

export type Handler = (ctx: Ctx) => Out;

/** The permission view of an image. */
export function imageAuth(img: Image): ObjAuth {
  return { type: 'IMAGE', oid: img.id, uid: img.uid, gid: img.gid, perms: img.perms, locked: img.lock ? img.lock.level : 0 };
}

/** The permission view of a VM template. */
export function templateAuth(t: VmTemplate): ObjAuth {
  return { type: 'TEMPLATE', oid: t.id, uid: t.uid, gid: t.gid, perms: t.perms, locked: t.lock ? t.lock.level : 0 };
}

/** The permission view of a datastore. */
export function datastoreAuth(ds: Datastore): ObjAuth {
  return { type: 'DATASTORE', oid: ds.id, uid: ds.uid, gid: ds.gid, perms: ds.perms };
}

/** The image, or oned's NO_EXISTS failure. */
export function requireImage(ctx: Ctx, id: number): Image {
  const img = ctx.world.images.get(id);
  if (!img) throw new Failure(EC.NO_EXISTS, '', { respId: id, respObj: 'image' });
  return img;
}

/** The VM template, or oned's NO_EXISTS failure ("Error getting virtual machine template [id]."). */
export function requireTemplate(ctx: Ctx, id: number): VmTemplate {
  const t = ctx.world.vmTemplates.get(id);
  if (!t) throw new Failure(EC.NO_EXISTS, '', { respId: id, respObj: 'virtual machine template' });
  return t;
}

/** Throws oned's AUTHORIZATION failure unless every request is allowed. */
export function checkAuth(ctx: Ctx, requests: Array<{ op: Op; obj: ObjAuth }>): void {
  const refused = authorize(ctx.caller, requests);
  if (refused !== null) throw new Failure(EC.AUTHORIZATION, refused);
}

const INVALID_NAME_CHARS = '&|:\\";/\'#{}$<>';

/** PoolObjectSQL::name_is_valid; the error text, or null. Length counts bytes, as std::string does. */
export function nameError(name: string): string | null {
  if (name === '') return 'Invalid NAME, it cannot be empty';
  const bad = [...name].find((ch) => INVALID_NAME_CHARS.includes(ch));
  if (bad !== undefined) return `Invalid NAME, char '${bad}' is not allowed`;
  if (Buffer.byteLength(name, 'utf8') > 128) return 'Invalid NAME, max length is 128 chars';
  return null;
}

/** The id of the image `uid` owns with that name, or -1 (oned's per-owner uniqueness). */
export function ownedImageNamed(world: World, uid: number, name: string): number {
  for (const img of world.images.values()) if (img.uid === uid && img.name === name) return img.id;
  return -1;
}

/** The id of the VM template `uid` owns with that name, or -1 (VMTemplatePool::exist). */
export function ownedTemplateNamed(world: World, uid: number, name: string): number {
  for (const t of world.vmTemplates.values()) if (t.uid === uid && t.name === name) return t.id;
  return -1;
}
