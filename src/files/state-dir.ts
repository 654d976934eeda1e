// The state directory (spool, journals, locks) must be usable by the user we run as. When it is not
// (a wrong owner, a typo, a root-owned file left by an admin), that is a configuration error that
// names VMCHNDL_ON_STATE_DIR, the path, the user and the fix: never a stack trace, never "nothing pending".
import { accessSync, constants, mkdirSync, statSync } from 'fs';
import { userInfo } from 'os';
import { dirname, join } from 'path';
import { InvalidConfigError } from '../errors';

export type StateAccess = 'read' | 'write';

/** The subdirectories the spool, the journals and the locks live in. */
const SUBDIRS = ['spool', 'journal', 'locks'];

/** The user we run as, for messages: `oneadmin (uid 9869)`. */
export function runningAs(): string {
  const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
  let name: string | undefined;
  try {
    name = userInfo().username;
  } catch (_) {
    // A uid without a passwd entry (a container): the number says it.
  }
  return name ? `${name}${uid === undefined ? '' : ` (uid ${uid})`}` : `uid ${uid}`;
}

function userName(): string {
  try {
    return userInfo().username;
  } catch (_) {
    return String(typeof process.getuid === 'function' ? process.getuid() : 'the hook user');
  }
}

function owner(dir: string): string {
  try {
    const st = statSync(dir);
    return `owner uid ${st.uid}, mode ${(st.mode & 0o7777).toString(8)}`;
  } catch (_) {
    return 'owner unknown';
  }
}

function accessProblem(dir: string, need: StateAccess): string | undefined {
  const mode = need === 'read' ? constants.R_OK | constants.X_OK : constants.R_OK | constants.W_OK | constants.X_OK;
  try {
    accessSync(dir, mode);
    return undefined;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code || String(e);
    return `${dir} is not ${need === 'read' ? 'readable' : 'readable and writable'} by ${runningAs()} (${code}; ${owner(dir)})`;
  }
}

/**
 * What keeps the state directory from being used for `need`, or undefined. A missing directory is
 * fine for reading (nothing was ever stored) and, for writing, is created (0750) when its parent
 * exists; a missing parent is taken for a typo.
 */
export function stateDirProblem(dir: string, need: StateAccess): string | undefined {
  let st;
  try {
    st = statSync(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') return `${dir} cannot be read by ${runningAs()} (${code || String(e)})`;
    const parent = dirname(dir);
    let parentIsDir = false;
    try {
      parentIsDir = statSync(parent).isDirectory();
    } catch (_) {
      // Missing or unreachable: said below.
    }
    if (!parentIsDir) return `${dir} does not exist, nor does its parent directory ${parent} (a typo in the path?)`;
    if (need === 'read') return undefined;
    try {
      mkdirSync(dir, { mode: 0o750 });
      return undefined;
    } catch (err) {
      const c = (err as NodeJS.ErrnoException).code;
      if (c === 'EEXIST') return stateDirProblem(dir, need);
      return `${dir} does not exist and ${runningAs()} cannot create it in ${parent} (${c || String(err)})`;
    }
  }
  if (!st.isDirectory()) return `${dir} is not a directory`;
  const problem = accessProblem(dir, need);
  if (problem) return problem;
  for (const sub of SUBDIRS) {
    const path = join(dir, sub);
    let exists = true;
    try {
      statSync(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') exists = false;
      else return `${path} cannot be read by ${runningAs()} (${(e as NodeJS.ErrnoException).code || String(e)})`;
    }
    const p = exists ? accessProblem(path, need) : undefined;
    if (p) return p;
  }
  return undefined;
}

/** False only when the state directory certainly does not exist (nothing was ever stored there). */
export function mayHoldState(dir: string): boolean {
  try {
    statSync(dir);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

/** The configuration error for a state directory problem: the setting, the path, the user and the fix. */
export function stateDirError(dir: string, problem: string, consequence?: string): InvalidConfigError {
  const user = userName();
  return new InvalidConfigError([
    `VMCHNDL_ON_STATE_DIR: ${problem}. ` +
      `Fix: as root, \`install -d -o ${user} -m 750 ${dir}\` and \`chown -R ${user} ${dir}\` (the hook runs as the user that runs vmcatcher_cache), ` +
      `or set VMCHNDL_ON_STATE_DIR to a directory ${user} can write${consequence ? `. ${consequence}` : ''}`,
  ]);
}

/** Throws the configuration error when the state directory cannot be used for `need` (creating it if it may). */
export function requireStateDir(dir: string, need: StateAccess, consequence?: string): void {
  const problem = stateDirProblem(dir, need);
  if (problem) throw stateDirError(dir, problem, consequence);
}
