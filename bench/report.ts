// The results as a table of measures, results, targets and whether each was met.
import { readyLatenessBoundMs, readyPollCountBound } from '../src/steps/ready-polls';
import type { BigImageResult } from './big-images';
import type { CallSummary } from './calls';
import type { ChecksumResult } from './checksum';
import type { Machine } from './machine';
import type { PoolResult } from './pool';
import type { RotationRun } from './rotation';
import type { RotationSummary } from './rotation-summary';
import type { StartupResult } from './startup';
import { fmtBytes, fmtMs, fmtRate, median, ratio } from './stats';

export interface Results {
  machine: Machine;
  sizeMiB: number;
  dataMiB: number;
  /** The qcow2 file the rotations register: what the checksum reads. */
  qcow2Bytes: number;
  bundleBytes: number;
  /** The part compiled for every event (scripts/build.mjs); the rest only when an event needs it. */
  entryBytes: number;
  startup: StartupResult[];
  checksum: ChecksumResult;
  rotation: RotationSummary;
  sameFormat: RotationSummary;
  /** The qcow2 rotation again with VMCHNDL_ON_VERIFY_CHECKSUM=no: what is left besides the hash. */
  unverified: RotationSummary;
  /** Every run, for the spread the medians hide. */
  rotationRuns: RotationRun[];
  sameFormatRuns: RotationRun[];
  unverifiedRuns: RotationRun[];
  calls: CallSummary;
  backoff: CallSummary;
  pool: PoolResult[];
  /** Big images from the disk (small ones with --quick). */
  big: BigImageResult[];
  bigFailed: Array<{ virtualMiB: number; error: string }>;
  quick: boolean;
  /** VMCHNDL_ON_POLL_INTERVAL's default and the longest interval, ms. */
  poll: { firstMs: number; maxMs: number };
  /** Load averages (1, 5, 15 min) at the start and the end; the benchmark's own duration. */
  load: { start: number[]; end: number[] };
  benchMs: number;
}

interface Row {
  measure: string;
  result: string;
  target: string;
  /** Undefined for a figure shown for comparison, without a target. */
  met?: boolean;
}

const MB = 1e6;
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const nodeName = (n: string) => (n === 'node10' ? 'Node 10' : 'Node 20');

const ms = (x: number) => `${Math.round(x)} ms`;
const mbOf = (kib: number) => Math.round((kib * 1024) / MB);
const gib = (mib: number) => (mib >= 1024 ? `${+(mib / 1024).toFixed(2)} GiB` : `${mib} MiB`);

/** The fixed part of a rotation in words: what is not the hash and the conversion. */
export function fixedPart(x: RotationSummary, hashing: boolean): string {
  const l = x.phases.log;
  const rest = x.fixedMs - l.startupMs - l.observeMs - l.planMs - x.pollLagMs - x.phases.finishMs;
  return (
    `fixed part ${ms(x.fixedMs)}: start-up ${ms(l.startupMs)}, reading oned and qemu-img info and check ${ms(l.observeMs)}${hashing ? ' (the hash running alongside)' : ''}, planning ${ms(l.planMs)}, ` +
    `READY noticed ${ms(x.pollLagMs)} late, ${ms(x.phases.finishMs)} after READY, ${ms(rest)} the rest (rename, allocate)`
  );
}

