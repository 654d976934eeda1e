// VMs that use images (ImageManager::acquire_image / release_image / delete_image of 6.10.5), seen
// through the project's real client: RUNNING_VMS, VMS, USED / USED_PERS / READY, a refused delete,
// one.image.persistent, and setRunningVms alongside addVm.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OneError } from '../../src/errors';
import { createOneClient } from '../../src/one/client';
import { IMAGE_STATE, type OneApi } from '../../src/one/types';
import { startSimulator, Simulator, SimVersion } from './index';
import { admin as rawAdmin, b, call, i, ok, s } from './rpc';

let sim: Simulator;
let api: OneApi;
afterEach(async () => sim?.close());

async function failure(p: Promise<unknown>): Promise<OneError> {
  const e = await p.then(
    () => new Error('expected a failure'),
    (err: Error) => err,
  );
  if (!(e instanceof OneError)) throw e;
  return e;
}

describe.each(['5.2', '5.8', '6.10'] as SimVersion[])('oned %s', (version) => {
  beforeEach(async () => {
    sim = await startSimulator({ version, copyDelayMs: 0, deleteDelayMs: 0 });
    api = createOneClient({ endpoint: sim.url, session: 'oneadmin:opennebula' });
  });
  const label = (m: string, cls: string): string => (version === '5.2' ? cls : m);

  it('a VM takes its images: RUNNING_VMS, VMS and USED, or USED_PERS for a persistent one; READY again when the last goes', async () => {
    const plain = sim.addImage({ name: 'plain' });
    const pers = sim.addImage({ name: 'pers', persistent: true });
    const vm1 = sim.addVm({ images: [plain, pers] });
    const vm2 = sim.addVm({ images: [plain] });
    expect(await api.imageInfo(plain)).toMatchObject({ state: IMAGE_STATE.USED, runningVms: 2, vms: [vm1, vm2] });
    expect(await api.imageInfo(pers)).toMatchObject({ state: IMAGE_STATE.USED_PERS, runningVms: 1, vms: [vm1], persistent: true });
    sim.removeVm(vm1);
    expect(await api.imageInfo(plain)).toMatchObject({ state: IMAGE_STATE.USED, runningVms: 1, vms: [vm2] });
    expect(await api.imageInfo(pers)).toMatchObject({ state: IMAGE_STATE.READY, runningVms: 0, vms: [] });
    sim.removeVm(vm2);
    expect(await api.imageInfo(plain)).toMatchObject({ state: IMAGE_STATE.READY, runningVms: 0, vms: [] });
    expect(sim.vms()).toEqual([]);
    expect(() => sim.removeVm(vm2)).toThrow(/VM \d+ does not exist/);
  });

  it('a persistent image in use, a DISABLED one or a missing one is refused, and then no image is taken', async () => {
    const plain = sim.addImage({ name: 'plain' });
    const pers = sim.addImage({ name: 'pers', persistent: true });
    const off = sim.addImage({ name: 'off', state: 'DISABLED' });
    sim.addVm({ images: [pers] });
    expect(() => sim.addVm({ images: [plain, pers] })).toThrow(`Cannot acquire image ${pers}, it is persistent and already in use`);
    expect(() => sim.addVm({ images: [plain, off] })).toThrow(`Cannot acquire image ${off}, it is in state: DISABLED`);
    expect(() => sim.addVm({ images: [plain, 99] })).toThrow('Image with ID: 99 does not exist');
    expect(sim.image(plain)).toMatchObject({ stateName: 'READY', runningVms: 0, vms: [] });
  });

  it('one.image.delete of an image VMs use fails as oned fails; it succeeds once they are gone', async () => {
    const img = sim.addImage({ name: 'busy' });
    const vms = [sim.addVm({ images: [img] }), sim.addVm({ images: [img] })];
    const e = await failure(api.imageDelete(img, false));
    expect([e.oneMessage, e.oneClass]).toEqual([`[${label('one.image.delete', 'ImageDelete')}] Cannot delete image. There are 2 VMs using it.`, 'ACTION']);
    vms.forEach((vm) => sim.removeVm(vm));
    await api.imageDelete(img, false);
    await sim.settle();
    expect(sim.image(img)).toBeUndefined();
  });

  it('a VM from a template takes the images its DISKs name', async () => {
    const a = sim.addImage({ name: 'a' });
    const b2 = sim.addImage({ name: 'b' });
    const tid = sim.addTemplate({ name: 't', template: { DISK: [{ IMAGE_ID: String(a) }, { IMAGE: 'b', IMAGE_UNAME: 'oneadmin' }] } });
    const vm = sim.addVm({ templateId: tid });
    expect(sim.vms()).toEqual([{ id: vm, uid: 0, images: [a, b2], templateId: tid }]);
    expect([sim.image(a)?.stateName, sim.image(b2)?.stateName]).toEqual(['USED', 'USED']);
    // deleting the template, even recursively, leaves images VMs use
    expect((await rawAdmin(sim.url, 'one.template.delete', i(tid), b(true))).items[0].v).toBe(true);
    expect(sim.images().map((x) => x.id)).toEqual([a, b2]);
  });

  it('one.image.persistent: MANAGE, refused while a VM uses the image', async () => {
    const img = sim.addImage({ name: 'p' });
    const vm = sim.addVm({ images: [img] });
    const refused = await rawAdmin(sim.url, 'one.image.persistent', i(img), b(true));
    expect(refused.items[1].v).toBe(`[${label('one.image.persistent', 'ImagePersistent')}] Could not make image persistent: Image cannot be in state USED.`);
    sim.removeVm(vm);
    expect((await rawAdmin(sim.url, 'one.image.persistent', i(img), b(true))).items[0].v).toBe(true);
    sim.addVm({ images: [img] });
    expect(await api.imageInfo(img)).toMatchObject({ persistent: true, state: IMAGE_STATE.USED_PERS });
    const u = sim.addUser({ name: 'u', password: 'u' });
    const theirs = sim.addImage({ name: 'q', uid: 0, mode: '644' });
    const no = await call(sim.url, 'one.image.persistent', s('u:u'), i(theirs), b(true));
    expect(no.items[1].v).toBe(`[${label('one.image.persistent', 'ImagePersistent')}] User [${u}] : Not authorized to perform MANAGE IMAGE [${theirs}].`);
    expect(sim.image(theirs)?.persistent).toBe(false);
  });

  it('one.vm.allocate takes the DISK images (all or none), one.vm.action terminate releases them', async () => {
    const plain = sim.addImage({ name: 'plain' });
    const pers = sim.addImage({ name: 'pers', persistent: true });
    const tmpl = (...ids: number[]): string => `NAME = "vm"\nMEMORY = "64"\nDISK = [ SIZE = "10", TYPE = "fs" ]\n${ids.map((d) => `DISK = [ IMAGE_ID = "${d}" ]`).join('\n')}`;
    const v1 = ok(await rawAdmin(sim.url, 'one.vm.allocate', s(tmpl(plain, pers)), b(false))) as number;
    expect(sim.vms()).toEqual([{ id: v1, uid: 0, images: [plain, pers] }]);
    const refused = await rawAdmin(sim.url, 'one.vm.allocate', s(tmpl(plain, pers)), b(false));
    expect(refused.items[1].v).toBe(`[${label('one.vm.allocate', 'VirtualMachineAllocate')}] DISK 2: Cannot acquire image ${pers}, it is persistent and already in use`);
    const byName = await rawAdmin(sim.url, 'one.vm.allocate', s('NAME = "vm"\nDISK = [ IMAGE = "nope" ]'), b(false));
    expect(byName.items[1].v).toBe(`[${label('one.vm.allocate', 'VirtualMachineAllocate')}] DISK 0: User 0 does not own an image with name: nope . Set IMAGE_UNAME or IMAGE_UID of owner in DISK.`);
    expect(sim.image(plain)).toMatchObject({ runningVms: 1, vms: [v1] });
    ok(await rawAdmin(sim.url, 'one.vm.action', s('terminate-hard'), i(v1)));
    expect([sim.image(plain)?.stateName, sim.image(pers)?.stateName, sim.vms()]).toEqual(['READY', 'READY', []]);
    const gone = await rawAdmin(sim.url, 'one.vm.action', s('terminate-hard'), i(v1));
    expect(gone.items[1].v).toBe(`[${label('one.vm.action', 'VirtualMachineAction')}] Error getting virtual machine [${v1}].`);
  });

  it('setRunningVms still works, and terminates its own VMs before those of addVm', async () => {
    const img = sim.addImage({ name: 'n', runningVms: 2 });
    const mine = sim.addVm({ images: [img] });
    expect(sim.image(img)).toMatchObject({ runningVms: 3, stateName: 'USED' });
    sim.setRunningVms(img, 1);
    expect(sim.image(img)).toMatchObject({ runningVms: 1, vms: [mine] });
    sim.setRunningVms(img, 0);
    expect(sim.image(img)).toMatchObject({ runningVms: 0, vms: [], stateName: 'READY' });
    expect(sim.vms()).toEqual([]);
  });
});
