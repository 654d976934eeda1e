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
  writtenBytes: number;
  sameInode: boolean;
}

/** Medians over the runs; the ratio is ours over the baseline. */
export function summarize(runs: readonly RotationRun[]): RotationSummary {
  const m = (f: (r: RotationRun) => number) => median(runs.map(f));
  const oursMs = m((r) => r.oursMs);
  const baselineMs = m((r) => r.baselineMs);
  return {
    phases: { startMs: m((r) => r.phases.startMs), prepareMs: m((r) => r.phases.prepareMs), finishMs: m((r) => r.phases.finishMs) },
    totalMs: m((r) => r.totalMs),
    onedMs: m((r) => r.onedMs),
    pollLagMs: m((r) => r.pollLagMs),
    oursMs,
    baselineMs,
    ratio: oursMs / baselineMs,
    writtenBytes: m((r) => r.writtenBytes),
    sameInode: runs.every((r) => r.sameInode),
  };
}
