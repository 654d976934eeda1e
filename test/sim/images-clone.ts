// one.image.clone(id, name[, ds_id]) as 6.10's ImageClone::request_execute and ImagePool::allocate do it:
// the source must be an OS/DATABLOCK/CDROM image in READY, USED or CLONE; the caller needs USE on it,
// CREATE image and USE on the datastore; the copy carries every template attribute of the source
// (VCENTER_IMPORTED left out), belongs to the caller with the umask's mode, and is LOCKED until the
// driver's clone ends, while the source shows CLONE. Restricted attributes are not checked: a clone may
// carry what its owner could not have set.
import { S } from './engine';
import { checkAuth, Ctx, datastoreAuth, imageAuth, nameError, ownedImageNamed, requireImage } from './context';
import { umaskPerms } from './authz';
import { capacity } from './datastores';
import { EC, Failure } from './messages';
import { STATE_NAMES } from './state';
import { eraseAttr } from './templates';
import { i4, Out } from './wire';

const NOT_CLONABLE = [3, 4, 5, 6]; // KERNEL, RAMDISK, CONTEXT, BACKUP

/** one.image.clone. */
export function imageClone(ctx: Ctx): Out {
  const { world, caller, p } = ctx;
  const id = p.int(1);
  const name = p.str(2);
  const src = requireImage(ctx, id);
  if (NOT_CLONABLE.includes(src.type)) throw new Failure(EC.ACTION, 'KERNEL, RAMDISK, BACKUP and CONTEXT cannot be cloned.');
  const dsId = p.size > 3 ? p.int(3) : src.dsId;
  const ds = world.datastores.get(dsId);
  if (!ds) throw new Failure(EC.NO_EXISTS, '', { respId: dsId, respObj: 'datastore' });
  if (ds.type !== 0) throw new Failure(EC.ACTION, 'Clone only supported for IMAGE_DS Datastores');
  if (src.sizeMb > capacity(world.root).free) throw new Failure(EC.ACTION, 'Not enough space in datastore');
  checkAuth(ctx, [
    { op: 'CREATE', obj: { type: 'IMAGE', oid: -1, uid: caller.uid, gid: caller.gid, perms: [0, 0, 0, 0, 0, 0, 0, 0, 0] } },
    { op: 'USE', obj: imageAuth(src) },
    { op: 'USE', obj: datastoreAuth(ds) },
  ]);
  const bad = nameError(name);
  if (bad) throw new Failure(EC.ALLOCATE, bad);
  const taken = ownedImageNamed(world, caller.uid, name);
  if (taken !== -1) throw new Failure(EC.ALLOCATE, `NAME is already taken by IMAGE ${taken}.`);
  if (![S.READY, S.USED, S.CLONE].includes(src.state as 1)) throw new Failure(EC.ALLOCATE, `Cannot clone image in state: ${STATE_NAMES[src.state]}`);
  const newId = world.nextImage++;
  const img = {
    id: newId,
    uid: caller.uid,
    gid: caller.gid,
    name,
    perms: umaskPerms(),
    type: src.type,
    persistent: src.persistent,
    regtime: Math.floor(Date.now() / 1000),
    source: '',
    path: src.source,
    format: src.format,
    fs: src.fs,
    sizeMb: src.sizeMb,
    state: 0,
    prevState: 0,
    runningVms: 0,
    vmIds: [],
    dsId,
    template: eraseAttr(src.template, 'VCENTER_IMPORTED'),
  };
  world.images.set(newId, img);
  world.setState(img, S.LOCKED);
  ctx.engine.clone(img, src, ds);
  return i4(newId);
}