/** The hook's log: its remove-staging step start → the next step's start, ms (0 without one). */
export function stagingRemovalMs(run: RotationRun): number {
  const at = (line: string | undefined) => {
    const m = line ? /^\d{4}-\d\d-\d\d (\d\d):(\d\d):(\d\d),(\d{3});/.exec(line) : null;
    return m ? ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1000 + Number(m[4]) : undefined;
  };
  const lines = run.log.split('\n').filter((l) => /; execute -- step \d+\//.test(l));
  const i = lines.findIndex((l) => /remove the staging directory/.test(l));
  const from = at(lines[i]);
  const to = at(lines[i + 1]);
  return i < 0 || from === undefined || to === undefined ? 0 : (to - from + 86400000) % 86400000;
}

/** How the figure grows from the first size to the last. */
function growth(xs: readonly number[]): number {
  return xs[xs.length - 1] / xs[0];
}

const COPIES_S = [1, 10, 60, 300, 3600, 14400];
const copyName = (sec: number) => (sec >= 3600 ? `${sec / 3600} h` : sec >= 60 ? `${sec / 60} min` : `${sec} s`);

function rows(r: Results): Row[] {
  const out: Row[] = [];
  for (const s of r.startup) {
    out.push({
      measure: `start-up, ${nodeName(s.node)}`,
      result: `${ratio(s.ratio)}: hook ${fmtMs(s.hookMs)}, \`node -e 0\` ${fmtMs(s.bareMs)} (medians of ${s.runs})`,
      target: '≤ 1.5×',
      met: s.ratio <= 1.5,
    });
  }
  const rot = r.rotation;
  out.push({
    measure: `rotation against its floor, ${r.sizeMiB} MiB qcow2 → raw from the page cache, checksum on`,
    result:
      `${ratio(rot.ratio)}: ours ${secs(rot.oursMs)} (hook ${secs(rot.totalMs)} − oned's copy ${secs(rot.onedMs)}) against the floor ${secs(rot.baselineMs)}: ` +
      `\`sha512sum\` and \`qemu-img convert\` of the same ${fmtBytes(r.qcow2Bytes)} file started together; CPU time ours ${secs(rot.cpuMs)}, the floor's ${secs(rot.baselineCpuMs)}. Ours: the convert step (the hash, begun at take-up, ending in it) ${secs(rot.phases.log.workMs)}; ` +
      (rot.phases.log.convertStartMs !== undefined && rot.phases.log.hashAfterConvertMs !== undefined
        ? `the hash ran from the event's first line, qemu-img convert from ${ms(rot.phases.log.convertStartMs)} after it, and the hash ended ${ms(rot.phases.log.hashAfterConvertMs)} after the conversion; `
        : '') +
      fixedPart(rot, true),
    target: '≤ 1.25×',
    met: rot.ratio <= 1.25,
  });
  const un = r.unverified;
  out.push({
    measure: `rotation against its floor, checksum off`,
    result:
      `${ratio(un.ratio)}: ours ${secs(un.oursMs)} (hook ${secs(un.totalMs)} − oned's copy ${secs(un.onedMs)}) against \`qemu-img convert\` alone ${secs(un.baselineMs)}; CPU time ours ${secs(un.cpuMs)}, the convert's ${secs(un.baselineCpuMs)}. ` +
      `Ours: the convert step ${secs(un.phases.log.workMs)}; ${fixedPart(un, false)}`,
    target: '≤ 1.25×',
    met: un.ratio <= 1.25,
  });
  const sf = r.sameFormat;
  out.push({
    measure: `same format, ${r.sizeMiB} MiB raw → raw`,
    result:
      `${sf.sameInode ? '0 image bytes copied (oned reads the cached file itself)' : 'the cached file was COPIED'}, ${fmtBytes(sf.writtenBytes)} written in all; ` +
      `${ratio(sf.ratio)} \`sha512sum\`: ours ${secs(sf.oursMs)} (hook ${secs(sf.totalMs)} − oned's copy ${secs(sf.onedMs)}; of it ${secs(sf.phases.prepareMs)} reading oned and checking the sha512, READY noticed ${secs(sf.pollLagMs)} late), sha512sum ${secs(sf.baselineMs)}`,
    target: '0 bytes; ≤ 1.2×',
    met: sf.sameInode && sf.writtenBytes < 1048576 && sf.ratio <= 1.2,
  });
  if (r.big.length > 1) {
    const sizes = r.big.map((b) => gib(b.virtualMiB)).join(' / ');
    for (const [what, pick, child] of [
      ['qcow2 → raw', (b: BigImageResult) => b.qcow2, 'qemu-img'],
      ['raw → raw', (b: BigImageResult) => b.raw, 'qemu-img'],
    ] as const) {
      const xs = r.big.map(pick);
      const hookMB = xs.map((x) => mbOf(x.peakKiB));
      const childMB = xs.map((x) => mbOf(x.childPeakKiB[child] || 0));
      const oursGrowth = growth(xs.map((x) => x.oursMs));
      const floorGrowth = growth(xs.map((x) => x.baselineMs));
      const removal = r.big.map((b) => median((what === 'raw → raw' ? b.rawRuns : b.qcow2Runs).map(stagingRemovalMs)));
      out.push({
        measure: `big images, ${what}, ${sizes} virtual (a tenth data), from the disk, checksum on: time`,
        result:
          `ours ${xs.map((x) => secs(x.oursMs)).join(' / ')} against the floor ${xs.map((x) => secs(x.baselineMs)).join(' / ')} ` +
          `(${what === 'raw → raw' ? '`sha512sum`' : '`sha512sum` and `qemu-img convert` together'}): ${xs.map((x) => ratio(x.ratio)).join(' / ')}; ` +
          `CPU time ours ${xs.map((x) => secs(x.cpuMs)).join(' / ')}, the floor's ${xs.map((x) => secs(x.baselineCpuMs)).join(' / ')}; ` +
          `fixed part ${xs.map((x) => ms(x.fixedMs)).join(' / ')}, of which READY noticed ${xs.map((x) => ms(x.pollLagMs)).join(' / ')} late and after READY ${xs.map((x) => ms(x.phases.finishMs)).join(' / ')}, ` +
          `in which removing the staging directory took ${removal.map(ms).join(' / ')} (the file system writing back oned's copy meanwhile)`,
        target: '≤ 1.25× the floor',
        met: xs.every((x) => x.ratio <= 1.25),
      });
      out.push({
        measure: `big images, ${what}, ${sizes}: memory, bytes written, growth`,
        result:
          `peak RSS: hook ${hookMB.join(' / ')} MB, qemu-img ${childMB.join(' / ')} MB; written ${xs.map((x) => fmtBytes(x.writtenBytes)).join(' / ')}. ` +
          `From ${gib(r.big[0].virtualMiB)} to ${gib(r.big[r.big.length - 1].virtualMiB)}: ours ×${oursGrowth.toFixed(1)}, the floor ×${floorGrowth.toFixed(1)}, hook RSS ×${growth(hookMB).toFixed(2)}`,
        target: 'hook < 100 MB and flat; time grows no faster than the floor',
        met: Math.max(...hookMB) < 100 && growth(hookMB) <= 1.1 && oursGrowth <= floorGrowth * 1.05,
      });
    }
  }
  for (const f of r.bigFailed) {
    out.push({ measure: `big images, ${gib(f.virtualMiB)} virtual`, result: `could not be measured: ${f.error.replace(/\|/g, '\\|')}`, target: 'measured', met: false });
  }
  const measured = [
    [`${gib(r.sizeMiB)} qcow2`, r.rotationRuns] as const,
    ...r.big.slice(-1).map((b) => [`${gib(b.virtualMiB)} raw`, b.rawRuns] as const),
  ];
  const lateRuns = measured.map(([what, runs]) => {
    const worst = runs.slice().sort((a, b) => b.pollLagMs - a.pollLagMs)[0];
    return { what, run: worst, bound: readyLatenessBoundMs(worst.onedMs, r.poll.firstMs, r.poll.maxMs) };
  });
  out.push({
    measure: 'READY noticed late (`VMCHNDL_ON_POLL_INTERVAL` 0.25 s, then a tenth of the time waited, at most 30 s)',
    result:
      `the schedule, for copies of ${COPIES_S.map(copyName).join(' / ')}: at most ${COPIES_S.map((c) => fmtMs(readyLatenessBoundMs(c * 1000, r.poll.firstMs, r.poll.maxMs))).join(' / ')} late ` +
      `(test/steps/ready-polls.test.ts replays copies of 10 ms to 4 h). Measured, the latest run: ` +
      lateRuns.map((l) => `${l.what}, a ${secs(l.run.onedMs)} copy noticed ${ms(l.run.pollLagMs)} late (the schedule's bound ${ms(l.bound)}; the rest is the poll's own call)`).join('; '),
    target: '≤ 10 % of the copy and ≤ 30 s (copies under 2.5 s: ≤ 0.25 s)',
    met: lateRuns.every((l) => l.run.pollLagMs <= l.bound + 100),
  });
  out.push({
    measure: 'READY polls per copy',
    result:
      `for copies of ${COPIES_S.map(copyName).join(' / ')}: at most ${COPIES_S.map((c) => readyPollCountBound(c * 1000, r.poll.firstMs, r.poll.maxMs)).join(' / ')} polls. ` +
      `Measured: ${lateRuns.map((l) => `${l.what}, ${l.run.polls} polls for a ${secs(l.run.onedMs)} copy`).join('; ')}. ` +
      `≤ 10 % late needs about ten polls per e-fold of the copy's length, ≤ 30 s late one poll per 30 s: ≤ 20 polls holds only for copies up to 5 s (oned reports no progress of a copy to predict its end)`,
    target: '~20 for any copy up to 4 h',
    met: COPIES_S.every((c) => readyPollCountBound(c * 1000, r.poll.firstMs, r.poll.maxMs) <= 22),
  });
  const big = r.pool[r.pool.length - 1];
  const mid = r.pool[r.pool.length - 2];
  for (const node of ['node20', 'node10'] as const) {
    // Ours: the lookup less the simulator producing the answer (oned's part, as in the rotation).
    const ours = (p: PoolResult) => Math.max(0, p.ms[node] - p.serverMs);
    const growth = ours(big) / ours(mid) / (big.images / mid.images);
    const peakMB = (p: PoolResult) => Math.round((p.peakMiB[node] * 1048576) / MB);
    out.push({
      measure: `pool lookup ${r.pool.map((p) => p.images).join(' / ')}, ${nodeName(node)}`,
      result:
        `ours ${r.pool.map((p) => fmtMs(ours(p))).join(' / ')} (lookup ${fmtMs(big.ms[node])} − answer alone ${fmtMs(big.serverMs)} at ${big.images}; CPU ${r.pool.map((p) => fmtMs(p.cpuMs[node])).join(' / ')}); ` +
        `peak RSS ${r.pool.map(peakMB).join(' / ')} MB; time per image at ${big.images} ×${growth.toFixed(2)} that at ${mid.images}`,
      target: `${big.images}: ≤ 1 s, ≤ 200 MB; linear`,
      met: ours(big) <= 1000 && peakMB(big) <= 200 && growth <= 1.25,
    });
  }
  const c = r.checksum;
  for (const node of ['node20', 'node10'] as const) {
    out.push({
      measure: `checksum, sha512 of ${fmtBytes(c.bytes)}, ${nodeName(node)}`,
      result: `${ratio(c.ratio[node])} sha512sum's throughput: ${fmtRate(c.bytes, c.oursMs[node])} vs ${fmtRate(c.bytes, c.sha512sumMs)}`,
      target: '≥ 0.9×',
      met: c.ratio[node] >= 0.9,
    });
  }
  const k = r.calls;
  const b = r.backoff;
  out.push({
    measure: 'XML-RPC calls per rotation',
    result:
      `${k.calls} + ${k.polls} READY poll(s) at ${k.pollAt.map((t) => Math.round(t)).join(', ')} ms (${Object.keys(k.byMethod).map((m) => `${m.replace(/^one\./, '')} ${k.byMethod[m]}`).join(', ')}); ` +
      `a 3 s copy, first poll after 0.1 s: ${b.calls} + ${b.polls} polls at ${b.pollAt.map((t) => Math.round(t)).join(', ')} ms`,
    target: '≤ 12 + polls, backing off',
    met: k.calls <= 12 && b.calls <= 12 && b.backingOff && k.backingOff,
  });
  return out;
}

/** The table as Markdown. */
export function table(r: Results): string {
  const lines = ['| measure | result | target | met |', '|---|---|---|---|'];
  for (const row of rows(r)) lines.push(`| ${row.measure} | ${row.result} | ${row.target} | ${row.met === undefined ? '—' : row.met ? 'yes' : '**no**'} |`);
  return lines.join('\n');
}
