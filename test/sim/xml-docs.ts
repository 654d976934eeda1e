// The XML documents oned returns inside its answers (Image::to_xml, Datastore::to_xml, User and
// Group to_xml) in each version's element order; names raw, SOURCE/PATH/FSTYPE/FORMAT and template
// values in CDATA, as the 5.2 recordings and the XSDs show.
import type { Datastore, Image, Perms, User, VmTemplate, World } from './state';
import { templateXml } from './templates';

const PERM_NAMES = ['OWNER_U', 'OWNER_M', 'OWNER_A', 'GROUP_U', 'GROUP_M', 'GROUP_A', 'OTHER_U', 'OTHER_M', 'OTHER_A'];
const cdata = (v: string): string => `<![CDATA[${v}]]>`;
const el = (name: string, v: string | number): string => `<${name}>${v}</${name}>`;
const ids = (name: string, list: number[]): string => `<${name}>${list.map((i) => el('ID', i)).join('')}</${name}>`;

function permsXml(p: Perms): string {
  return `<PERMISSIONS>${PERM_NAMES.map((n, i) => el(n, p[i])).join('')}</PERMISSIONS>`;
}

function owner(w: World, o: { id: number; uid: number; gid: number; name: string }): string {
  return el('ID', o.id) + el('UID', o.uid) + el('GID', o.gid) + el('UNAME', w.userName(o.uid)) + el('GNAME', w.groupName(o.gid)) + el('NAME', o.name);
}

/** Image::to_xml for the world's version. */
export function imageXml(w: World, img: Image): string {
  const v6 = w.version === '6.10';
  const ds = w.datastores.get(img.dsId);
  const fmt = v6 ? el('FORMAT', cdata(img.format)) + el('FS', cdata(img.fs)) : el('FSTYPE', cdata(img.format));
  // 5.4+ Snapshots carry ALLOW_ORPHANS/CURRENT_BASE/NEXT_SNAPSHOT; the 5.2 recordings show an empty element
  const snapshots =
    w.version === '5.2'
      ? '<SNAPSHOTS></SNAPSHOTS>'
      : `<SNAPSHOTS>${el('ALLOW_ORPHANS', cdata('NO'))}${el('CURRENT_BASE', cdata('-1'))}${el('NEXT_SNAPSHOT', cdata('0'))}</SNAPSHOTS>`;
  // PoolObjectSQL::lock_db_to_xml (5.6+): after NAME, only while locked.
  const lock =
    img.lock && w.version !== '5.2'
      ? `<LOCK>${el('LOCKED', img.lock.level)}${el('OWNER', img.lock.owner)}${el('TIME', img.lock.time)}${el('REQ_ID', img.lock.reqId)}</LOCK>`
      : '';
  return (
    '<IMAGE>' +
    owner(w, img) +
    lock +
    permsXml(img.perms) +
    el('TYPE', img.type) +
    el('DISK_TYPE', 0) +
    el('PERSISTENT', img.persistent ? 1 : 0) +
    el('REGTIME', img.regtime) +
    el('SOURCE', cdata(img.source)) +
    el('PATH', cdata(img.path)) +
    fmt +
    el('SIZE', img.sizeMb) +
    el('STATE', img.state) +
    (v6 ? el('PREV_STATE', img.prevState) : '') +
    el('RUNNING_VMS', img.runningVms) +
    el('CLONING_OPS', 0) +
    el('CLONING_ID', -1) +
    el('TARGET_SNAPSHOT', -1) +
    el('DATASTORE_ID', img.dsId) +
    el('DATASTORE', ds ? ds.name : '') +
    ids('VMS', img.vmIds) +
    ids('CLONES', []) +
    ids('APP_CLONES', []) +
    templateXml(img.template) +
    snapshots +
    (v6 ? '<BACKUP_INCREMENTS></BACKUP_INCREMENTS><BACKUP_DISK_IDS></BACKUP_DISK_IDS>' : '') +
    '</IMAGE>'
  );
}

