// doctor: what this host holds for the handler: the state and staging directories, the time zone,
// the spool and the journals. Reads only.
import * as fs from 'fs';
import * as path from 'path';
import { formatRetiredStamp } from '../clock/retired-stamp';
import { localZoneFile } from '../clock/tzif';
import type { Config } from '../config/config';
import { listOpenJournals } from '../exec/journal';
import { listSpool } from '../spool/spool';
import { shortError } from '../status/short-error';
import { CheckResult, result } from './types';

/** The closest existing ancestor of a path (the directory that a mkdir -p would start from). */
function existingAncestor(p: string): string {
  let dir = p;
  while (!fs.existsSync(dir) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

function writable(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.W_OK | fs.constants.X_OK);
    return true;
  } catch (_) {
    return false;
  }
}

/** A directory the handler writes to: it exists and this user may write to it, or it can be created. */
export function checkWritableDir(id: string, key: string, dir: string, who: string): CheckResult {
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') return result(id, 'fail', `${key} ${dir}: cannot be read (${code})`, `set ${key} to a directory ${who} can write to`);
  }
  if (st && !st.isDirectory()) return result(id, 'fail', `${key} ${dir} is not a directory`, `remove it or set ${key} to a directory ${who} can write to`);
  if (st) {
    if (!writable(dir)) return result(id, 'fail', `${key} ${dir} is not writable by ${who}`, `chown ${who} ${dir}, or set ${key} to a directory ${who} can write to`);
    return result(id, 'ok', `${key} ${dir} is writable by ${who}`);
  }
  const base = existingAncestor(dir);
  if (!fs.statSync(base).isDirectory() || !writable(base)) {
    return result(id, 'fail', `${key} ${dir} does not exist and ${who} cannot create it in ${base}`, `mkdir -p ${dir} && chown ${who} ${dir}, or set ${key}`);
  }
  return result(id, 'ok', `${key} ${dir} does not exist yet; ${who} can create it`);
}

/** The time zone retired names are stamped with. */
export function checkTimeZone(env: NodeJS.ProcessEnv, now: number): CheckResult {
  const file = localZoneFile(env.TZ);
  const stamp = formatRetiredStamp(now, env.TZ);
  const where = env.TZ ? `TZ=${env.TZ}` : '/etc/localtime';
  if (!fs.existsSync(file)) {
    return result('time-zone', 'warn', `no zone file ${file} (${where}): retired names say ${stamp}, without the zone's name`, env.TZ ? 'unset TZ or set it to a zone name such as Europe/Madrid' : 'link /etc/localtime to the zone of the site');
  }
  return result('time-zone', 'ok', `retired names are stamped in local time (${where}), e.g. ${stamp}`);
}

/** Pending events: kept, failing ones ask for an admin once they failed VMCHNDL_ON_RETRY_WARN_AFTER times. */
export function checkSpool(config: Config): CheckResult {
  const bad: string[] = [];
  const entries = listSpool(config.stateDir, undefined, (f) => bad.push(f));
  if (bad.length) return result('spool', 'warn', `${bad.length} unreadable spool entr${bad.length === 1 ? 'y' : 'ies'}: ${bad.slice(0, 3).join(', ')}`, 'look at them, then move them out of the spool');
  const stuck = entries.filter((e) => e.attempts >= config.retryWarnAfter);
  if (stuck.length) {
    const e = stuck[0];
    return result(
      'spool',
      'warn',
      `${stuck.length} event(s) failed ${config.retryWarnAfter} or more times, e.g. ${e.type} ${e.identifier} (${e.attempts} attempts: ${shortError(e.lastError || '', 120)})`,
      '`vmcatcher_eventHndl_ON pending` shows them; fix the cause, then `retry`, or `forget` the event',
    );
  }
  return result('spool', 'ok', entries.length ? `${entries.length} event(s) pending, none failing repeatedly` : 'no event pending');
}

/** Runs that were interrupted and not finished yet. */
export function checkJournals(config: Config): CheckResult {
  const open = listOpenJournals(config.stateDir);
  if (open.length) return result('journals', 'warn', `${open.length} interrupted run(s): ${open.slice(0, 3).join(', ')}`, '`vmcatcher_eventHndl_ON recover` finishes or rolls them back');
  return result('journals', 'ok', 'no interrupted run');
}
