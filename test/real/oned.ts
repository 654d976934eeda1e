// A real OpenNebula oned for tests: built once per machine and version by scripts/real-oned.sh,
// started here as a throwaway instance on loopback (a random free port, its own database,
// datastores and driver scripts), with fixtures, and stopped with its driver processes.
import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { Answer, Arg, call, i, ok, parseDoc, s } from '../sim/rpc';

export const REPO = path.resolve(__dirname, '../..');
const SCRIPT = path.join(REPO, 'scripts/real-oned.sh');
export const ONED_PASSWORD = 'real-Oned-Secret-42';

export interface OnedInstall {
  readonly version: string;
  readonly dir: string;
}

const SRC_DIR = process.env.VMCHNDL_ON_ONED_SRC || path.resolve(REPO, '../shared/opennebula-src');

/** The OpenNebula source tarballs to test against: all, or those REAL_ONED_VERSIONS (comma-separated) names. */
function tarballs(): Array<{ version: string; file: string }> {
  const all = fs
    .readdirSync(SRC_DIR)
    .filter((f) => /^one-release-.*\.tar\.gz$/.test(f))
    .map((f) => ({ version: f.replace(/^one-release-/, '').replace(/\.tar\.gz$/, ''), file: path.join(SRC_DIR, f) }));
  if (all.length === 0) throw new Error(`no one-release-*.tar.gz in ${SRC_DIR}: the real-oned tests need OpenNebula's source`);
  const only = (process.env.REAL_ONED_VERSIONS || '').split(',').filter(Boolean);
  return only.length ? all.filter((t) => only.indexOf(t.version) >= 0) : all;
}

/** Builds (or finds in the cache) each oned version to test against; fails loudly. */
export function ensureOnedBuilt(): OnedInstall[] {
  const out: OnedInstall[] = [];
  for (const t of tarballs()) {
    // The build takes ~10-13 minutes the first time: the script says so and reuses its cache afterwards.
    execFileSync('bash', [SCRIPT, 'build', t.file], { stdio: ['ignore', 'inherit', 'inherit'] });
    const dir = execFileSync('bash', [SCRIPT, 'dir', t.file], { encoding: 'utf8' }).trim();
    out.push({ version: t.version, dir });
  }
  return out;
}

/** A free TCP port on 127.0.0.1 (asked of the kernel; closed again before use). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface RealOned {
  readonly version: string;
  readonly url: string;
  /** ONE_LOCATION of this instance. */
  readonly root: string;
  /** oneadmin's session, `oneadmin:<password>`. */
  readonly session: string;
  /** Calls as oneadmin (or as `session`) and returns the decoded answer. */
  rpc(method: string, ...args: Arg[]): Promise<Answer>;
  rpcAs(session: string, method: string, ...args: Arg[]): Promise<Answer>;
  /** Creates a group; its id. */
  addGroup(name: string): Promise<number>;
  /** Creates a user (core auth) in `gid` (default users, 1); its id. */
  addUser(name: string, password: string, gid?: number): Promise<number>;
  setDatastoreDirs(id: number, dirs: { safeDirs?: string; restrictedDirs?: string }): Promise<void>;
  /** oned's log so far (for failure messages). */
  log(): string;
  close(): Promise<void>;
}

