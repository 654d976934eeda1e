// one.image.enable and one.image.delete (ImageManager::enable_image / delete_image rules).
import { checkAuth, Ctx, imageAuth, requireImage } from './context';
import { S, unlockState } from './engine';
import { EC, Failure } from './messages';
import { STATE_NAMES } from './state';
import { i4, Out } from './wire';

/** one.image.enable(id, flag): enable DISABLED/ERROR -> READY; disable READY/ERROR -> DISABLED. */
export function imageEnable(ctx: Ctx): Out {
  const id = ctx.p.int(1);
  const enable = ctx.p.bool(2);
  const img = requireImage(ctx, id);
  checkAuth(ctx, [{ op: 'MANAGE', obj: imageAuth(img) }]);
  const s = img.state;
  const refuse = (): never => {
    const what = enable ? 'enable' : 'disable';
    throw new Failure(EC.INTERNAL, `Could not ${what} image: Image cannot be in state ${STATE_NAMES[s]}.`);
  };
  if (enable) {
    if (s === S.DISABLED) ctx.world.setState(img, S.READY);
    else if (s === S.ERROR) ctx.world.setState(img, ctx.world.version === '6.10' ? unlockState(img) : S.READY);
    else if (s !== S.READY) refuse();
  } else if (s === S.READY || s === S.ERROR) {
    ctx.world.setState(img, S.DISABLED);
  } else if (s !== S.DISABLED) {
    refuse();
  }
  return i4(id);
}

const IN_USE = [S.USED, S.USED_PERS, 9, 10];

/** one.image.delete(id[, force]): refused while VMs use it; a LOCKED image needs ADMIN (5.8) or force (6.10). */
export function imageDelete(ctx: Ctx): Out {
  const { world, p } = ctx;
  const id = p.int(1);
  const force = world.version === '6.10' && p.size > 2 ? p.bool(2) : false;
  imageDeleteById(ctx, id, force);
  return i4(id);
}

/**
 * ImageDelete for one image. `viaTemplate`: a recursive one.template.delete, which calls
 * RequestManagerDelete::delete_object directly: no locked-image check, MANAGE only.
 */
export function imageDeleteById(ctx: Ctx, id: number, force: boolean, viaTemplate = false): void {
  const { world } = ctx;
  const img = requireImage(ctx, id);
  const locked = [S.LOCKED, 9, 10].includes(img.state as never) && world.version !== '5.2' && !viaTemplate;
  if (locked && world.version === '6.10' && !force) {
    throw new Failure(EC.INTERNAL, 'Image locked, use --force flag to remove the image. Force delete may leave some files on Datastore', { respId: id });
  }
  // deleting a locked image needs ADMIN on it, which by default only oneadmin's group has
  checkAuth(ctx, [{ op: locked ? 'ADMIN' : 'MANAGE', obj: imageAuth(img) }]);
  const inUse = IN_USE.includes(img.state as never) || (img.state === S.READY && img.runningVms > 0);
  if (inUse) throw new Failure(EC.ACTION, `Cannot delete image. There are ${img.runningVms} VMs using it.`);
  if (img.state === 6) throw new Failure(EC.ACTION, 'Cannot delete image. There are 0 active clone operations.');
  ctx.engine.remove(img);
}

/**
 * one.image.persistent(id, flag): MANAGE; OS, DATABLOCK and CDROM only; refused while a VM uses
 * the image or it is being cloned (Image::persistent).
 */
export function imagePersistent(ctx: Ctx): Out {
  const id = ctx.p.int(1);
  const flag = ctx.p.bool(2);
  const img = requireImage(ctx, id);
  checkAuth(ctx, [{ op: 'MANAGE', obj: imageAuth(img) }]);
  if ([3, 4, 5].includes(img.type)) throw new Failure(EC.ACTION, 'KERNEL, RAMDISK and CONTEXT must be non-persistent');
  if ([S.USED, S.CLONE, S.USED_PERS, 9, 10].includes(img.state as never)) {
    throw new Failure(EC.INTERNAL, `Could not make image ${flag ? 'persistent' : 'non-persistent'}: Image cannot be in state ${STATE_NAMES[img.state]}.`);
  }
  img.persistent = flag;
  return i4(id);
}
