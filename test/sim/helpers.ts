// Set-up helpers behind the Simulator object: images made directly in the world and the deep
// copies tests assert on.
import * as fs from 'fs';
import * as path from 'path';
import { parseMode, umaskPerms } from './authz';
import { S } from './engine';
import { Image, STATE_NAMES, World } from './state';
import { fromRecord, getAttr, setAttr, singles } from './templates';
import { setRunning } from './vms';
import type { SimImage, SimStateName, Simulator } from './types';

export const STATE_BY_NAME: Record<SimStateName, number> = { READY: S.READY, USED: S.USED, DISABLED: S.DISABLED, LOCKED: S.LOCKED, ERROR: S.ERROR };

/** A deep copy of an image for assertions. */
export function toSim(w: World, img: Image): SimImage {
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
    vms: [...img.vmIds],
    persistent: img.persistent,
    datastoreId: img.dsId,
    path: img.path,
    source: img.source,
    regtime: img.regtime,
    template: singles(img.template),
    ...(fileBytes === undefined ? {} : { fileBytes }),
  };
}

/** Creates an image directly in the world, with a real file behind its SOURCE. */
export function addImage(w: World, i: Parameters<Simulator['addImage']>[0]): number {
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
  if (i.path && fs.existsSync(i.path)) fs.copyFileSync(i.path, source);
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
