// one.vm.allocate and one.vm.action terminate/terminate-hard, only as far as images see VMs: a VM is
// created PENDING (the simulator has no hosts, as a fresh oned) and takes its DISK images at once
// (VirtualMachine::insert -> get_disk_images); terminating a PENDING VM releases them
// (DispatchManager::terminate -> free_vm_resources). Nothing else of a VM is simulated.
import { isAdmin, ObjAuth, Op } from './authz';
import { checkAuth, Ctx, imageAuth } from './context';
import { EC, Failure } from './messages';
import { parseTemplate } from './templates';
import { firstRestricted } from './vm-restricted';
import { vmFlavour } from './vm-templates';
import { removeVm, takeImages } from './vms';
import { i4, Out } from './wire';

// VirtualMachineDisk::get_image_id / ImagePool::acquire_disk: IMAGE_ID, or IMAGE by owner; no image: a volatile disk.
function diskImage(ctx: Ctx, v: Map<string, string>): number | string | undefined {
  const { world } = ctx;
  if (v.has('IMAGE_ID')) return Number(v.get('IMAGE_ID'));
  const name = v.get('IMAGE');
  if (name === undefined) return undefined;
  const uname = v.get('IMAGE_UNAME');
  const uid = v.has('IMAGE_UID') ? Number(v.get('IMAGE_UID')) : uname !== undefined ? [...world.users.values()].find((u) => u.name === uname)?.id ?? -1 : ctx.caller.uid;
  const img = [...world.images.values()].find((i) => i.uid === uid && i.name === name);
  return img ? img.id : `User ${uid} does not own an image with name: ${name} . Set IMAGE_UNAME or IMAGE_UID of owner in DISK.`;
}

/** one.vm.allocate(template[, hold]): CREATE VM and USE on each DISK's image; the images are taken in DISK order, or none. */
export function vmAllocate(ctx: Ctx): Out {
  const { world, caller, p } = ctx;
  const parsed = parseTemplate(p.str(1), vmFlavour(world.version));
  if (!parsed.ok) throw new Failure(EC.INTERNAL, parsed.error);
  if (!isAdmin(caller)) {
    const ra = firstRestricted(parsed.template);
    if (ra) throw new Failure(EC.AUTHORIZATION, `VM Template includes a restricted attribute ${ra}`);
  }
  const disks = parsed.template.filter((a) => a.name === 'DISK' && !('value' in a)).map((a) => diskImage(ctx, new Map('vector' in a ? a.vector : [])));
  const requests: Array<{ op: Op; obj: ObjAuth }> = [{ op: 'CREATE', obj: { type: 'VM', oid: -1, uid: caller.uid, gid: caller.gid, perms: [0, 0, 0, 0, 0, 0, 0, 0, 0] } }];
  for (const d of disks) {
    const img = typeof d === 'number' ? world.images.get(d) : undefined;
    if (img) requests.push({ op: 'USE', obj: imageAuth(img) });
  }
  checkAuth(ctx, requests);
  const id = world.nextVm;
  const refused = takeImages(world, id, disks);
  if (refused) throw new Failure(EC.INTERNAL, `DISK ${refused.disk}: ${refused.message}`);
  world.nextVm++;
  const imageIds = [...new Set(disks.filter((d): d is number => typeof d === 'number'))];
  world.vms.set(id, { id, uid: caller.uid, imageIds, anonymous: false });
  return i4(id);
}

/** one.vm.action(action, id): only terminate and terminate-hard, by the VM's owner or an admin. */
export function vmAction(ctx: Ctx): Out {
  const action = ctx.p.str(1);
  const id = ctx.p.int(2);
  const vm = ctx.world.vms.get(id);
  if (!vm) throw new Failure(EC.NO_EXISTS, '', { respId: id, respObj: 'virtual machine' });
  const owner = ctx.world.users.get(vm.uid);
  checkAuth(ctx, [{ op: 'MANAGE', obj: { type: 'VM', oid: id, uid: vm.uid, gid: owner ? owner.gid : 0, perms: [1, 1, 0, 0, 0, 0, 0, 0, 0] } }]);
  if (action !== 'terminate' && action !== 'terminate-hard') throw new Failure(EC.XML_RPC_API, `oned simulator: action ${action} is not simulated`);
  removeVm(ctx.world, id);
  return i4(id);
}
