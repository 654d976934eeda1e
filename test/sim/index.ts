// The oned simulator: a real XML-RPC server on 127.0.0.1 with OpenNebula 5.2/5.8/6.10 semantics,
// plus set-up helpers and fault injection for tests.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Engine, REALISTIC_DELETE_MS } from './engine';
import { Faults } from './faults';
import { addImage, STATE_BY_NAME, toSim } from './helpers';
import { addVm, removeVm, setRunning } from './vms';
import { listen } from './server';
import { addTemplate, toSimTemplate } from './vm-template-helpers';
import { defaultWorld, Image, putUser, VmTemplate } from './state';
import { fromRecord, setAttr } from './templates';
import type { SimCall, SimOptions, Simulator } from './types';

export type { SimCall, SimFault, SimImage, SimInjection, SimOptions, SimStateName, SimTemplateInput, SimVersion, SimVmTemplate, Simulator } from './types';

/** Starts a simulator on a random 127.0.0.1 port. */
export async function startSimulator(opts: SimOptions = {}): Promise<Simulator> {
  const version = opts.version ?? '6.10';
  const ownRoot = opts.root === undefined;
  if (opts.root !== undefined) fs.mkdirSync(opts.root, { recursive: true });
  const root = fs.realpathSync(opts.root ?? fs.mkdtempSync(path.join(os.tmpdir(), 'oned-sim-')));
  const world = defaultWorld(version, root);
  if (opts.imageRestrictedAttrs) world.restrictedImageAttrs = opts.imageRestrictedAttrs.map((a) => a.toUpperCase());
  putUser(world, { id: 0, name: 'oneadmin', password: opts.adminPassword ?? 'opennebula', gid: 0 });
  putUser(world, { id: 1, name: 'serveradmin', password: 'serveradmin', gid: 0, authDriver: 'server_cipher' });
  const engine = new Engine(world, { copyDelayMs: opts.copyDelayMs, deleteDelayMs: opts.deleteDelayMs ?? REALISTIC_DELETE_MS });
  const faults = new Faults();
  const calls: SimCall[] = [];
  const server = await listen({ world, engine, faults, calls }, opts.tls);
  const mustImage = (id: number): Image => {
    const img = world.images.get(id);
    if (!img) throw new Error(`oned simulator: image ${id} does not exist`);
    return img;
  };
  const mustTemplate = (id: number): VmTemplate => {
    const t = world.vmTemplates.get(id);
    if (!t) throw new Error(`oned simulator: template ${id} does not exist`);
    return t;
  };
  return {
    url: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${server.port}/RPC2`,
    version,
    root,
    calls,
    async close() {
      await server.close();
      await engine.close();
      if (ownRoot) fs.rmSync(root, { recursive: true, force: true });
    },
    clearCalls: () => void calls.splice(0, calls.length),
    addGroup(name) {
      const id = world.nextGroup++;
      world.groups.set(id, { id, name, template: [] });
      return id;
    },
    addUser: (u) => putUser(world, u),
    addDatastore(d) {
      const id = world.nextDatastore++;
      const type = d.type === 'file' ? 2 : d.type === 'system' ? 1 : 0;
      const kind = ['IMAGE_DS', 'SYSTEM_DS', 'FILE_DS'][type];
      const tmpl = { DS_MAD: 'fs', TM_MAD: 'ssh', TYPE: kind, RESTRICTED_DIRS: d.restrictedDirs ?? '/', SAFE_DIRS: d.safeDirs ?? '/var/tmp' };
      world.datastores.set(id, { id, name: d.name, uid: 0, gid: 0, perms: [1, 1, 0, 1, 0, 0, 0, 0, 0], type, dsMad: type === 1 ? '-' : 'fs', tmMad: 'ssh', basePath: path.join(root, String(id)), template: fromRecord(tmpl) });
      return id;
    },
    setImageRestrictedAttrs(names) {
      world.restrictedImageAttrs = names.slice();
    },
    setDatastoreDirs(id, dirs) {
      const ds = world.datastores.get(id);
      if (!ds) throw new Error(`oned simulator: datastore ${id} does not exist`);
      if (dirs.safeDirs !== undefined) ds.template = setAttr(ds.template, { name: 'SAFE_DIRS', value: dirs.safeDirs });
      if (dirs.restrictedDirs !== undefined) ds.template = setAttr(ds.template, { name: 'RESTRICTED_DIRS', value: dirs.restrictedDirs });
    },
    addImage: (i) => addImage(world, i),
    setRunningVms: (id, n) => setRunning(world, mustImage(id), n),
    addVm: (v) => addVm(world, v),
    removeVm: (id) => removeVm(world, id),
    vms: () => [...world.vms.values()].sort((a, b) => a.id - b.id).map((v) => ({ id: v.id, uid: v.uid, images: [...v.imageIds], ...(v.templateId === undefined ? {} : { templateId: v.templateId }) })),
    setImageState(id, state) {
      const img = mustImage(id);
      if (state === 'USED') setRunning(world, img, Math.max(1, img.runningVms));
      else world.setState(img, STATE_BY_NAME[state]);
    },
    lockImage(id, level) {
      // RequestManagerLock: level 4 (ALL) is stored as USE.
      mustImage(id).lock = { level: level === 4 ? 1 : level, owner: 0, time: Math.floor(Date.now() / 1000), reqId: 0 };
    },
    unlockImage(id) {
      delete mustImage(id).lock;
    },
    image: (id) => {
      const img = world.images.get(id);
      return img && toSim(world, img);
    },
    images: () => [...world.images.values()].sort((a, b) => a.id - b.id).map((i) => toSim(world, i)),
    addTemplate: (t) => addTemplate(world, t),
    removeTemplate(id) {
      mustTemplate(id);
      world.vmTemplates.delete(id);
    },
    lockTemplate(id, level) {
      mustTemplate(id).lock = { level: level === 4 ? 1 : level, owner: 0, time: Math.floor(Date.now() / 1000), reqId: 0 };
    },
    unlockTemplate(id) {
      delete mustTemplate(id).lock;
    },
    template: (id) => {
      const t = world.vmTemplates.get(id);
      return t && toSimTemplate(world, t);
    },
    templates: () => [...world.vmTemplates.values()].sort((a, b) => a.id - b.id).map((t) => toSimTemplate(world, t)),
    inject: (f) => faults.inject(f),
    clearFaults: () => faults.clear(),
    failNextCopy(message) {
      engine.failNext = message;
    },
    settle: () => engine.settle(),
  };
}
