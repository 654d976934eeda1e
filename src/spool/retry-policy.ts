// When a failed event is tried again: at once the first time, then backing off.
import type { SpoolEntry } from './spool';

export interface RetryPolicy {
  /** Delay after the second failure; it doubles with each further one. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** From this many attempts on, every failure is logged as an error that asks for attention. */
  readonly warnAfter: number;
}

/** The time an entry is due again; its first retry is due at once (the next vmcatcher run). */
export function nextAttemptAt(e: SpoolEntry, p: RetryPolicy): number {
  if (e.attempts <= 1 || e.lastAttemptAt === undefined) return e.lastAttemptAt || e.receivedAt;
  const delay = Math.min(p.maxDelayMs, p.baseDelayMs * Math.pow(2, Math.min(30, e.attempts - 2)));
  return e.lastAttemptAt + delay;
}

/** Tells whether an entry should be tried now by an automatic retry. */
export function isDue(e: SpoolEntry, p: RetryPolicy, now: number): boolean {
  return nextAttemptAt(e, p) <= now;
}
