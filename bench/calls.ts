// The XML-RPC calls of one rotation, from the simulator's call log: how many, and how READY is polled.
import type { RotationRun } from './rotation';

export interface CallSummary {
  /** Calls other than the READY polls. */
  calls: number;
  byMethod: Record<string, number>;
  /** one.image.info of the new image from the allocate up to the one that saw READY. */
  polls: number;
  /** When each poll arrived, ms after the allocate. */
  pollAt: number[];
  /**
   * Never faster than the first interval (a 30 ms tolerance: each poll's own call takes a varying
   * time), and, past the first ten intervals, slower than at first.
   */
  backingOff: boolean;
}

/** Counts a rotation's calls and reads its READY polls (`pollMs`: VMCHNDL_ON_POLL_INTERVAL). */
export function summarizeCalls(run: RotationRun, pollMs: number): CallSummary {
  const isPoll = (c: RotationRun['calls'][number]) => c.method === 'one.image.info' && c.params[1] === run.newId && c.at >= 0;
  const sawReady = run.calls.filter((c) => isPoll(c) && c.at >= run.onedMs)[0];
  const polls = run.calls.filter((c) => isPoll(c) && (!sawReady || c.at <= sawReady.at));
  const others = run.calls.filter((c) => polls.indexOf(c) < 0);
  const byMethod: Record<string, number> = {};
  for (const c of others) byMethod[c.method] = (byMethod[c.method] || 0) + 1;
  const pollAt = polls.map((c) => c.at);
  const gaps = pollAt.slice(1).map((t, i) => t - pollAt[i]);
  const backingOff = gaps.every((g) => g >= pollMs - 30) && (gaps.length <= 10 || gaps[gaps.length - 1] > gaps[0]);
  return { calls: others.length, byMethod, polls: polls.length, pollAt, backingOff };
}
