// USER, USER_POOL and GROUP_POOL documents (one.user.info, one.userpool.info, one.grouppool.info).
// Pools also carry QUOTAS and DEFAULT_*_QUOTAS siblings: only USER / GROUP children are read.

import { z } from 'zod';
import type { GroupRecord, UserRecord } from './types';
import { anything, element, idList, int, poolItems, rootOf, text, validate } from './parse-common';

const user = element({
  ID: text,
  GID: text,
  GROUPS: anything,
  GNAME: text,
  NAME: text,
});

const group = element({ ID: text, NAME: text });

function toUser(u: z.infer<typeof user>, root: string, at: string): UserRecord {
  return {
    id: int(u.ID, root, `${at}.ID`),
    gid: int(u.GID, root, `${at}.GID`),
    name: u.NAME,
    gname: u.GNAME,
    groups: idList(u.GROUPS, root, `${at}.GROUPS`),
  };
}

/** Parses the answer of one.user.info. */
export function parseUser(xml: string): UserRecord {
  return toUser(validate(user, rootOf(xml, 'USER'), 'USER'), 'USER', '');
}

/** Parses the answer of one.userpool.info. */
export function parseUserPool(xml: string): UserRecord[] {
  const root = 'USER_POOL.USER';
  const items = validate(z.array(user), poolItems(rootOf(xml, 'USER_POOL'), 'USER_POOL', 'USER'), root);
  return items.map((item, n) => toUser(item, root, `[${n}]`));
}

/** Parses the answer of one.grouppool.info. */
export function parseGroupPool(xml: string): GroupRecord[] {
  const root = 'GROUP_POOL.GROUP';
  const items = validate(z.array(group), poolItems(rootOf(xml, 'GROUP_POOL'), 'GROUP_POOL', 'GROUP'), root);
  return items.map((g, n) => ({ id: int(g.ID, root, `[${n}].ID`), name: g.NAME }));
}
