// The simulated oned's objects (users, groups, datastores, images) and its default world:
// oneadmin/serveradmin, groups oneadmin/users, datastores system/default/files.
import * as path from 'path';
import { fromRecord, Template } from './templates';
import type { SimVersion } from './types';
import type { Vm } from './vms';
import { ConfAttr, defaultOnedConf } from './system-config';

/** 9 permission bits in oned order: OWNER_U, OWNER_M, OWNER_A, GROUP_U, ..., OTHER_A. */
export type Perms = number[];

export interface User {
  id: number;
  name: string;
  password: string;
  gid: number;
  groups: number[];
  authDriver: string;
}
export interface Group {
  id: number;
  name: string;
  template: Template;
}
export interface Datastore {
  id: number;
  name: string;
  uid: number;
  gid: number;
  perms: Perms;
  type: 0 | 1 | 2;
  dsMad: string;
  tmMad: string;
  basePath: string;
  template: Template;
}
export interface Image {
  id: number;
  uid: number;
  gid: number;
  name: string;
  perms: Perms;
  type: number;
  persistent: boolean;
  regtime: number;
  source: string;
  path: string;
  /** FSTYPE (5.x) or FORMAT (6.x). */
  format: string;
  fs: string;
  sizeMb: number;
  state: number;
  prevState: number;
  runningVms: number;
  vmIds: number[];
  dsId: number;
  template: Template;
  /** one.image.lock: 1 USE (and 4, which oned stores as USE), 2 MANAGE, 3 ADMIN; absent when unlocked. */
  lock?: { level: number; owner: number; time: number; reqId: number };
}

/** A VM template (VMTemplate.cc): NAME kept out of its template, as VMTemplate::insert erases it. */
export interface VmTemplate {
  id: number;
  uid: number;
  gid: number;
  name: string;
  perms: Perms;
  regtime: number;
  /** Not in replace mode: several attributes of one name (DISKs) are kept in order. */
  template: Template;
  lock?: { level: number; owner: number; time: number; reqId: number };
}

export const STATE_NAMES = ['INIT', 'READY', 'USED', 'DISABLED', 'LOCKED', 'ERROR', 'CLONE', 'DELETE', 'USED_PERS', 'LOCKED_USED', 'LOCKED_USED_PERS'];
export const TYPE_NAMES = ['OS', 'CDROM', 'DATABLOCK', 'KERNEL', 'RAMDISK', 'CONTEXT', 'BACKUP'];

export class World {
  readonly users = new Map<number, User>();
  readonly groups = new Map<number, Group>();
  readonly datastores = new Map<number, Datastore>();
  readonly images = new Map<number, Image>();
  readonly vmTemplates = new Map<number, VmTemplate>();
  readonly vms = new Map<number, Vm>();
  nextUser = 2;
  nextGroup = 100;
  nextDatastore = 100;
  nextImage = 0;
  nextTemplate = 0;
  nextVm = 0;
  /** oned.conf as one.system.config serves it. */
  onedConf: ConfAttr[] = defaultOnedConf();

  /** oned.conf's IMAGE_RESTRICTED_ATTR: what only the oneadmin group may set on an image. */
  get restrictedImageAttrs(): string[] {
    return this.onedConf.filter((a) => a.name === 'IMAGE_RESTRICTED_ATTR').map((a) => String('value' in a ? a.value : '').toUpperCase());
  }

  set restrictedImageAttrs(names: string[]) {
    this.onedConf = this.onedConf.filter((a) => a.name !== 'IMAGE_RESTRICTED_ATTR').concat(names.map((value) => ({ name: 'IMAGE_RESTRICTED_ATTR', value })));
  }

  constructor(readonly version: SimVersion, readonly root: string) {}

  /** Moves an image to a new state, remembering the previous one (6.x PREV_STATE). */
  setState(img: Image, state: number): void {
    img.prevState = img.state;
    img.state = state;
  }

  userName(uid: number): string {
    return this.users.get(uid)?.name ?? '';
  }

  groupName(gid: number): string {
    return this.groups.get(gid)?.name ?? '';
  }
}

const DS_PERMS = [1, 1, 0, 1, 0, 0, 0, 0, 0];

/** The world oned bootstraps, with datastores under `root`. */
export function defaultWorld(version: SimVersion, root: string): World {
  const w = new World(version, root);
  w.groups.set(0, { id: 0, name: 'oneadmin', template: [] });
  w.groups.set(1, {
    id: 1,
    name: 'users',
    template: [
      {
        name: 'SUNSTONE',
        vector: [
          ['DEFAULT_VIEW', 'cloud'],
          ['GROUP_ADMIN_DEFAULT_VIEW', 'groupadmin'],
          ['GROUP_ADMIN_VIEWS', 'groupadmin,cloud'],
          ['VIEWS', 'cloud'],
        ],
      },
    ],
  });
  const common = { RESTRICTED_DIRS: '/', SAFE_DIRS: '/var/tmp', TM_MAD: 'ssh' };
  const ds = (id: number, name: string, type: 0 | 1 | 2, dsMad: string, tmpl: Record<string, string>): void => {
    w.datastores.set(id, { id, name, uid: 0, gid: 0, perms: [...DS_PERMS], type, dsMad, tmMad: 'ssh', basePath: path.join(root, String(id)), template: fromRecord({ ...common, ...tmpl }) });
  };
  ds(0, 'system', 1, '-', { DISK_TYPE: 'FILE', DS_MIGRATE: 'YES', SHARED: 'NO', TYPE: 'SYSTEM_DS' });
  ds(1, 'default', 0, 'fs', { CLONE_TARGET: 'SYSTEM', DISK_TYPE: 'FILE', DS_MAD: 'fs', LN_TARGET: 'SYSTEM', TYPE: 'IMAGE_DS' });
  ds(2, 'files', 2, 'fs', { CLONE_TARGET: 'SYSTEM', DS_MAD: 'fs', LN_TARGET: 'SYSTEM', TYPE: 'FILE_DS' });
  return w;
}

/** Adds a user the way the helpers do (oneadmin is created by the caller with its password). */
export function putUser(w: World, u: { id?: number; name: string; password: string; gid?: number; groups?: number[]; authDriver?: string }): number {
  const id = u.id ?? w.nextUser++;
  const gid = u.gid ?? 1;
  const groups = [gid, ...(u.groups ?? []).filter((g) => g !== gid)];
  for (const g of groups) if (!w.groups.has(g)) throw new Error(`oned simulator: group ${g} does not exist`);
  if ([...w.users.values()].some((x) => x.name === u.name)) throw new Error(`oned simulator: user ${u.name} exists`);
  w.users.set(id, { id, name: u.name, password: u.password, gid, groups, authDriver: u.authDriver ?? 'core' });
  return id;
}
