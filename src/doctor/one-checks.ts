// doctor: oned as the handler meets it: credentials, endpoint and version, the datastore (type, the
// directories it copies from, free space), the retired owner and group, and oned.conf's restricted
// image attributes. Read-only calls only, through src/one.
import * as fs from 'fs';
import * as path from 'path';
import { PROTECTED_ATTRS } from '../attributes';
import type { Config } from '../config/config';
import { OneError, VmcError } from '../errors';
import { findDatastore } from '../observe/observe-one';
import { createOneClient, DatastoreRecord, OneApi, resolveEndpoint, resolveSession, resolveTls, UserRecord } from '../one';
import { stagingDirProblem } from '../plan/datastore-dirs';
import { CheckResult, result } from './types';

export interface OneCheckInput {
  readonly config: Config;
  readonly env: NodeJS.ProcessEnv;
  readonly home: string;
  /** vmcatcher's cache directory, for the largest image the datastore must hold. */
  readonly cacheDir?: string;
}

const why = (e: unknown) => (e instanceof Error ? e.message : String(e)).replace(/^invalid configuration:\s*/, '');

/** The largest file in vmcatcher's cache directory (what a rotation must fit), or undefined. */
function largestCached(cacheDir: string): { file: string; bytes: number } | undefined {
  let best: { file: string; bytes: number } | undefined;
  let names: string[];
  try {
    names = fs.readdirSync(cacheDir);
  } catch (_) {
    return undefined;
  }
  for (const n of names) {
    if (n === 'cache.index') continue;
    try {
      const st = fs.statSync(path.join(cacheDir, n));
      if (st.isFile() && (!best || st.size > best.bytes)) best = { file: n, bytes: st.size };
    } catch (_) {
      // Gone meanwhile (vmcatcher cleaning up): not ours to report.
    }
  }
  return best;
}

function datastoreChecks(ds: DatastoreRecord, input: OneCheckInput): CheckResult[] {
  const out: CheckResult[] = [];
  const safe = ds.template.SAFE_DIRS === undefined ? '(unset: /var/tmp)' : JSON.stringify(ds.template.SAFE_DIRS);
  const restricted = ds.template.RESTRICTED_DIRS === undefined ? '(unset: /)' : JSON.stringify(ds.template.RESTRICTED_DIRS);
  out.push(result('datastore', 'ok', `datastore ${ds.id} ${ds.name}: image datastore (${ds.dsMad}/${ds.tmMad}), SAFE_DIRS=${safe}, RESTRICTED_DIRS=${restricted}`));
  const refused = stagingDirProblem(ds, input.config.stagingDir);
  if (refused) {
    const [cause, fix] = refused.split('. Add ');
    out.push(result('staging-allowed', 'fail', `${cause}; every conversion would be refused`, `add ${fix}`));
  } else out.push(result('staging-allowed', 'ok', `datastore ${ds.name} copies from VMCHNDL_ON_STAGING_DIR ${input.config.stagingDir}`));
  if (ds.freeMb === undefined) {
    out.push(result('datastore-space', 'warn', `oned does not report datastore ${ds.name}'s free space`, 'check it with `onedatastore show`'));
    return out;
  }
  const big = input.cacheDir ? largestCached(input.cacheDir) : undefined;
  const freeMb = ds.freeMb;
  if (!big) {
    const note = input.cacheDir ? `no image in ${input.cacheDir}` : "vmcatcher's cache directory not given (--cache-dir or $VMCATCHER_CACHE_DIR_CACHE)";
    out.push(result('datastore-space', 'ok', `datastore ${ds.name} has ${freeMb} MB free (${note}: not compared)`));
    return out;
  }
  const needMb = Math.ceil(big.bytes / 1048576);
  if (freeMb < needMb) {
    out.push(result('datastore-space', 'fail', `datastore ${ds.name} has ${freeMb} MB free, less than the largest cached image (${big.file}, ${needMb} MB)`, 'free space in the datastore or add capacity'));
  } else if (freeMb < 2 * needMb) {
    out.push(result('datastore-space', 'warn', `datastore ${ds.name} has ${freeMb} MB free: room for one copy of the largest cached image (${big.file}, ${needMb} MB), not two`, 'free space in the datastore (a rotation keeps the old image until the new one is ready)'));
  } else {
    out.push(result('datastore-space', 'ok', `datastore ${ds.name} has ${freeMb} MB free; the largest cached image (${big.file}) is ${needMb} MB`));
  }
  return out;
}

