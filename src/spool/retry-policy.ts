// When a failed event is tried again: at once the first time, then backing off.
import type { SpoolEntry } from './spool';

export interface RetryPolicy {
  /** Delay after the second failure; it doubles with each further one. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** From this many attempts on, every failure is logged as an error that asks for attention. */
  readonly warnAfter: number;
}

/**
 * The time an entry is due for an automatic retry. The first is due at once (the next vmcatcher run);
 * each failed automatic retry doubles the wait. Attempts made because a newer event for the same image
 * arrived do not count: they are not hammering, they are new work.
 */
export function nextAttemptAt(e: SpoolEntry, p: RetryPolicy): number {
  const retries = e.retries || 0;
  if (retries === 0 || e.lastAttemptAt === undefined) return e.lastAttemptAt || e.receivedAt;
  return e.lastAttemptAt + Math.min(p.maxDelayMs, p.baseDelayMs * Math.pow(2, Math.min(30, retries - 1)));
}

/** Tells whether an entry should be tried now by an automatic retry. */
export function isDue(e: SpoolEntry, p: RetryPolicy, now: number): boolean {
  return nextAttemptAt(e, p) <= now;
}
