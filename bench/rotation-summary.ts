// What the rotations come to: medians of each part, and ours over the baseline.
import type { RotationRun } from './rotation';
import { median } from './stats';

export interface RotationSummary {
  phases: RotationRun['phases'];
  totalMs: number;
  onedMs: number;
  pollLagMs: number;
  oursMs: number;
  baselineMs: number;
  ratio: number;
  cpuMs: number;
  baselineCpuMs: number;
  writtenBytes: number;
  sameInode: boolean;
  polls: number;
  /** Highest over the runs: the hook's own peak RSS, its children's (by program), KiB. */
  peakKiB: number;
  childPeakKiB: Record<string, number>;
  /** Highest over the runs: bytes of the file in the page cache when the hook started. */
  cachedBytesAtStart: number;
  /** ours − the work (phases.log.workMs: the first step to the rename): start-up, observing, the calls around the copy, READY noticed late. */
  fixedMs: number;
}

/** Medians over the runs; the ratio is ours over the baseline. */
export function summarize(runs: readonly RotationRun[]): RotationSummary {
  const m = (f: (r: RotationRun) => number) => median(runs.map(f));
  const oursMs = m((r) => r.oursMs);
  const baselineMs = m((r) => r.baselineMs);
  return {
    phases: {
      startMs: m((r) => r.phases.startMs),
      prepareMs: m((r) => r.phases.prepareMs),
      finishMs: m((r) => r.phases.finishMs),
      log: {
        startupMs: m((r) => r.phases.log.startupMs),
        observeMs: m((r) => r.phases.log.observeMs),
        planMs: m((r) => r.phases.log.planMs),
        workMs: m((r) => r.phases.log.workMs),
        convertStartMs: runs.every((r) => r.phases.log.convertStartMs !== undefined) ? m((r) => r.phases.log.convertStartMs!) : undefined,
        hashAfterConvertMs: runs.every((r) => r.phases.log.hashAfterConvertMs !== undefined) ? m((r) => r.phases.log.hashAfterConvertMs!) : undefined,
      },
    },
    totalMs: m((r) => r.totalMs),
    onedMs: m((r) => r.onedMs),
    pollLagMs: m((r) => r.pollLagMs),
    oursMs,
    baselineMs,
    ratio: oursMs / baselineMs,
    cpuMs: m((r) => r.cpuMs),
    baselineCpuMs: m((r) => r.baselineCpuMs),
    writtenBytes: m((r) => r.writtenBytes),
    sameInode: runs.every((r) => r.sameInode),
    polls: m((r) => r.polls),
    peakKiB: Math.max(...runs.map((r) => r.peakKiB)),
    childPeakKiB: maxByKey(runs.map((r) => r.childPeakKiB)),
    cachedBytesAtStart: Math.max(...runs.map((r) => r.cachedBytesAtStart)),
    fixedMs: m((r) => r.oursMs - r.phases.log.workMs),
  };
}

function maxByKey(all: ReadonlyArray<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const one of all) for (const k of Object.keys(one)) out[k] = Math.max(out[k] || 0, one[k]);
  return out;
}
