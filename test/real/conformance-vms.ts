// VMs that use images, for the conformance test: VMs created PENDING (no hosts) take their DISK images,
// which then show RUNNING_VMS, VMS, USED / USED_PERS; a persistent image refuses a second VM; deleting
// or making persistent an image in use is refused; terminating the VMs releases the images.
import * as path from 'path';
import { Answer, b, i, parseDoc, s } from '../sim/rpc';
import type { Case, Target } from './conformance';

const STATES = ['INIT', 'READY', 'USED', 'DISABLED', 'LOCKED', 'ERROR', 'CLONE', 'DELETE', 'USED_PERS', 'LOCKED_USED', 'LOCKED_USED_PERS'];

async function ready(t: Target, id: number): Promise<void> {
  for (let k = 0; k < 1200; k++) {
    const a = await t.call(t.sessions.oneadmin, 'one.image.info', i(id), b(false));
    if (a.items[0].v !== true || parseDoc(String(a.items[1].v)).IMAGE[0].STATE !== '4') return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const VM_CASES: Record<string, Case> = {
  async 'using images in VMs'(t, rec, tag) {
    const admin = t.sessions.oneadmin;
    const vms = new Map<number, string>();
    const vmSym = (v: unknown): string => {
      if (!vms.has(Number(v))) vms.set(Number(v), `V${vms.size + 1}`);
      return vms.get(Number(v)) as string;
    };
    /** State, RUNNING_VMS, VMS (as V1, V2 …) and PERSISTENT of an image. */
    const use = (v: unknown): Record<string, unknown> => {
      const img = parseDoc(String(v)).IMAGE[0];
      const ids = img.VMS && img.VMS.ID ? (Array.isArray(img.VMS.ID) ? img.VMS.ID : [img.VMS.ID]) : [];
      return { state: STATES[Number(img.STATE)], runningVms: img.RUNNING_VMS, vms: ids.map(vmSym), persistent: img.PERSISTENT };
    };
    const file = path.join(t.safeDir, 'disk.raw');
    const alloc = async (label: string, name: string, extra: string): Promise<number> => {
      const a = await t.call(admin, 'one.image.allocate', s(`NAME = "${name}"\nPATH = "${file}"\nTYPE = "OS"\n${extra}`), i(1));
      rec.record(label, a, (v) => rec.image(Number(v)));
      return Number(a.items[1].v);
    };
    const plain = await alloc('allocate an image', `${tag}-plain`, '');
    const pers = await alloc('allocate a persistent image', `${tag}-pers`, 'PERSISTENT = "YES"\n');
    await ready(t, plain);
    await ready(t, pers);
    const info = (label: string, id: number): Promise<unknown> => t.call(admin, 'one.image.info', i(id), b(false)).then((a) => rec.record(label, a, use));
    const vm = (label: string, ...ids: number[]): Promise<Answer> =>
      t.call(admin, 'one.vm.allocate', s(`NAME = "${tag}-vm"\nMEMORY = "64"\nCPU = "0.1"\n${ids.map((d) => `DISK = [ IMAGE_ID = "${d}" ]`).join('\n')}`), b(false)).then((a) => {
        rec.record(label, a, vmSym);
        return a;
      });
    const v1 = Number((await vm('a VM with both images', plain, pers)).items[1].v);
    await info('the plain image', plain);
    await info('the persistent image', pers);
    const v2 = Number((await vm('a second VM with the plain image', plain)).items[1].v);
    await info('the plain image, two VMs', plain);
    await vm('a VM with the persistent image in use', plain, pers);
    await info('the plain image after the refused VM', plain);
    rec.record('delete the plain image', await t.call(admin, 'one.image.delete', i(plain), b(false)));
    rec.record('delete the persistent image', await t.call(admin, 'one.image.delete', i(pers), b(false)));
    rec.record('make the plain image persistent', await t.call(admin, 'one.image.persistent', i(plain), b(true)));
    rec.record('terminate the first VM', await t.call(admin, 'one.vm.action', s('terminate-hard'), i(v1)), vmSym);
    await info('the plain image, one VM', plain);
    await info('the persistent image, no VM', pers);
    rec.record('terminate the second VM', await t.call(admin, 'one.vm.action', s('terminate-hard'), i(v2)), vmSym);
    await info('the plain image, no VM', plain);
    rec.record('make it persistent now', await t.call(admin, 'one.image.persistent', i(plain), b(true)), (v) => rec.image(Number(v)));
    await info('the plain image, persistent', plain);
    rec.record('chown it to its owner and group', await t.call(admin, 'one.image.chown', i(plain), i(0), i(0)), (v) => rec.image(Number(v)));
    rec.record('delete it', await t.call(admin, 'one.image.delete', i(plain), b(false)), (v) => rec.image(Number(v)));
    rec.record('delete the other', await t.call(admin, 'one.image.delete', i(pers), b(false)), (v) => rec.image(Number(v)));
  },
};
