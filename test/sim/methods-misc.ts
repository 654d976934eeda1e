// one.system.version and the read-only datastore/user/group calls.
import { createHash } from 'crypto';
import { isAdmin, listable } from './authz';
import { checkAuth, Ctx, datastoreAuth } from './context';
import { capacity } from './datastores';
import { EC, Failure } from './messages';
import type { User } from './state';
import { str, Out } from './wire';
import { datastoreXml, groupPoolXml, userPoolXml, userXml } from './xml-docs';

const VERSIONS: Record<string, string> = { '5.2': '5.2.1', '5.8': '5.8.5', '6.10': '6.10.0' };

/** one.system.version. */
export function systemVersion(ctx: Ctx): Out {
  return str(VERSIONS[ctx.world.version]);
}

/** one.datastore.info(id[, decrypt]): needs USE. */
export function datastoreInfo(ctx: Ctx): Out {
  const id = ctx.p.int(1);
  const ds = ctx.world.datastores.get(id);
  if (!ds) throw new Failure(EC.NO_EXISTS, '', { respId: id, respObj: 'datastore' });
  checkAuth(ctx, [{ op: 'USE', obj: datastoreAuth(ds) }]);
  return str(datastoreXml(ctx.world, ds, capacity(ctx.world.root)));
}

/** one.datastorepool.info: the datastores the caller may use. */
export function datastorePoolInfo(ctx: Ctx): Out {
  const space = capacity(ctx.world.root);
  const list = [...ctx.world.datastores.values()].filter((d) => listable(ctx.caller, datastoreAuth(d))).sort((a, b) => a.id - b.id);
  return str(`<DATASTORE_POOL>${list.map((d) => datastoreXml(ctx.world, d, space)).join('')}</DATASTORE_POOL>`);
}

// the core driver keeps a SHA1 (5.x) or SHA256 (6.x) of the password
function passwordHash(version: string, u: User): string {
  return createHash(version === '6.10' ? 'sha256' : 'sha1').update(u.password).digest('hex');
}

/** one.user.info(id): -1 is the caller; another user needs USE on it. */
export function userInfo(ctx: Ctx): Out {
  const asked = ctx.p.int(1);
  const id = asked === -1 ? ctx.caller.uid : asked;
  const u = ctx.world.users.get(id);
  if (!u) throw new Failure(EC.NO_EXISTS, '', { respId: id, respObj: 'user' });
  if (id !== ctx.caller.uid) checkAuth(ctx, [{ op: 'USE', obj: { type: 'USER', oid: id, uid: id, gid: u.gid, perms: [1, 1, 0, 0, 0, 0, 0, 0, 0] } }]);
  return str(userXml(ctx.world, u, passwordHash(ctx.world.version, u)));
}

/** one.userpool.info: every user for admins, oneself otherwise. */
export function userPoolInfo(ctx: Ctx): Out {
  const all = [...ctx.world.users.values()].sort((a, b) => a.id - b.id);
  const list = isAdmin(ctx.caller) ? all : all.filter((u) => u.id === ctx.caller.uid);
  return str(userPoolXml(ctx.world, list, (u) => passwordHash(ctx.world.version, u)));
}

/** one.grouppool.info: every group for admins, the caller's groups otherwise. */
export function groupPoolInfo(ctx: Ctx): Out {
  const ids = [...ctx.world.groups.keys()].sort((a, b) => a - b);
  return str(groupPoolXml(ctx.world, isAdmin(ctx.caller) ? ids : ids.filter((g) => ctx.caller.groups.has(g))));
}
