// When to ask oned again whether a new image is READY. oned says nothing about a copy's progress while
// the image is LOCKED, so the schedule only knows how long it has waited. Each poll waits a tenth of
// the time waited so far, at least the first interval and at most the longest: a copy that ends
// between two polls is noticed at most 10 % of its length late, never more than the longest interval,
// and at most the first interval late when it is shorter than ten of them. The price is a poll count
// that grows with the logarithm of the copy's length (about 10 more per e-fold) up to ten longest
// intervals, then by one per longest interval.

/** The share of the time waited so far that the next poll waits. */
export const READY_POLL_SHARE = 0.1;

/** How long to wait before the next READY poll, `waitedMs` after the first one. */
export function nextReadyPollMs(waitedMs: number, firstMs: number, maxMs: number): number {
  return Math.min(Math.max(firstMs, maxMs), Math.max(firstMs, waitedMs * READY_POLL_SHARE));
}

/** The most a copy of `copyMs` can be noticed late under this schedule. */
export function readyLatenessBoundMs(copyMs: number, firstMs: number, maxMs: number): number {
  return Math.max(firstMs, Math.min(Math.max(firstMs, maxMs), copyMs * READY_POLL_SHARE));
}

/** How many polls (the first, at 0, included) this schedule makes at most for a copy of `copyMs`. */
export function readyPollCountBound(copyMs: number, firstMs: number, maxMs: number): number {
  const max = Math.max(firstMs, maxMs);
  // Every first interval up to ten of them; then growing by a tenth up to ten longest; then one per longest.
  const flatEnd = firstMs / READY_POLL_SHARE;
  const growEnd = Math.max(flatEnd, max / READY_POLL_SHARE);
  const flat = Math.ceil(Math.min(copyMs, flatEnd) / firstMs);
  const grow = copyMs > flatEnd ? Math.ceil(Math.log(Math.min(copyMs, growEnd) / flatEnd) / Math.log(1 + READY_POLL_SHARE)) : 0;
  const tail = copyMs > growEnd ? Math.ceil((copyMs - growEnd) / max) : 0;
  return 1 + flat + grow + tail + 1;
}
