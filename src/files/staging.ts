// Private per-run working directories, and their removal (only ever of directories we made).
import * as path from 'path';
import { constants } from 'fs';
import { userInfo } from 'os';
import { InvalidConfigError, OperationFailedError } from '../errors';
import { access, chmod, lstat, mkdir, mkdtemp, readdir, rmdir, stat, unlink, writeFile } from './fs-async';

export { linkOrCopy } from './link-or-copy';


const PREFIX = 'vmc-staging-';
// makeStagingDir's random names, and the per-run names `<identifier>.<run id>` that plans choose.
const NAME = /^(?:vmc-staging-[A-Za-z0-9]{6}|[A-Za-z0-9][A-Za-z0-9._@+-]*\.\d{8}T\d{6}Z-[0-9a-f]{6})$/;
/** The file that marks a directory as made by makeStagingDir. */
export const STAGING_MARKER = '.vmcatcher-eventhndl-on-staging';

function fail(what: string, err: unknown): never {
  throw new OperationFailedError(`${what}: ${(err as Error).message}`, err);
}

// Problems with the staging base only an administrator can fix: a configuration error naming the setting.
function baseError(problem: string, fix: string): InvalidConfigError {
  return new InvalidConfigError([`VMCHNDL_ON_STAGING_DIR: ${problem}: ${fix}. The event stays pending until then`]);
}

function user(): string {
  try {
    return userInfo().username;
  } catch (_) {
    return `uid ${typeof process.getuid === 'function' ? process.getuid() : '?'}`;
  }
}

// An existing base must be ours and closed to others, or someone else could swap files under us.
async function validateBase(base: string): Promise<void> {
  const st = await stat(base).catch((err: NodeJS.ErrnoException) => {
    throw baseError(`cannot use staging directory ${base} (${err.code || err.message})`, `make it a directory ${user()} owns, or change the setting`);
  });
  if (!st.isDirectory()) throw baseError(`staging directory ${base} exists and is not a directory`, 'remove it or change the setting');
  const uid = typeof process.getuid === 'function' ? process.getuid() : st.uid;
  if (st.uid !== uid) {
    throw baseError(`staging directory ${base} belongs to uid ${st.uid}, not to ${user()} (uid ${uid}) that runs the hook`, `run \`chown ${user()} ${base}\` as root, or change the setting`);
  }
  if ((st.mode & 0o022) !== 0) {
    const mode = (st.mode & 0o777).toString(8);
    throw baseError(`staging directory ${base} has mode ${mode}, writable by others`, `run chmod 700 ${base}`);
  }
  await access(base, constants.R_OK | constants.W_OK | constants.X_OK).catch((err: NodeJS.ErrnoException) => {
    const mode = (st.mode & 0o777).toString(8);
    throw baseError(`staging directory ${base} is not writable by ${user()} (${err.code}, mode ${mode})`, `run chmod 700 ${base}`);
  });
}

// Creates (0700) `base` if absent and checks it is ours and closed to others.
async function ensureBase(base: string): Promise<string> {
  const abs = path.resolve(base);
  let created = true;
  await mkdir(abs, { recursive: false, mode: 0o700 }).catch(async (err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return mkdir(abs, { recursive: true, mode: 0o700 });
    if (err.code !== 'EEXIST') throw err;
    created = false;
    return undefined;
  }).catch((err: NodeJS.ErrnoException) => {
    throw baseError(`cannot create staging directory ${abs} (${err.code || err.message})`, `create it as root (\`install -d -o ${user()} -m 700 ${abs}\`) or change the setting`);
  });
  // mkdir's mode goes through the umask; chmod does not.
  if (created) await chmod(abs, 0o700);
  await validateBase(abs);
  return abs;
}

/**
 * Checks, before any change in OpenNebula, that the staging base can be used (creating it if absent):
 * what only an administrator can fix is a configuration error naming VMCHNDL_ON_STAGING_DIR.
 */
export async function prepareStagingBase(base: string): Promise<void> {
  await ensureBase(base);
}

async function mark(dir: string): Promise<void> {
  await writeFile(path.join(dir, STAGING_MARKER), `pid ${process.pid} ${new Date().toISOString()}\n`, { flag: 'wx', mode: 0o600 });
}

/** Creates (0700) `base` if absent and a new private (0700) per-run directory in it; returns its path. */
export async function makeStagingDir(base: string): Promise<string> {
  const abs = await ensureBase(base);
  const dir = await mkdtemp(path.join(abs, PREFIX)).catch((err) => fail(`cannot create a directory in ${abs}`, err));
  await mark(dir);
  return dir;
}

/**
 * Creates the private (0700) staging directory `dir` (named `<identifier>.<run id>` by a plan) in a checked base.
 * A leftover of an interrupted attempt of the same run is removed first: its files may be partial.
 */
export async function makeStagingDirAt(dir: string): Promise<string> {
  const abs = path.resolve(dir);
  if (!NAME.test(path.basename(abs))) throw new OperationFailedError(`refusing to use ${abs} as a staging directory: unexpected name`);
  await ensureBase(path.dirname(abs));
  await removeStagingDir(abs);
  await mkdir(abs, { mode: 0o700 }).catch((err) => fail(`cannot create staging directory ${abs}`, err));
  await chmod(abs, 0o700);
  await mark(abs);
  return abs;
}

/** True when `dir` looks like what makeStagingDir made: our name pattern, a real directory, our marker inside. */
export async function isStagingDir(dir: string): Promise<boolean> {
  if (!NAME.test(path.basename(dir))) return false;
  const st = await lstat(dir).catch(() => undefined);
  if (!st || !st.isDirectory()) return false;
  const marker = await lstat(path.join(dir, STAGING_MARKER)).catch(() => undefined);
  return marker !== undefined && marker.isFile();
}

// Symlinks are removed, never followed.
async function removeTree(dir: string): Promise<void> {
  for (const name of await readdir(dir)) {
    const entry = path.join(dir, name);
    const st = await lstat(entry);
    if (st.isDirectory()) await removeTree(entry);
    else await unlink(entry);
  }
  await rmdir(dir);
}

/** Removes a directory made by makeStagingDir and everything in it; refuses any other directory. Absent is fine. */
export async function removeStagingDir(dir: string): Promise<void> {
  const abs = path.resolve(dir);
  const st = await lstat(abs).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? undefined : fail(`cannot remove ${abs}`, err)));
  if (!st) return;
  if (!(await isStagingDir(abs))) {
    throw new OperationFailedError(`refusing to remove ${abs}: it is not a staging directory made by this program (no ${STAGING_MARKER})`);
  }
  await removeTree(abs).catch((err) => fail(`cannot remove staging directory ${abs}`, err));
}
