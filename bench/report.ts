// The results as a table of measures, results, targets and whether each was met.
import type { CallSummary } from './calls';
import type { ChecksumResult } from './checksum';
import type { Machine } from './machine';
import type { PoolResult } from './pool';
import type { RotationRun } from './rotation';
import type { RotationSummary } from './rotation-summary';
import type { StartupResult } from './startup';
import { fmtBytes, fmtMs, fmtRate, ratio } from './stats';

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

/** How long our sha512 of the rotation's qcow2 takes, from the throughput the checksum measure found (Node 10 runs the rotations). */
export function hashFloorMs(r: Results): number {
  return r.qcow2Bytes / (r.checksum.bytes / r.checksum.oursMs.node10);
}

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
    measure: `rotation overhead, ${r.sizeMiB} MiB qcow2 → raw, checksum on`,
    result:
      `${ratio(rot.ratio)}: ours ${secs(rot.oursMs)} (hook ${secs(rot.totalMs)} − oned's copy ${secs(rot.onedMs)}) against \`qemu-img convert\` alone ${secs(rot.baselineMs)}. ` +
      `Ours: ${secs(rot.phases.startMs)} to the first call, ${secs(rot.phases.prepareMs)} reading oned, checking the sha512 while converting, renaming; ` +
      `READY noticed ${secs(rot.pollLagMs)} late; ${secs(rot.phases.finishMs)} after. ` +
      `Floor: the sha512 of the ${fmtBytes(r.qcow2Bytes)} file alone takes ${secs(hashFloorMs(r))} at our measured Node 10 throughput, ` +
      `${ratio(hashFloorMs(r) / rot.baselineMs)} the convert; checking the sha512 cannot cost less`,
    target: '≤ 1.10×',
    met: rot.ratio <= 1.1,
  });
  const un = r.unverified;
  out.push({
    measure: `for comparison: the same rotation, checksum off`,
    result:
      `${ratio(un.ratio)}: ours ${secs(un.oursMs)} (hook ${secs(un.totalMs)} − oned's copy ${secs(un.onedMs)}) against \`qemu-img convert\` alone ${secs(un.baselineMs)}. ` +
      `Ours: ${secs(un.phases.startMs)} to the first call, ${secs(un.phases.prepareMs)} reading oned, converting, renaming; ` +
      `READY noticed ${secs(un.pollLagMs)} late; ${secs(un.phases.finishMs)} after`,
    target: 'none',
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
