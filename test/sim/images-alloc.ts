// one.image.allocate(template, ds_id[, skip_capacity]) in oned's order: parse, datastore, SIZE
// from the driver's stat, capacity, authorisation, name and type checks, then LOCKED + copy.
import { isAdmin, umaskPerms } from './authz';
import { checkAuth, Ctx, datastoreAuth, nameError, ownedImageNamed } from './context';
import { capacity, statImage } from './datastores';
import { S } from './engine';
import { EC, Failure } from './messages';
import { TYPE_NAMES } from './state';
import { eraseAttr, getAttr, parseTemplate, setAttr, storable, Template } from './templates';
import { i4, Out } from './wire';

const FILE_TYPES = ['KERNEL', 'RAMDISK', 'CONTEXT'];

/** The flavour of oned's template scanner for a version. */
export function flavourOf(version: string): { ccdata: boolean; columnsWord: string } {
  return { ccdata: version !== '5.2', columnsWord: version === '6.10' ? 'columns' : 'column' };
}

function sizeAttr(t: Template): number {
  const size = getAttr(t, 'SIZE');
  if (size === undefined || !/^\s*[+-]?\d+\s*$/.test(size)) throw new Error('Wrong number or missing SIZE attribute.');
  return Number(size);
}

// ImageManager::stat_image
function statSize(t: Template, type: string): { sizeMb: number; kind: 'copy' | 'mkfs' | 'source' } {
  const source = getAttr(t, 'SOURCE') || '';
  const path = getAttr(t, 'PATH') || '';
  if (source) return { sizeMb: sizeAttr(t), kind: 'source' };
  if (!path) {
    if (['CDROM', ...FILE_TYPES].includes(type)) throw new Error(`Either PATH or SOURCE are required for ${type}`);
    return { sizeMb: sizeAttr(t), kind: 'mkfs' };
  }
  const st = statImage(path);
  if (!st.ok) throw new Error(st.error);
  return { sizeMb: st.sizeMb, kind: 'copy' };
}

/** one.image.allocate. */
export function imageAllocate(ctx: Ctx): Out {
  const { world, caller, p } = ctx;
  const text = p.str(1);
  const dsId = p.int(2);
  const skipCapacity = p.size > 3 && isAdmin(caller) ? p.bool(3) : false;
  const parsed = parseTemplate(text, flavourOf(world.version));
  if (!parsed.ok) throw new Failure(EC.INTERNAL, parsed.error);
  let t = parsed.template;
  const ds = world.datastores.get(dsId);
  if (!ds) throw new Failure(EC.NO_EXISTS, '', { respId: dsId, respObj: 'datastore' });
  if (ds.type === 1) throw new Failure(EC.ALLOCATE, 'New images can only be allocated in a files or image datastore.');
  const typeName = (getAttr(t, 'TYPE') || 'OS').toUpperCase();
  let stat: ReturnType<typeof statSize>;
  try {
    stat = statSize(t, typeName);
  } catch (err) {
    throw new Failure(EC.INTERNAL, `Cannot parse image SIZE: ${(err as Error).message}`);
  }
  if (!skipCapacity && stat.sizeMb > capacity(world.root).free) throw new Failure(EC.ACTION, 'Not enough space in datastore');
  // IMAGE_RESTRICTED_ATTR: only the oneadmin group may set these (RequestManagerAllocate, ImageAllocate).
  if (!isAdmin(caller)) {
    const restricted = world.restrictedImageAttrs.find((a) => getAttr(t, a) !== undefined);
    if (restricted) throw new Failure(EC.AUTHORIZATION, `Template includes a restricted attribute ${restricted}`);
  }
  checkAuth(ctx, [
    { op: 'CREATE', obj: { type: 'IMAGE', oid: -1, uid: caller.uid, gid: caller.gid, perms: [0, 0, 0, 0, 0, 0, 0, 0, 0] } },
    { op: 'USE', obj: datastoreAuth(ds) },
  ]);
  const name = getAttr(t, 'NAME') || '';
  const bad = nameError(name);
  if (bad) throw new Failure(EC.ALLOCATE, bad);
  const taken = ownedImageNamed(world, caller.uid, name);
  if (taken !== -1) throw new Failure(EC.ALLOCATE, `NAME is already taken by IMAGE ${taken}.`);
  const type = TYPE_NAMES.indexOf(typeName);
  if (type < 0 || typeName === 'BACKUP') throw new Failure(EC.ALLOCATE, `Unknown type ${typeName}`);
  if (ds.type === 2 && !FILE_TYPES.includes(typeName)) {
    throw new Failure(EC.ALLOCATE, 'Only IMAGES of type KERNEL, RAMDISK and CONTEXT can be registered in a FILE_DS datastore');
  }
  if (ds.type === 0 && FILE_TYPES.includes(typeName)) {
    throw new Failure(EC.ALLOCATE, 'IMAGES of type KERNEL, RAMDISK and CONTEXT cannot be registered in an IMAGE_DS datastore');
  }
  const source = getAttr(t, 'SOURCE') || '';
  const path = getAttr(t, 'PATH') || '';
  if (source && path) throw new Failure(EC.ALLOCATE, 'Template malformed, PATH and SOURCE are mutually exclusive.');
  const v6 = world.version === '6.10';
  const format = getAttr(t, v6 ? 'FORMAT' : 'FSTYPE') || 'raw';
  const fs = getAttr(t, 'FS') || '';
  const persistent = /^yes$/i.test(getAttr(t, 'PERSISTENT') || '');
  for (const n of ['NAME', 'TYPE', 'PATH', 'SOURCE', 'SIZE', 'PERSISTENT', v6 ? 'FORMAT' : 'FSTYPE', ...(v6 ? ['FS'] : [])]) t = eraseAttr(t, n);
  if (getAttr(t, 'DEV_PREFIX') === undefined) t = setAttr(t, { name: 'DEV_PREFIX', value: 'hd' });
  const id = world.nextImage++;
  const img = {
    id,
    uid: caller.uid,
    gid: caller.gid,
    name,
    perms: umaskPerms(),
    type,
    persistent,
    regtime: Math.floor(Date.now() / 1000),
    source,
    path,
    format,
    fs,
    sizeMb: stat.sizeMb,
    state: 0,
    prevState: 0,
    runningVms: 0,
    vmIds: [],
    dsId,
    template: storable(t),
  };
  world.images.set(id, img);
  world.setState(img, stat.kind === 'source' ? S.READY : S.LOCKED);
  if (stat.kind !== 'source') ctx.engine.register(img, ds, stat.kind);
  return i4(id);
}
