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

/** Why oned would refuse to copy from the staging directory (a message naming VMCHNDL_ON_STAGING_DIR and the fix), or undefined. */
export function stagingDirProblem(ds: DatastoreRecord, stagingDir: string): string | undefined {
  // A run stages into <dir>/<identifier>.<run id>: check such a child, as oned would see it.
  const child = stagingDir.replace(/\/+$/, '') + '/IDENTIFIER.RUN';
  if (datastoreAllowsPath(ds, child)) return undefined;
  const safe = dirsOf(ds.template[DS_SAFE_DIRS], DEFAULT_SAFE).join(' ') || '(none)';
  const restricted = dirsOf(ds.template[DS_RESTRICTED_DIRS], DEFAULT_RESTRICTED).join(' ') || '(none)';
  return (
    `VMCHNDL_ON_STAGING_DIR: oned would refuse to copy from ${stagingDir}: datastore ${ds.name} has SAFE_DIRS="${safe}", RESTRICTED_DIRS="${restricted}". ` +
    `Add ${stagingDir} to SAFE_DIRS (onedatastore update ${ds.name}) or set VMCHNDL_ON_STAGING_DIR to a directory under it`
  );
}
