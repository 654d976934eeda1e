// Rotations against the simulator: the hook replaces the current image of an identifier with the
// cached file, timed against the one tool that has to run anyway (qemu-img convert, or sha512sum).
// What oned does meanwhile (its copy into the datastore, allocate to READY) is not ours and is taken
// out; the time we take to notice READY (the poll back-off) is ours and stays in.
import * as fs from 'fs';
import * as path from 'path';
import { createOneClient } from '../src/one/client';
import type { SimCall } from '../test/sim/index';
import { BenchSite, eventVars, IDENTIFIER, NodeKind, runHook } from './site';
import { mustSucceed, timeSync } from './stats';
import { place } from './workspace';

const STALE = '0'.repeat(128);

export interface RotationRun {
  totalMs: number;
  /** one.image.allocate received → the image READY: oned's copy, not ours. */
  onedMs: number;
  /** The image READY → the poll that saw it. */
  pollLagMs: number;
  /** totalMs − onedMs. */
  oursMs: number;
  /** Where our time went: start to the first call; first call to allocate (observe, hash, convert, rename); after READY was seen. */
  phases: { startMs: number; prepareMs: number; finishMs: number };
  baselineMs: number;
  writtenBytes: number;
  /** Calls of the run, `at` relative to the allocate call. */
  calls: SimCall[];
  newId: number;
  /** The file oned copied from is the cached file itself (same inode: in place or a hard link). */
  sameInode: boolean;
  /** What the hook logged. */
  log: string;
}

export interface RotationSpec {
  /** The disk vmcatcher cached (linked into the cache under the identifier). */
  file: string;
  format: 'qcow2' | 'raw';
  sha512: string;
  /** The command the rotation is compared with, run on the same file (none: baselineMs 0). */
  baseline?: (file: string, scratch: string) => [string, string[]];
  node: NodeKind;
  runs: number;
}

/** The baseline of a conversion: the qemu-img convert our convert step runs, without -p. */
export const convertAlone = (file: string, scratch: string): [string, string[]] => ['qemu-img', ['convert', '-f', 'qcow2', '-O', 'raw', '-W', file, path.join(scratch, 'alone.raw')]];
/** The baseline of a same-format registration: hashing the file. */
export const hashAlone = (file: string): [string, string[]] => ['sha512sum', ['-b', file]];

// Watches the simulator for the image the run allocates: when it appears, when it is READY, what PATH holds.
function watchNewImage(site: BenchSite, afterId: number, cachedIno: number) {
  const seen: { id?: number; readyAt?: number; sameInode?: boolean } = {};
  const timer = setInterval(() => {
    for (const img of site.sim.images()) {
      if (img.id <= afterId) continue;
      if (seen.id === undefined) {
        seen.id = img.id;
        try {
          seen.sameInode = fs.statSync(img.path).ino === cachedIno;
        } catch {
          seen.sameInode = false;
        }
      }
      if (img.id === seen.id && img.stateName === 'READY' && seen.readyAt === undefined) seen.readyAt = Date.now();
    }
  }, 2);
  return { seen, stop: () => clearInterval(timer) };
}

/** Puts a current image for the identifier in place (group users, mode 640), its checksum not the file's. */
async function prepareCurrent(site: BenchSite): Promise<number> {
  const current = site.sim.images().filter((i) => i.name === IDENTIFIER)[0];
  if (!current) {
    const t = eventVars('03-AvailablePostfix.env');
    delete t.VMCATCHER_EVENT_TYPE;
    return site.sim.addImage({ name: IDENTIFIER, gid: 1, mode: '640', template: Object.assign(t, { VMCATCHER_EVENT_SL_CHECKSUM_SHA512: STALE }) });
  }
  // After a rotation: the retired predecessor and its datastore copy go; the current one pretends to hold another version.
  const one = createOneClient({ endpoint: site.sim.url, session: site.session });
  for (const img of site.sim.images()) if (img.id !== current.id) await one.imageDelete(img.id, false);
  await one.imageUpdate(current.id, { VMCATCHER_EVENT_SL_CHECKSUM_SHA512: STALE }, true);
  await site.sim.settle();
  return current.id;
}

