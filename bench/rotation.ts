// Rotations against the simulator: the hook replaces the current image of an identifier with the
// cached file, timed against the one tool that has to run anyway (qemu-img convert, or sha512sum).
// What oned does meanwhile (its copy into the datastore, allocate to READY) is not ours and is taken
// out; the time we take to notice READY (the poll back-off) is ours and stays in.
import * as fs from 'fs';
import { DateTime } from 'luxon';
import * as path from 'path';
import { createOneClient } from '../src/one/client';
import type { SimCall } from '../test/sim/index';
import { dropFromCache, residentBytes } from './page-cache';
import { BenchSite, eventVars, IDENTIFIER, NodeKind, runHook } from './site';
import { mustSucceed, timeAsync, timeSync } from './stats';
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
  /**
   * Where our time went: start to the first call; first call to allocate (observe, hash, convert,
   * rename); after READY was seen; and, from the hook's log, start-up, observing, the work.
   */
  phases: { startMs: number; prepareMs: number; finishMs: number; log: LogPhases };
  /** READY polls (one.image.info of the new image) up to the one that saw it. */
  polls: number;
  baselineMs: number;
  /** CPU time (user + system) of the hook with its children, and of the baseline's commands, ms. */
  cpuMs: number;
  baselineCpuMs: number;
  writtenBytes: number;
  /** The hook's own peak RSS and its children's (by program), KiB. */
  peakKiB: number;
  childPeakKiB: Record<string, number>;
  /** Bytes of the cached file in the page cache when the hook started (cold runs: after dropping it). */
  cachedBytesAtStart: number;
  /** Calls of the run, `at` relative to the allocate call. */
  calls: SimCall[];
  newId: number;
  /** The file oned copied from is the cached file itself (same inode: in place or a hard link). */
  sameInode: boolean;
  /** What the hook logged. */
  log: string;
}

/** The same from the hook's own log lines (ms resolution): start-up, observing and planning, the first step to the rename. */
export interface LogPhases {
  /** Hook started → its first line ("event ..."): Node, the bundle, settings, lock, spool. */
  startupMs: number;
  /** First line → the plan: oned read, qemu-img --version, info and check (the hash running alongside). */
  observeMs: number;
  /** The plan → the first step. */
  planMs: number;
  /** The first step (the convert, or the checksum) → the rename call: the hash and the conversion. */
  workMs: number;
  /** The first line → qemu-img convert's first progress line (the hash began at take-up, before it); undefined without a conversion. */
  convertStartMs?: number;
  /** qemu-img convert's 100 % → the line saying the sha512 matches: how long the hash outlasted the conversion (0: it ended first). */
  hashAfterConvertMs?: number;
}

/** When the hook wrote a line matching `re` (its log is local time in the site's TZ), epoch ms. */
function lineAt(log: string, re: RegExp, zone: string): number | undefined {
  for (const line of log.split('\n')) {
    if (!re.test(line)) continue;
    const m = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3});/.exec(line);
    if (m) return DateTime.fromFormat(m[1], 'yyyy-MM-dd HH:mm:ss,SSS', { zone }).toMillis();
  }
  return undefined;
}