function rewriteConf(text: string, port: number, hmPorts: [number, number]): string {
  let out = text
    .replace(/^PORT\s*=.*$/m, `PORT = ${port}`)
    .replace(/^LISTEN_ADDRESS\s*=.*$/m, 'LISTEN_ADDRESS = "127.0.0.1"')
    // No hosts: the monitoring daemon has nothing to monitor and would listen on a fixed port.
    .replace(/^IM_MAD\s*=\s*\[[^\]]*NAME\s*=\s*"monitord"[^\]]*\]/m, (m) => m.replace(/^/gm, '#'))
    .replace(/(HM_MAD\s*=\s*\[[^\]]*ARGUMENTS\s*=\s*")[^"]*(")/m, `$1-p ${hmPorts[0]} -l ${hmPorts[1]} -b 127.0.0.1$2`)
    .replace(/^SCRIPTS_REMOTE_DIR\s*=.*$/m, 'SCRIPTS_REMOTE_DIR=/var/tmp/one-real-oned-tests');
  // Datastores are monitored soon after start; until then allocate says "Not enough space".
  out = out.replace(/^MONITORING_INTERVAL_DATASTORE\s*=.*$/m, 'MONITORING_INTERVAL_DATASTORE = 15');
  return out;
}

async function sleep(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

/**
 * Starts an instance of `install` in a new directory on a random loopback port, deletes the default
 * marketplaces (nothing may reach the internet), and waits until the image datastore has capacity.
 */
export async function startRealOned(install: OnedInstall, opts: { readyTimeoutMs?: number } = {}): Promise<RealOned> {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), `real-oned-${install.version}-`)));
  for (const d of ['bin', 'sbin', 'lib', 'share', 'include']) {
    if (fs.existsSync(path.join(install.dir, d))) fs.symlinkSync(path.join(install.dir, d), path.join(root, d));
  }
  execFileSync('cp', ['-a', path.join(install.dir, 'etc'), path.join(root, 'etc')]);
  fs.mkdirSync(path.join(root, 'var'));
  // The driver scripts (var/remotes) are copied: oned and the drivers write next to them.
  for (const entry of fs.readdirSync(path.join(install.dir, 'var'))) {
    if (entry === 'datastores' || entry.endsWith('.db') || entry.endsWith('.log')) continue;
    execFileSync('cp', ['-a', path.join(install.dir, 'var', entry), path.join(root, 'var', entry)]);
  }
  const port = await freePort();
  const hmPorts: [number, number] = [await freePort(), await freePort()];
  const confPath = path.join(root, 'etc/oned.conf');
  fs.writeFileSync(confPath, rewriteConf(fs.readFileSync(confPath, 'utf8'), port, hmPorts));
  // Drivers run at nice 19 by default; on a busy 2-core machine a driver then misses oned's fixed
  // 10 s start-up handshake ("Driver initialization time out") and oned exits.
  const rcPath = path.join(root, 'etc/defaultrc');
  fs.writeFileSync(rcPath, fs.readFileSync(rcPath, 'utf8').replace(/^PRIORITY=.*$/m, 'PRIORITY=0'));
  const authDir = path.join(root, 'auth');
  fs.mkdirSync(authDir);
  const authFile = path.join(authDir, 'one_auth');
  fs.writeFileSync(authFile, `oneadmin:${ONED_PASSWORD}\n`, { mode: 0o600 });
  const url = `http://127.0.0.1:${port}/RPC2`;
  const env: NodeJS.ProcessEnv = {
    PATH: `${path.join(root, 'bin')}:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin`,
    HOME: root,
    LANG: 'C.UTF-8',
    ONE_LOCATION: root,
    ONE_AUTH: authFile,
    ONE_XMLRPC: url,
  };
  if (Number(install.version.split('.')[0]) >= 7) writeRuby7Shim(root, env);
  // A watchdog shell runs oned: when this process dies (its stdin pipe closes), the watchdog kills
  // oned's whole process group, so no oned or driver outlives a crashed test run.
  const watchdog =
    'set -m; "$ONE_LOCATION/bin/oned" -f >"$ONE_LOCATION/var/oned.stdout" 2>&1 & pid=$!; ' +
    'echo "$pid" >"$ONE_LOCATION/var/oned.pid"; ' +
    'trap "kill -TERM -$pid 2>/dev/null; sleep 2; kill -KILL -$pid 2>/dev/null; exit 0" TERM INT; ' +
    'read _ ; kill -TERM -$pid 2>/dev/null; sleep 2; kill -KILL -$pid 2>/dev/null; ' +
    // Orphaned (the test process died without close()): leave nothing behind.
    '[ -f "$ONE_LOCATION/.closing" ] || rm -rf "$ONE_LOCATION"';
  const child: ChildProcess = spawn('bash', ['-c', watchdog], { env, stdio: ['pipe', 'ignore', 'ignore'], cwd: root });
  const logFile = path.join(root, 'var/oned.log');
  const log = (): string => {
    const parts: string[] = [];
    for (const f of [logFile, path.join(root, 'var/oned.stdout')]) {
      try {
        parts.push(fs.readFileSync(f, 'utf8').split('\n').slice(-60).join('\n'));
      } catch (_) {
        /* not written yet */
      }
    }
    return parts.join('\n');
  };
  const session = `oneadmin:${ONED_PASSWORD}`;
  const rpcAs = (sess: string, method: string, ...args: Arg[]) => call(url, method, s(sess), ...args);
  const rpc = (method: string, ...args: Arg[]) => rpcAs(session, method, ...args);
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    fs.writeFileSync(path.join(root, '.closing'), '');
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    try {
      child.stdin!.end();
    } catch (_) {
      /* already gone */
    }
    await Promise.race([exited, sleep(10000)]);
    try {
      const pid = Number(fs.readFileSync(path.join(root, 'var/oned.pid'), 'utf8'));
      if (pid > 0) process.kill(-pid, 'SIGKILL');
    } catch (_) {
      /* gone */
    }
    fs.rmSync(root, { recursive: true, force: true });
  };
  const deadline = Date.now() + (opts.readyTimeoutMs || 120000);
  try {
    // 1. oned answers.
    for (;;) {
      if (child.exitCode !== null) throw new Error(`oned ${install.version} exited at start`);
      try {
        const v = ok(await rpc('one.system.version'));
        if (typeof v === 'string') break;
      } catch (_) {
        /* not up yet */
      }
      if (Date.now() > deadline) throw new Error(`oned ${install.version} did not answer on ${url}`);
      await sleep(250);
    }
    // 2. No marketplace may try to reach the internet.
    for (const id of [0, 1]) await rpc('one.market.delete', i(id));
    // 3. The image datastore is monitored (has capacity).
    for (;;) {
      const doc = parseDoc(ok(await rpc('one.datastore.info', i(1), { b: false })) as string);
      if (Number(doc.DATASTORE[0].TOTAL_MB) > 0) break;
      if (Date.now() > deadline) throw new Error(`oned ${install.version}: datastore 1 was never monitored`);
      await sleep(500);
    }
  } catch (err) {
    const text = log();
    await close();
    throw new Error(`${(err as Error).message}\n--- oned log ---\n${text}`);
  }
  return {
    version: install.version,
    url,
    root,
    session,
    rpc,
    rpcAs,
    async addGroup(name) {
      return ok(await rpc('one.group.allocate', s(name))) as number;
    },
    async addUser(name, password, gid = 1) {
      const uid = ok(await rpc('one.user.allocate', s(name), s(password), s('core'), { raw: `<value><array><data><value><i4>${gid}</i4></value></data></array></value>` })) as number;
      return uid;
    },
    async setDatastoreDirs(id, dirs) {
      const lines: string[] = [];
      if (dirs.safeDirs !== undefined) lines.push(`SAFE_DIRS = "${dirs.safeDirs}"`);
      if (dirs.restrictedDirs !== undefined) lines.push(`RESTRICTED_DIRS = "${dirs.restrictedDirs}"`);
      ok(await rpc('one.datastore.update', i(id), s(lines.join('\n')), i(1)));
    },
    log,
    close,
  };
}

function writeRuby7Shim(root: string, env: NodeJS.ProcessEnv): void {
  // A self-contained 7.x install: its drivers require 'load_opennebula_paths' (the packages link
  // it into site_ruby) and that file points Gem at a bundle the packages ship in share/gems.
  // Debian's gems (rexml, ffi, nokogiri) serve instead: a shim that only sets the load path.
  const dir = path.join(root, 'ruby-shim');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'load_opennebula_paths.rb'),
    [
      'ONE_LOCATION = ENV["ONE_LOCATION"] unless defined?(ONE_LOCATION)',
      'RUBY_LIB_LOCATION = ONE_LOCATION + "/lib/ruby" unless defined?(RUBY_LIB_LOCATION)',
      'GEMS_LOCATION = ONE_LOCATION + "/share/gems" unless defined?(GEMS_LOCATION)',
      '$LOAD_PATH << RUBY_LIB_LOCATION unless $LOAD_PATH.include?(RUBY_LIB_LOCATION)',
      '',
    ].join('\n'),
  );
  env.RUBYLIB = `${dir}:${path.join(root, 'lib/ruby')}`;
}
