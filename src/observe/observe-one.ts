// Observes what oned holds: the images, the datastore to register in, who we are, who retired images go to.
import type { Config } from '../config/config';
import { InvalidConfigError, OperationFailedError } from '../errors';
import { DATASTORE_TYPE, DatastoreRecord, GroupRecord, ImageRecord, OneApi, UserRecord } from '../one/types';
import type { OwnerNames } from '../plan/types';

export interface ObservedOne {
  images: ImageRecord[];
  datastore: DatastoreRecord;
  caller: { uid: number; gid: number; name: string };
  retiredOwner: { uid: number; gid: number };
  names: OwnerNames;
}

/** User and group names by id from the user pool, the images (and the group pool when it was read). */
function namesOf(users: readonly UserRecord[], images: readonly ImageRecord[], groups: readonly GroupRecord[] = []): OwnerNames {
  const u: Record<number, string> = {};
  const g: Record<number, string> = {};
  for (const i of images) {
    u[i.uid] = i.uname;
    g[i.gid] = i.gname;
  }
  for (const x of users) {
    u[x.id] = x.name;
    g[x.gid] = x.gname;
  }
  for (const x of groups) g[x.id] = x.name;
  return { users: u, groups: g };
}

/** Finds the configured image datastore by name or id. */
export function findDatastore(pool: readonly DatastoreRecord[], wanted: string): DatastoreRecord {
  const ds = pool.filter((d) => (/^\d+$/.test(wanted) ? d.id === Number(wanted) : d.name === wanted))[0];
  if (!ds) {
    throw new InvalidConfigError([`VMCHNDL_ON_DATASTORE: no datastore ${JSON.stringify(wanted)} in OpenNebula (have: ${pool.map((d) => `${d.id} ${d.name}`).join(', ')})`]);
  }
  if (ds.type !== DATASTORE_TYPE.IMAGE) {
    throw new InvalidConfigError([`VMCHNDL_ON_DATASTORE: datastore ${ds.id} (${ds.name}) is not an image datastore`]);
  }
  return ds;
}

function resolveId<T extends { id: number; name: string }>(list: readonly T[] | undefined, wanted: string): number | undefined {
  if (/^\d+$/.test(wanted)) return Number(wanted);
  if (!list) return undefined;
  for (const x of list) if (x.name === wanted) return x.id;
  return undefined;
}

/** Reads images, datastores and users (and groups only when a group name cannot be resolved otherwise). */
export async function observeOne(one: OneApi, config: Config, sessionUser: string): Promise<ObservedOne> {
  const [images, dsPool, users] = await Promise.all([
    one.imagePool(),
    one.datastorePool(),
    one.userPool(),
  ]);
  const datastore = findDatastore(dsPool, config.datastore);
  let me = users.filter((u) => u.name === sessionUser)[0];
  if (!me) me = await one.userInfo(-1);
  const uid = resolveId(users, config.retiredOwner);
  // A user record names its primary group: that often spares a grouppool call.
  let gid: number | undefined = /^\d+$/.test(config.retiredGroup) ? Number(config.retiredGroup) : undefined;
  if (gid === undefined) for (const u of users) if (u.gname === config.retiredGroup) gid = u.gid;
  let groups: GroupRecord[] | undefined;
  if (gid === undefined) {
    groups = await one.groupPool();
    gid = resolveId(groups, config.retiredGroup);
  }
  const problems: string[] = [];
  if (uid === undefined) problems.push(`VMCHNDL_ON_RETIRED_OWNER: no user ${JSON.stringify(config.retiredOwner)} in OpenNebula`);
  if (gid === undefined) problems.push(`VMCHNDL_ON_RETIRED_GROUP: no group ${JSON.stringify(config.retiredGroup)} in OpenNebula`);
  if (problems.length) throw new InvalidConfigError(problems);
  if (!me) throw new OperationFailedError(`oned does not know the user ${sessionUser} we are logged in as`);
  const names = namesOf(users.concat(users.some((u) => u.id === me.id) ? [] : [me]), images, groups);
  return { images, datastore, caller: { uid: me.id, gid: me.gid, name: me.name }, retiredOwner: { uid: uid!, gid: gid! }, names };
}

/** The group VMCHNDL_ON_VO_GROUPS maps `vo` to, or undefined when the VO is not mapped; a mapped group oned does not have is a configuration error. */
export async function observeVoGroup(one: OneApi, config: Config, vo: string | undefined): Promise<{ vo: string; gid: number; name: string } | undefined> {
  const mapped = vo === undefined ? undefined : config.voGroups.filter((g) => g.vo === vo)[0];
  if (!mapped) return undefined;
  const groups = await one.groupPool();
  const wanted = mapped.group;
  const g = groups.filter((x) => (/^\d+$/.test(wanted) ? x.id === Number(wanted) : x.name === wanted))[0];
  if (!g) {
    throw new InvalidConfigError([
      `VMCHNDL_ON_VO_GROUPS: VO ${JSON.stringify(mapped.vo)} is mapped to group ${JSON.stringify(wanted)}, which does not exist in OpenNebula (have: ${groups.map((x) => `${x.id} ${x.name}`).join(', ')})`,
    ]);
  }
  return { vo: mapped.vo, gid: g.id, name: g.name };
}
