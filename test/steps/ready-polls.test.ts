// The READY poll schedule (src/steps/ready-polls.ts), replayed without sleeping for copies of every
// length from 10 ms to VMCHNDL_ON_READY_TIMEOUT's 4 h: how late READY is noticed, and in how many polls.
import { describe, expect, it } from 'vitest';
import { nextReadyPollMs, readyLatenessBoundMs, readyPollCountBound } from '../../src/steps/ready-polls';

const S = 1000;
const FOUR_HOURS = 4 * 3600 * S;

/** The polls the wait-ready step makes for a copy that ends `copyMs` after the first poll: when the one that sees READY comes, and how many. */
function replay(copyMs: number, firstMs: number, maxMs: number): { seenAt: number; polls: number } {
  let at = 0;
  let polls = 1;
  while (at < copyMs) {
    const d = nextReadyPollMs(at, firstMs, maxMs);
    if (!(d > 0)) throw new Error(`no progress at ${at} ms`);
    at += d;
    polls++;
  }
  return { seenAt: at, polls };
}

/** Copy lengths from 10 ms to 4 h: log-spaced, plus each just after a poll (the worst case) and pseudo-random ones. */
function copyLengths(firstMs: number, maxMs: number): number[] {
  const out: number[] = [];
  for (let x = 10; x <= FOUR_HOURS; x *= 1.013) out.push(x);
  let at = 0;
  while (at <= FOUR_HOURS) {
    out.push(at + 0.001);
    at += nextReadyPollMs(at, firstMs, maxMs);
  }
  let seed = 42;
  for (let i = 0; i < 2000; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    out.push(10 + (seed / 2147483648) * FOUR_HOURS);
  }
  out.push(FOUR_HOURS);
  return out;
}

describe('READY poll schedule', () => {
  for (const [firstMs, maxMs] of [
    [250, 30 * S],
    [20, 30 * S],
    [100, 30 * S],
    [1000, 30 * S],
    [60 * S, 60 * S],
  ]) {
    it(`notices READY at most min(10 %, longest interval) late, or one first interval, with first ${firstMs} ms and longest ${maxMs} ms`, () => {
      for (const copyMs of copyLengths(firstMs, maxMs)) {
        const r = replay(copyMs, firstMs, maxMs);
        const late = r.seenAt - copyMs;
        const bound = readyLatenessBoundMs(copyMs, firstMs, maxMs);
        expect(late, `a copy of ${copyMs} ms`).toBeLessThanOrEqual(bound + 1e-6);
        expect(bound).toBeLessThanOrEqual(Math.max(firstMs, Math.min(maxMs, copyMs / 10)) + 1e-6);
        expect(r.polls, `a copy of ${copyMs} ms`).toBeLessThanOrEqual(readyPollCountBound(copyMs, firstMs, maxMs));
      }
    });
  }

  it('with the default settings: ≤ 10 % and ≤ 30 s late past 2.5 s; ≤ 20 polls up to 5 s, ≤ 62 up to 5 min, ≤ 535 up to 4 h', () => {
    for (const copyMs of copyLengths(250, 30 * S)) {
      const r = replay(copyMs, 250, 30 * S);
      if (copyMs >= 2500) expect(r.seenAt - copyMs).toBeLessThanOrEqual(Math.min(30 * S, copyMs / 10) + 1e-6);
      else expect(r.seenAt - copyMs).toBeLessThanOrEqual(250 + 1e-6);
      if (copyMs <= 5 * S) expect(r.polls, `a copy of ${copyMs} ms`).toBeLessThanOrEqual(20);
      if (copyMs <= 300 * S) expect(r.polls, `a copy of ${copyMs} ms`).toBeLessThanOrEqual(62);
      expect(r.polls, `a copy of ${copyMs} ms`).toBeLessThanOrEqual(535);
    }
  });

  it('backs off: each wait at least the one before, never above the longest', () => {
    let at = 0;
    let last = 0;
    while (at < FOUR_HOURS) {
      const d = nextReadyPollMs(at, 250, 30 * S);
      expect(d).toBeGreaterThanOrEqual(last);
      expect(d).toBeLessThanOrEqual(30 * S);
      last = d;
      at += d;
    }
    expect(last).toBe(30 * S);
  });
});
