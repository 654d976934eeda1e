// OpenNebula's authorisation (AuthRequest::add_auth + AclManager::authorize): oneadmin and the
// oneadmin group may do anything; otherwise the owner/group/other bits of the object, then the
// default ACLs (@1 VM+IMAGE+TEMPLATE/* CREATE, @1 DATASTORE/* USE).
import type { Perms, World } from './state';

export type Op = 'USE' | 'MANAGE' | 'ADMIN' | 'CREATE';
export type ObjType = 'IMAGE' | 'TEMPLATE' | 'VM' | 'DATASTORE' | 'USER' | 'GROUP';

export interface Caller {
  uid: number;
  gid: number;
  groups: Set<number>;
  uname: string;
  gname: string;
}

export interface ObjAuth {
  type: ObjType;
  oid: number;
  uid: number;
  gid: number;
  perms: Perms;
  /** The object's one.image.lock level (0: none). A lock at level L refuses every operation worth L or more. */
  locked?: number;
}

const OP_BIT: Record<Op, number> = { USE: 0, MANAGE: 1, ADMIN: 2, CREATE: -1 };
// AuthRequest::Operation values: what a lock level is compared with (AclManager::authorize).
const OP_VALUE: Record<Op, number> = { USE: 1, MANAGE: 2, ADMIN: 4, CREATE: 8 };

function lockRefuses(op: Op, obj: ObjAuth): boolean {
  return obj.locked !== undefined && obj.locked > 0 && obj.locked <= OP_VALUE[op];
}

/** Whether the caller is oneadmin or in the oneadmin group. */
export function isAdmin(c: Caller): boolean {
  return c.uid === 0 || c.groups.has(0);
}

function allowed(c: Caller, op: Op, obj: ObjAuth): boolean {
  if (isAdmin(c)) return true;
  const bit = OP_BIT[op];
  if (bit >= 0) {
    if (obj.uid === c.uid && obj.perms[bit] === 1) return true;
    if (c.groups.has(obj.gid) && obj.perms[3 + bit] === 1) return true;
    if (obj.perms[6 + bit] === 1) return true;
  }
  // default ACL rules oned creates at bootstrap for the "users" group
  if (c.groups.has(1) && op === 'CREATE' && (obj.type === 'IMAGE' || obj.type === 'TEMPLATE' || obj.type === 'VM')) return true;
  if (c.groups.has(1) && op === 'USE' && obj.type === 'DATASTORE') return true;
  return false;
}

/** Checks every request; returns oned's "Not authorized to perform ..." message, or null when allowed. */
export function authorize(c: Caller, requests: Array<{ op: Op; obj: ObjAuth }>): string | null {
  // AuthManager: oneadmin is refused only by a lock, and told so; anyone else gets the usual text.
  const refused = requests
    .filter((r) => !allowed(c, r.op, r.obj) || lockRefuses(r.op, r.obj))
    .map((r) =>
      isAdmin(c)
        ? `${r.obj.type} is locked.${r.obj.oid === -1 ? '' : ` [${r.obj.oid}]`}`
        : `Not authorized to perform ${r.op} ${r.obj.type}${r.obj.oid === -1 ? '' : ` [${r.obj.oid}]`}`,
    );
  return refused.length ? refused.join('; ') : null;
}

/** Whether `obj` is listed for the caller in a pool dump with filter ALL (-2): owned, or usable. */
export function listable(c: Caller, obj: ObjAuth): boolean {
  return isAdmin(c) || obj.uid === c.uid || allowed(c, 'USE', obj);
}

/** Authentication of a "user:password" session; null when it fails. */
export function authenticate(w: World, session: string): Caller | null {
  const colon = session.indexOf(':');
  if (colon <= 0) return null;
  const name = session.slice(0, colon);
  const password = session.slice(colon + 1);
  const user = [...w.users.values()].find((u) => u.name === name);
  if (!user || user.password !== password) return null;
  return { uid: user.id, gid: user.gid, groups: new Set(user.groups), uname: user.name, gname: w.groupName(user.gid) };
}

/** The 9 bits for an octal mode ("640") or a 9-character bit string ("110100000"). */
export function parseMode(mode: string): Perms {
  if (/^[0-7]{3}$/.test(mode)) return mode.split('').flatMap((d) => [Number(d) & 4 ? 1 : 0, Number(d) & 2 ? 1 : 0, Number(d) & 1 ? 1 : 0]);
  if (/^[01]{9}$/.test(mode)) return mode.split('').map(Number);
  throw new Error(`oned simulator: mode "${mode}" is neither 3 octal digits nor 9 bits`);
}

/** Permissions of a new object: (0777 for oneadmin's user or group, else 0666) & ~umask 177. */
export function umaskPerms(): Perms {
  return [1, 1, 0, 0, 0, 0, 0, 0, 0];
}
