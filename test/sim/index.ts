// The oned simulator: a real XML-RPC server on 127.0.0.1 with OpenNebula 5.2/5.8/6.10 semantics,
// plus set-up helpers and fault injection for tests.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseMode, umaskPerms } from './authz';
import { Engine, S } from './engine';
import { Faults } from './faults';
import { listen } from './server';
import { defaultWorld, Image, putUser, STATE_NAMES, World } from './state';
import { fromRecord, getAttr, setAttr, singles } from './templates';
import type { SimCall, SimImage, SimOptions, SimStateName, Simulator } from './types';

export type { SimCall, SimFault, SimImage, SimInjection, SimOptions, SimStateName, SimVersion, Simulator } from './types';

const STATE_BY_NAME: Record<SimStateName, number> = { READY: S.READY, USED: S.USED, DISABLED: S.DISABLED, LOCKED: S.LOCKED, ERROR: S.ERROR };

function toSim(w: World, img: Image): SimImage {
  let fileBytes: number | undefined;
  try {
    if (img.source) fileBytes = fs.statSync(img.source).size;
  } catch {
    fileBytes = undefined;
  }
  return {
    id: img.id,
    uid: img.uid,
    gid: img.gid,
    uname: w.userName(img.uid),
    gname: w.groupName(img.gid),
    name: img.name,
    permissions: [...img.perms],
    state: img.state,
    stateName: STATE_NAMES[img.state],
    runningVms: img.runningVms,
    datastoreId: img.dsId,
    path: img.path,
    source: img.source,
    regtime: img.regtime,
    template: singles(img.template),
    ...(fileBytes === undefined ? {} : { fileBytes }),
  };
}

function addImage(w: World, i: Parameters<Simulator['addImage']>[0]): number {
  const dsId = i.datastoreId ?? 1;
  const ds = w.datastores.get(dsId);
  if (!ds) throw new Error(`oned simulator: datastore ${dsId} does not exist`);
  const uid = i.uid ?? 0;
  const gid = i.gid ?? w.users.get(uid)?.gid ?? 0;
  if (!w.users.has(uid) || !w.groups.has(gid)) throw new Error(`oned simulator: user ${uid} or group ${gid} does not exist`);
  const id = w.nextImage++;
  // a real file in the datastore, so SOURCE points at something readable
  fs.mkdirSync(ds.basePath, { recursive: true });
  const source = path.join(ds.basePath, `sim-image-${id}`);
  if (i.path) fs.copyFileSync(i.path, source);
  else fs.writeFileSync(source, Buffer.alloc(1024));
  let template = fromRecord(i.template ?? {});
  if (getAttr(template, 'DEV_PREFIX') === undefined) template = setAttr(template, { name: 'DEV_PREFIX', value: 'hd' });
  const img: Image = {
    id,
    uid,
    gid,
    name: i.name,
    perms: i.mode ? parseMode(i.mode) : umaskPerms(),
    type: 0,
    persistent: i.persistent === true,
    regtime: i.regtime ?? Math.floor(Date.now() / 1000),
    source,
    path: i.path ?? '',
    format: 'raw',
    fs: '',
    sizeMb: Math.max(1, Math.ceil(fs.statSync(source).size / 1048576)),
    state: S.READY,
    prevState: 0,
    runningVms: 0,
    vmIds: [],
    dsId,
    template,
  };
  w.images.set(id, img);
  if (i.state && i.state !== 'USED') w.setState(img, STATE_BY_NAME[i.state]);
  setRunning(w, img, i.runningVms ?? (i.state === 'USED' ? 1 : 0));
  return id;
}

function setRunning(w: World, img: Image, n: number): void {
  if (n > 0 && [S.DISABLED, S.ERROR, S.LOCKED].includes(img.state as never)) {
    throw new Error(`oned simulator: image ${img.id} is ${STATE_NAMES[img.state]}: oned lets no VM take it`);
  }
  while (img.vmIds.length < n) img.vmIds.push(w.nextVm++);
  img.vmIds = img.vmIds.slice(0, n);
  img.runningVms = n;
  if (n > 0 && img.state === S.READY) w.setState(img, img.persistent ? S.USED_PERS : S.USED);
  if (n === 0 && (img.state === S.USED || img.state === S.USED_PERS)) w.setState(img, S.READY);
}

/** Starts a simulator on a random 127.0.0.1 port. */
export async function startSimulator(opts: SimOptions = {}): Promise<Simulator> {
  const version = opts.version ?? '6.10';
  const ownRoot = opts.root === undefined;
  const root = fs.realpathSync(opts.root ?? fs.mkdtempSync(path.join(os.tmpdir(), 'oned-sim-')));
  const world = defaultWorld(version, root);
  putUser(world, { id: 0, name: 'oneadmin', password: opts.adminPassword ?? 'opennebula', gid: 0 });
  putUser(world, { id: 1, name: 'serveradmin', password: 'serveradmin', gid: 0, authDriver: 'server_cipher' });
  const engine = new Engine(world, { copyDelayMs: opts.copyDelayMs ?? 20, deleteDelayMs: opts.deleteDelayMs ?? 0 });
  const faults = new Faults();
  const calls: SimCall[] = [];
  const server = await listen({ world, engine, faults, calls }, opts.tls);
  const mustImage = (id: number): Image => {
    const img = world.images.get(id);
    if (!img) throw new Error(`oned simulator: image ${id} does not exist`);
    return img;
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
    setDatastoreDirs(id, dirs) {
      const ds = world.datastores.get(id);
      if (!ds) throw new Error(`oned simulator: datastore ${id} does not exist`);
      if (dirs.safeDirs !== undefined) ds.template = setAttr(ds.template, { name: 'SAFE_DIRS', value: dirs.safeDirs });
      if (dirs.restrictedDirs !== undefined) ds.template = setAttr(ds.template, { name: 'RESTRICTED_DIRS', value: dirs.restrictedDirs });
    },
    addImage: (i) => addImage(world, i),
    setRunningVms: (id, n) => setRunning(world, mustImage(id), n),
    setImageState(id, state) {
      const img = mustImage(id);
      if (state === 'USED') setRunning(world, img, Math.max(1, img.runningVms));
      else world.setState(img, STATE_BY_NAME[state]);
    },
    image: (id) => {
      const img = world.images.get(id);
      return img && toSim(world, img);
    },
    images: () => [...world.images.values()].sort((a, b) => a.id - b.id).map((i) => toSim(world, i)),
    inject: (f) => faults.inject(f),
    clearFaults: () => faults.clear(),
    failNextCopy(message) {
      engine.failNext = message;
    },
    settle: () => engine.settle(),
  };
}
