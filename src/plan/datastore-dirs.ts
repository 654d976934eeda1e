// Which local paths oned copies from: SAFE_DIRS and RESTRICTED_DIRS, as oned's datastore drivers read them.
import { DS_RESTRICTED_DIRS, DS_SAFE_DIRS } from '../attributes';
import { DatastoreRecord } from '../one/types';

/** oned's defaults when the datastore does not set them. */
const DEFAULT_RESTRICTED = '/';
const DEFAULT_SAFE = '/var/tmp';
/** oned never copies from its own directories, whatever the datastore says. */
const ONED_OWN_DIRS = ['/var/lib/one/', '/etc/one/'];

function dirsOf(value: string | undefined, fallback: string): string[] {
  return (value === undefined ? fallback : value).split(/\s+/).filter((d) => d !== '');
}

function under(path: string, dir: string): boolean {
  // The drivers match by prefix (grep "^dir"); so do we, so that our answer equals oned's.
  return path.indexOf(dir) === 0;
}

/** Tells whether oned would copy an image from this (resolved) path into the datastore. */
export function datastoreAllowsPath(ds: DatastoreRecord, path: string): boolean {
  if (ONED_OWN_DIRS.some((d) => under(path + '/', d))) return false;
  if (dirsOf(ds.template[DS_SAFE_DIRS], DEFAULT_SAFE).some((d) => under(path, d))) return true;
  return !dirsOf(ds.template[DS_RESTRICTED_DIRS], DEFAULT_RESTRICTED).some((d) => under(path, d));
}