async function ownerChecks(one: OneApi, users: readonly UserRecord[], config: Config): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  const owner = config.retiredOwner;
  const user = users.filter((u) => (/^\d+$/.test(owner) ? u.id === Number(owner) : u.name === owner))[0];
  if (user) out.push(result('retired-owner', 'ok', `VMCHNDL_ON_RETIRED_OWNER ${owner} is user ${user.id} ${user.name}`));
  else out.push(result('retired-owner', 'fail', `VMCHNDL_ON_RETIRED_OWNER: no user ${JSON.stringify(owner)} in OpenNebula`, 'set VMCHNDL_ON_RETIRED_OWNER to an existing user (oneuser list)'));
  const wanted = config.retiredGroup;
  let groups: ReadonlyArray<{ id: number; name: string }>;
  try {
    groups = await one.groupPool();
  } catch (e) {
    return out.concat(result('retired-group', 'warn', `could not list groups: ${why(e)}`, 'run doctor as oneadmin'));
  }
  const g = groups.filter((x) => (/^\d+$/.test(wanted) ? x.id === Number(wanted) : x.name === wanted))[0];
  if (g) out.push(result('retired-group', 'ok', `VMCHNDL_ON_RETIRED_GROUP ${wanted} is group ${g.id} ${g.name}`));
  else out.push(result('retired-group', 'fail', `VMCHNDL_ON_RETIRED_GROUP: no group ${JSON.stringify(wanted)} in OpenNebula`, 'set VMCHNDL_ON_RETIRED_GROUP to an existing group (onegroup list)'));
  return out.concat(voGroupChecks(groups, config));
}

/** Every group VMCHNDL_ON_VO_GROUPS maps a VO to must exist: a first registration of that VO would stop at it. */
function voGroupChecks(groups: ReadonlyArray<{ id: number; name: string }>, config: Config): CheckResult[] {
  if (!config.voGroups.length) return [];
  const missing: string[] = [];
  const found: string[] = [];
  for (const m of config.voGroups) {
    const g = groups.filter((x) => (/^\d+$/.test(m.group) ? x.id === Number(m.group) : x.name === m.group))[0];
    if (g) found.push(`${m.vo} → group ${g.id} ${g.name}`);
    else missing.push(`VO ${JSON.stringify(m.vo)} is mapped to group ${JSON.stringify(m.group)}, which does not exist`);
  }
  if (missing.length) {
    return [result('vo-groups', 'fail', `VMCHNDL_ON_VO_GROUPS: ${missing.join('; ')}`, 'create the group (onegroup create) or correct VMCHNDL_ON_VO_GROUPS; events of that VO fail with exit 3 until then')];
  }
  return [result('vo-groups', 'ok', `VMCHNDL_ON_VO_GROUPS: ${found.join(', ')} (mode ${config.voMode})`)];
}