/** VMTemplate::to_xml: NAME outside TEMPLATE, LOCK (5.6+) only while locked, then PERMISSIONS, REGTIME, TEMPLATE. */
export function vmTemplateXml(w: World, t: VmTemplate): string {
  const lock =
    t.lock && w.version !== '5.2' ? `<LOCK>${el('LOCKED', t.lock.level)}${el('OWNER', t.lock.owner)}${el('TIME', t.lock.time)}${el('REQ_ID', t.lock.reqId)}</LOCK>` : '';
  return '<VMTEMPLATE>' + owner(w, t) + lock + permsXml(t.perms) + el('REGTIME', t.regtime) + templateXml(t.template) + '</VMTEMPLATE>';
}

/** Datastore::to_xml (same element order in 5.x and 6.x). */
export function datastoreXml(w: World, ds: Datastore, space: { total: number; free: number; used: number }): string {
  const images = [...w.images.values()].filter((i) => i.dsId === ds.id).map((i) => i.id);
  return (
    '<DATASTORE>' +
    owner(w, ds) +
    permsXml(ds.perms) +
    el('DS_MAD', cdata(ds.dsMad)) +
    el('TM_MAD', cdata(ds.tmMad)) +
    el('BASE_PATH', cdata(ds.basePath)) +
    el('TYPE', ds.type) +
    el('DISK_TYPE', 0) +
    el('STATE', 0) +
    ids('CLUSTERS', [0]) +
    el('TOTAL_MB', ds.type === 1 ? 0 : space.total) +
    el('FREE_MB', ds.type === 1 ? 0 : space.free) +
    el('USED_MB', ds.type === 1 ? 0 : space.used) +
    ids('IMAGES', images) +
    templateXml(ds.template) +
    '</DATASTORE>'
  );
}

const QUOTAS = '<DATASTORE_QUOTA></DATASTORE_QUOTA><NETWORK_QUOTA></NETWORK_QUOTA><VM_QUOTA></VM_QUOTA><IMAGE_QUOTA></IMAGE_QUOTA>';

function userBody(w: World, u: User, passwordHash: string): string {
  return (
    el('ID', u.id) +
    el('GID', u.gid) +
    ids('GROUPS', u.groups) +
    el('GNAME', w.groupName(u.gid)) +
    el('NAME', u.name) +
    el('PASSWORD', passwordHash) +
    el('AUTH_DRIVER', u.authDriver) +
    el('ENABLED', 1) +
    '<TEMPLATE></TEMPLATE>'
  );
}

/** User::to_xml for one.user.info: quotas inline, then the default quotas. */
export function userXml(w: World, u: User, passwordHash: string): string {
  return `<USER>${userBody(w, u, passwordHash)}${QUOTAS}<DEFAULT_USER_QUOTAS>${QUOTAS}</DEFAULT_USER_QUOTAS></USER>`;
}

/** USER_POOL: each USER followed by its QUOTAS element, default quotas last. */
export function userPoolXml(w: World, users: User[], hash: (u: User) => string): string {
  const body = users.map((u) => `<USER>${userBody(w, u, hash(u))}</USER><QUOTAS>${el('ID', u.id)}${QUOTAS}</QUOTAS>`).join('');
  return `<USER_POOL>${body}<DEFAULT_USER_QUOTAS>${QUOTAS}</DEFAULT_USER_QUOTAS></USER_POOL>`;
}

/** GROUP_POOL as in the 5.2 recording: GROUP, QUOTAS, ..., DEFAULT_GROUP_QUOTAS. */
export function groupPoolXml(w: World, groupIds: number[]): string {
  const body = groupIds
    .map((id) => {
      const g = w.groups.get(id);
      if (!g) return '';
      const members = [...w.users.values()].filter((u) => u.groups.includes(id)).map((u) => u.id);
      return `<GROUP>${el('ID', id)}${el('NAME', g.name)}${templateXml(g.template)}${ids('USERS', members)}<ADMINS></ADMINS></GROUP><QUOTAS>${el('ID', id)}${QUOTAS}</QUOTAS>`;
    })
    .join('');
  return `<GROUP_POOL>${body}<DEFAULT_GROUP_QUOTAS>${QUOTAS}</DEFAULT_GROUP_QUOTAS></GROUP_POOL>`;
}