function logPhases(log: string, zone: string, startAt: number, renameAt: number): LogPhases {
  const event = lineAt(log, /; main -- event /, zone);
  const plan = lineAt(log, /; plan -- /, zone);
  const step1 = lineAt(log, /; execute -- step 1\//, zone);
  if (event === undefined || plan === undefined || step1 === undefined) throw new Error(`the hook's log lacks the event, plan or first step line:\n${log}`);
  const convert0 = lineAt(log, /; progress -- converting: 0 %/, zone);
  const convert100 = lineAt(log, /; progress -- converting: 100 %/, zone);
  const verified = lineAt(log, /; verify -- sha512 of .* matches/, zone);
  return {
    startupMs: event - startAt,
    observeMs: plan - event,
    planMs: step1 - plan,
    workMs: renameAt - step1,
    convertStartMs: convert0 === undefined ? undefined : convert0 - event,
    hashAfterConvertMs: convert100 === undefined || verified === undefined ? undefined : Math.max(0, verified - convert100),
  };
}

export interface RotationSpec {
  /** The disk vmcatcher cached (linked into the cache under the identifier). */
  file: string;
  format: 'qcow2' | 'raw';
  sha512: string;
  /** The commands the rotation is compared with, run on the same file, started together (none: baselineMs 0). */
  baseline?: (file: string, scratch: string) => Array<[string, string[]]>;
  node: NodeKind;
  runs: number;
  /** Drop the file from the page cache before each timed run (ours and the baseline's). */
  cold?: boolean;
  /** Empty each new image's datastore copy after its run (big images: the disk is shared). */
  freeCopies?: boolean;
}

const convertCommand = (file: string, scratch: string): [string, string[]] => ['qemu-img', ['convert', '-f', 'qcow2', '-O', 'raw', '-W', file, path.join(scratch, 'alone.raw')]];
const hashCommand = (file: string): [string, string[]] => ['sha512sum', ['-b', file]];
/** The baseline of a conversion: the qemu-img convert our convert step runs, without -p. */
export const convertAlone = (file: string, scratch: string) => [convertCommand(file, scratch)];
/** The floor of a conversion with the checksum checked: sha512sum and that qemu-img convert, started together. */
export const hashAndConvert = (file: string, scratch: string) => [hashCommand(file), convertCommand(file, scratch)];
/** The baseline (and floor) of a same-format registration: hashing the file. */
export const hashAlone = (file: string) => [hashCommand(file)];

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

async function rotateOnce(site: BenchSite, spec: RotationSpec, currentId: number): Promise<Omit<RotationRun, 'baselineMs' | 'baselineCpuMs' | 'cachedBytesAtStart'>> {
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
  const rename = calls.filter((c) => c.method === 'one.image.rename')[0];
  const polls = calls.filter((c) => c.method === 'one.image.info' && c.params[1] === id && c.at >= alloc.at && c.at <= sawReady.at).length;
  return {
    totalMs: run.ms,
    onedMs,
    pollLagMs: sawReady.at - readyAt,
    oursMs: run.ms - onedMs,
    phases: {
      startMs: calls[0].at - startAt,
      prepareMs: alloc.at - calls[0].at,
      finishMs: endAt - sawReady.at,
      log: logPhases(run.stderr, site.baseEnv.TZ || 'UTC', startAt, rename ? rename.at : alloc.at),
    },
    polls,
    cpuMs: run.cpuMs,
    writtenBytes: run.writtenBytes,
    peakKiB: run.peakKiB,
    childPeakKiB: run.childPeakKiB,
    calls: calls.map((c) => ({ method: c.method, params: c.params, at: c.at - alloc.at })),
    newId: id,
    sameInode: sameInode === true,
    log: run.stderr,
  };
}

/**
 * Runs the baseline's commands together on the file (cold: dropped from the page cache first): ms until
 * the last ends, and their CPU time (GNU time's user + system, 10 ms resolution).
 */
async function runBaseline(spec: RotationSpec, scratch: string): Promise<{ ms: number; cpuMs: number }> {
  if (!spec.baseline) return { ms: 0, cpuMs: 0 };
  const commands = spec.baseline(spec.file, scratch);
  const cpuFiles = commands.map((_, i) => path.join(scratch, `time-${i}.txt`));
  timeSync('sync', []);
  if (spec.cold) dropFromCache([spec.file]);
  const start = Date.now();
  await Promise.all(commands.map(([cmd, args], i) => timeAsync('/usr/bin/time', ['-f', '%U %S', '-o', cpuFiles[i], cmd, ...args]).then((r) => mustSucceed(cmd, r))));
  const ms = Date.now() - start;
  let cpuMs = 0;
  for (const f of cpuFiles) for (const x of fs.readFileSync(f, 'utf8').trim().split(/\s+/)) cpuMs += Number(x) * 1000;
  for (const f of fs.readdirSync(scratch)) fs.unlinkSync(path.join(scratch, f));
  return { ms, cpuMs };
}

/** Empties the datastore copy of image `id` (the simulator's file; nothing reads it again). */
function freeCopy(site: BenchSite, id: number): void {
  const img = site.sim.image(id);
  if (img && img.source && fs.existsSync(img.source)) fs.truncateSync(img.source, 0);
}

/** Runs `spec.runs` rotations, each next to a run of the baseline (alternating which goes first). */
export async function measureRotations(site: BenchSite, spec: RotationSpec): Promise<RotationRun[]> {
  place(spec.file, path.join(site.cacheDir, IDENTIFIER));
  const scratch = path.join(site.root, 'scratch');
  fs.mkdirSync(scratch, { recursive: true });
  const runs: RotationRun[] = [];
  let current = await prepareCurrent(site);
  for (let i = 0; i < spec.runs; i++) {
    const first = i % 2 ? await runBaseline(spec, scratch) : undefined;
    timeSync('sync', []);
    const cachedBytesAtStart = spec.cold ? dropFromCache([spec.file]) : residentBytes(spec.file) ?? fs.statSync(spec.file).size;
    const r = await rotateOnce(site, spec, current);
    if (spec.freeCopies) {
      freeCopy(site, r.newId);
      timeSync('sync', []);
    }
    const baseline = first !== undefined ? first : await runBaseline(spec, scratch);
    runs.push(Object.assign(r, { baselineMs: baseline.ms, baselineCpuMs: baseline.cpuMs, cachedBytesAtStart }));
    const baselineMs = baseline.ms;
    if (process.env.BENCH_VERBOSE) {
      process.stderr.write(
        `  ${spec.format}: hook ${r.totalMs.toFixed(0)} ms, ${JSON.stringify(r.phases)}, oned ${r.onedMs} ms, lag ${r.pollLagMs} ms in ${r.polls} polls, baseline ${baselineMs.toFixed(0)} ms, CPU ${r.cpuMs} / ${baseline.cpuMs} ms, ` +
          `RSS ${r.peakKiB} KiB, children ${JSON.stringify(r.childPeakKiB)}, written ${r.writtenBytes}, cached at start ${cachedBytesAtStart}\n`,
      );
      process.stderr.write(r.log.replace(/^/gm, '    | ') + '\n');
      for (const c of r.calls) process.stderr.write(`    ${String(c.at).padStart(6)} ${c.method} ${JSON.stringify(c.params.slice(1)).slice(0, 60)}\n`);
    }
    current = await prepareCurrent(site);
  }
  return runs;
}