async function restrictedAttrCheck(one: OneApi, me: UserRecord | undefined): Promise<CheckResult> {
  const id = 'restricted-attrs';
  if (!me || me.groups.indexOf(0) < 0) return result(id, 'warn', 'not checked: oned.conf can only be judged by a member of the oneadmin group', 'run doctor as oneadmin');
  let conf;
  try {
    conf = await one.systemConfig();
  } catch (e) {
    return result(id, 'warn', `one.system.config failed: ${why(e)}`, 'check /etc/one/oned.conf by hand for IMAGE_RESTRICTED_ATTR');
  }
  const have = conf.attrs.IMAGE_RESTRICTED_ATTR || [];
  const missing = PROTECTED_ATTRS.filter((a) => have.indexOf(a) < 0);
  if (!missing.length) return result(id, 'ok', `oned.conf's IMAGE_RESTRICTED_ATTR protects the ${PROTECTED_ATTRS.length} attributes the handler relies on`);
  return result(
    id,
    'warn',
    `oned.conf's IMAGE_RESTRICTED_ATTR lacks ${missing.length} attribute(s) the handler relies on (${missing[0]}${missing.length > 1 ? ', …' : ''}): an image's owner could set them`,
    `add to /etc/one/oned.conf, then restart oned: ${missing.map((a) => `IMAGE_RESTRICTED_ATTR = "${a}"`).join(' ')}`,
  );
}

/** Every oned check; stops after the first that makes the rest meaningless (no credentials, no answer). */
export async function checkOne(input: OneCheckInput): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  const { config, env, home } = input;
  let session;
  try {
    session = resolveSession({ explicit: config.authFile, env, home });
  } catch (e) {
    return [result('credentials', 'fail', why(e), 'write user:password to the file VMCHNDL_ON_AUTH_FILE names (or $ONE_AUTH, ~/.one/one_auth), mode 600')];
  }
  const user = session.session.slice(0, session.session.indexOf(':'));
  if (session.warnings.length) out.push(result('credentials', 'warn', `user ${user} from ${session.source}; ${session.warnings.join('; ')}`, `chmod 600 ${session.source}`));
  let ep;
  let one: OneApi;
  try {
    ep = resolveEndpoint({ explicit: config.endpoint, env, home });
    const tls = resolveTls(env);
    one = createOneClient({ endpoint: ep.endpoint, session: session.session, timeoutMs: config.callTimeoutMs, caFile: config.caFile, caDir: config.caDir || tls.caDir, insecure: config.insecure || tls.insecure });
  } catch (e) {
    return out.concat(result('endpoint', 'fail', why(e), 'set VMCHNDL_ON_ENDPOINT (or $ONE_XMLRPC) to oned\'s URL, e.g. http://localhost:2633/RPC2'));
  }
  let version: string;
  try {
    version = await one.systemVersion();
  } catch (e) {
    if (e instanceof OneError && e.oneClass === 'AUTHENTICATION') {
      return out.concat(result('credentials', 'fail', `oned at ${ep.endpoint} refused user ${user} (credentials from ${session.source})`, `write the right user:password to ${session.source}, or name another file in VMCHNDL_ON_AUTH_FILE`));
    }
    const where = ep.source === 'configuration' ? 'VMCHNDL_ON_ENDPOINT' : ep.source;
    return out.concat(result('endpoint', 'fail', `oned does not answer at ${ep.endpoint} (from ${where}): ${e instanceof VmcError ? e.message : why(e)}`, 'start oned, or set VMCHNDL_ON_ENDPOINT (or $ONE_XMLRPC) to its URL'));
  }
  if (!session.warnings.length) out.push(result('credentials', 'ok', `oned accepts user ${user} (from ${session.source})`));
  out.push(result('endpoint', 'ok', `oned ${version} answers at ${ep.endpoint} (from ${ep.source === 'configuration' ? 'VMCHNDL_ON_ENDPOINT' : ep.source})`));

  let users: UserRecord[] = [];
  try {
    const [pool, u] = await Promise.all([one.datastorePool(), one.userPool()]);
    users = u;
    out.push(...datastoreChecks(findDatastore(pool, config.datastore), input));
  } catch (e) {
    out.push(result('datastore', 'fail', why(e), 'set VMCHNDL_ON_DATASTORE to an image datastore (onedatastore list)'));
  }
  out.push(...(await ownerChecks(one, users, config)));
  out.push(await restrictedAttrCheck(one, users.filter((u) => u.name === user)[0]));
  return out;
}