async function rotateOnce(site: BenchSite, spec: RotationSpec, currentId: number): Promise<Omit<RotationRun, 'baselineMs'>> {
  const cached = path.join(site.cacheDir, IDENTIFIER);
  const event = Object.assign(eventVars('03-AvailablePostfix.env'), {
    VMCATCHER_EVENT_SL_CHECKSUM_SHA512: spec.sha512,
    VMCATCHER_EVENT_HV_FORMAT: spec.format,
    VMCATCHER_EVENT_HV_VERSION: `${Date.now()}`,
  });
  const lastId = Math.max(...site.sim.images().map((i) => i.id));
  site.sim.clearCalls();
  const watch = watchNewImage(site, lastId, fs.statSync(cached).ino);
  let run;
  const startAt = Date.now();
  try {
    run = await runHook(site, event, spec.node);
  } finally {
    watch.stop();
  }
  const endAt = Date.now();
  const calls = site.sim.calls.slice();
  const alloc = calls.filter((c) => c.method === 'one.image.allocate')[0];
  const { id, readyAt, sameInode } = watch.seen;
  if (!alloc || id === undefined || readyAt === undefined) throw new Error(`the rotation allocated nothing or the image never became READY:\n${run.stderr}`);
  const now = site.sim.image(id)!;
  if (now.name !== IDENTIFIER || now.template.VMCATCHER_EVENT_SL_CHECKSUM_SHA512 !== spec.sha512 || site.sim.image(currentId)!.name === IDENTIFIER) {
    throw new Error(`the rotation did not make image ${id} current:\n${run.stderr}`);
  }
  const sawReady = calls.filter((c) => c.method === 'one.image.info' && c.params[1] === id && c.at >= readyAt)[0];
  if (!sawReady) throw new Error('no one.image.info call saw the new image READY');
  const onedMs = readyAt - alloc.at;
  return {
    totalMs: run.ms,
    onedMs,
    pollLagMs: sawReady.at - readyAt,
    oursMs: run.ms - onedMs,
    phases: { startMs: calls[0].at - startAt, prepareMs: alloc.at - calls[0].at, finishMs: endAt - sawReady.at },
    writtenBytes: run.writtenBytes,
    calls: calls.map((c) => ({ method: c.method, params: c.params, at: c.at - alloc.at })),
    newId: id,
    sameInode: sameInode === true,
    log: run.stderr,
  };
}

/** Runs `spec.runs` rotations, each next to a run of the baseline (alternating which goes first). */
export async function measureRotations(site: BenchSite, spec: RotationSpec): Promise<RotationRun[]> {
  place(spec.file, path.join(site.cacheDir, IDENTIFIER));
  const scratch = path.join(site.root, 'scratch');
  fs.mkdirSync(scratch, { recursive: true });
  const baseline = () => {
    if (!spec.baseline) return 0;
    const [cmd, args] = spec.baseline(spec.file, scratch);
    timeSync('sync', []);
    const r = mustSucceed(cmd, timeSync(cmd, args));
    for (const f of fs.readdirSync(scratch)) fs.unlinkSync(path.join(scratch, f));
    return r.ms;
  };
  const runs: RotationRun[] = [];
  let current = await prepareCurrent(site);
  for (let i = 0; i < spec.runs; i++) {
    const first = i % 2 ? baseline() : undefined;
    timeSync('sync', []);
    const r = await rotateOnce(site, spec, current);
    const baselineMs = first !== undefined ? first : baseline();
    runs.push(Object.assign(r, { baselineMs }));
    if (process.env.BENCH_VERBOSE) {
      process.stderr.write(`  ${spec.format}: hook ${r.totalMs.toFixed(0)} ms, ${JSON.stringify(r.phases)}, oned ${r.onedMs} ms, lag ${r.pollLagMs} ms, baseline ${baselineMs.toFixed(0)} ms\n`);
      process.stderr.write(r.log.replace(/^/gm, '    | ') + '\n');
      for (const c of r.calls) process.stderr.write(`    ${String(c.at).padStart(6)} ${c.method} ${JSON.stringify(c.params.slice(1)).slice(0, 60)}\n`);
    }
    current = await prepareCurrent(site);
  }
  return runs;
}
