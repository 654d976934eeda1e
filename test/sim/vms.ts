// VMs that use images, as far as images see them: ImageManager::acquire_image when a VM is created
// (RUNNING_VMS + 1, its id in VMS, READY -> USED or USED_PERS) and release_image when it is
// terminated (back to READY when no VM is left). 6.10.5's src/image/ImageManagerActions.cc.
import { S } from './engine';
import type { Image, World } from './state';
import { STATE_NAMES, TYPE_NAMES } from './state';
import { diskImageIds } from './vm-templates';

/** A VM: only what images and templates need. */
export interface Vm {
  id: number;
  uid: number;
  templateId?: number;
  imageIds: number[];
  /** Made by setRunningVms rather than addVm. */
  anonymous: boolean;
}

const fail = (msg: string): never => {
  throw new Error(`oned simulator: ${msg}`);
};

/** oned's refusal to let a VM take an image, in its words. */
export class AcquireError extends Error {}

// ImageManager::acquire_image (not an attach); a LOCKED image is refused here although oned's deploy
// could take it (LOCKED_USED): the simulator's VMs never do.
function acquire(vmId: number, img: Image, w: World): void {
  const refuse = (msg: string): never => {
    throw new AcquireError(msg);
  };
  if (![0, 1, 2].includes(img.type)) refuse(`Image ${img.id} (${img.name}) of type ${TYPE_NAMES[img.type]} cannot be used as DISK.`);
  const shareable = (img.template.find((a) => a.name === 'PERSISTENT_TYPE' && 'value' in a) as { value: string } | undefined)?.value.toUpperCase() === 'SHAREABLE';
  if (img.state === S.USED_PERS && !shareable) refuse(`Cannot acquire image ${img.id}, it is persistent and already in use`);
  if (img.state !== S.READY && img.state !== S.USED && img.state !== S.USED_PERS) {
    refuse(`Cannot acquire image ${img.id}, it is in state: ${STATE_NAMES[img.state]}`);
  }
  if (!img.vmIds.includes(vmId)) img.vmIds.push(vmId);
  img.runningVms = img.vmIds.length;
  if (img.state === S.READY) w.setState(img, img.persistent ? S.USED_PERS : S.USED);
}

// ImageManager::release_image: USED / USED_PERS back to READY at 0 (LOCKED_USED* to LOCKED). A state
// forced by setImageState (DISABLED, ERROR ...) is left alone, the VM's id is dropped all the same.
function release(vmId: number, img: Image, w: World): void {
  img.vmIds = img.vmIds.filter((id) => id !== vmId);
  img.runningVms = img.vmIds.length;
  if (img.runningVms > 0) return;
  if (img.state === S.USED || img.state === S.USED_PERS) w.setState(img, S.READY);
  else if (img.state === 9 || img.state === 10) w.setState(img, S.LOCKED);
}

/**
 * Takes the images of a new VM in DISK order (undefined: a DISK without an image; a string: oned's
 * refusal to find it). On the first refusal every image taken is released: its index and message.
 */
export function takeImages(w: World, vmId: number, disks: Array<number | string | undefined>): { disk: number; message: string } | null {
  const taken: Image[] = [];
  for (let k = 0; k < disks.length; k++) {
    const d = disks[k];
    try {
      if (d === undefined) continue;
      if (typeof d === 'string') throw new AcquireError(d);
      const img = w.images.get(d);
      if (!img) throw new AcquireError(`Image with ID: ${d} does not exist`);
      acquire(vmId, img, w);
      taken.push(img);
    } catch (err) {
      if (!(err instanceof AcquireError)) throw err;
      for (const img of taken) release(vmId, img, w);
      return { disk: k, message: err.message };
    }
  }
  return null;
}

/** Creates a VM using `images` (default: the DISK images of `templateId`); all acquired or none. */
export function addVm(w: World, v: { images?: number[]; templateId?: number; uid?: number }, anonymous = false): number {
  const uid = v.uid ?? 0;
  if (!w.users.has(uid)) fail(`user ${uid} does not exist`);
  const tmpl = v.templateId === undefined ? undefined : w.vmTemplates.get(v.templateId);
  if (v.templateId !== undefined && !tmpl) fail(`template ${v.templateId} does not exist`);
  const ids = [...new Set(v.images ?? (tmpl ? diskImageIds(w, tmpl.template, uid) : []))];
  const id = w.nextVm;
  const refused = takeImages(w, id, ids);
  if (refused) fail(refused.message);
  w.nextVm++;
  w.vms.set(id, { id, uid, templateId: v.templateId, imageIds: ids, anonymous });
  return id;
}

/** Terminates a VM: each of its images is released. */
export function removeVm(w: World, id: number): void {
  const vm = w.vms.get(id) ?? fail(`VM ${id} does not exist`);
  for (const iid of vm.imageIds) {
    const img = w.images.get(iid);
    if (img) release(id, img, w);
  }
  w.vms.delete(id);
}

/**
 * Sets the running VMs of an image: adds VMs using only it, or terminates VMs using it (those made
 * this way first, newest first). oned lets no VM take a DISABLED, ERROR or LOCKED image: that throws.
 */
export function setRunning(w: World, img: Image, n: number): void {
  if (n > img.runningVms && [S.DISABLED, S.ERROR, S.LOCKED].includes(img.state as never)) {
    fail(`image ${img.id} is ${STATE_NAMES[img.state]}: oned lets no VM take it`);
  }
  while (img.runningVms < n) addVm(w, { images: [img.id] }, true);
  const users = [...w.vms.values()].filter((vm) => vm.imageIds.includes(img.id)).sort((a, b) => Number(b.anonymous) - Number(a.anonymous) || b.id - a.id);
  for (const vm of users) {
    if (img.runningVms <= n) break;
    removeVm(w, vm.id);
  }
}
