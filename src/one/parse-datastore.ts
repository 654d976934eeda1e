// DATASTORE and DATASTORE_POOL documents (one.datastore.info, one.datastorepool.info) into DatastoreRecords.

import { z } from 'zod';
import type { DatastoreRecord } from './types';
import { anything, element, int, poolItems, rootOf, templateAttrs, text, validate } from './parse-common';

const datastore = element({
  ID: text,
  UID: text,
  GID: text,
  NAME: text,
  DS_MAD: text,
  TM_MAD: text,
  BASE_PATH: text,
  TYPE: text,
  TOTAL_MB: text.optional(),
  FREE_MB: text.optional(),
  TEMPLATE: anything,
});

function toRecord(d: z.infer<typeof datastore>, root: string, at: string): DatastoreRecord {
  return {
    id: int(d.ID, root, `${at}.ID`),
    name: d.NAME,
    uid: int(d.UID, root, `${at}.UID`),
    gid: int(d.GID, root, `${at}.GID`),
    type: int(d.TYPE, root, `${at}.TYPE`),
    dsMad: d.DS_MAD,
    tmMad: d.TM_MAD,
    basePath: d.BASE_PATH,
    template: templateAttrs(d.TEMPLATE, root, `${at}.TEMPLATE`),
    totalMb: d.TOTAL_MB === undefined ? undefined : int(d.TOTAL_MB, root, `${at}.TOTAL_MB`),
    freeMb: d.FREE_MB === undefined ? undefined : int(d.FREE_MB, root, `${at}.FREE_MB`),
  };
}

/** Parses the answer of one.datastore.info. */
export function parseDatastore(xml: string): DatastoreRecord {
  return toRecord(validate(datastore, rootOf(xml, 'DATASTORE'), 'DATASTORE'), 'DATASTORE', '');
}

/** Parses the answer of one.datastorepool.info. */
export function parseDatastorePool(xml: string): DatastoreRecord[] {
  const root = 'DATASTORE_POOL.DATASTORE';
  const items = validate(z.array(datastore), poolItems(rootOf(xml, 'DATASTORE_POOL'), 'DATASTORE_POOL', 'DATASTORE'), root);
  return items.map((item, n) => toRecord(item, root, `[${n}]`));
}
