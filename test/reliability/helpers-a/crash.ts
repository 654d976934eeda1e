// Killing the real process (SIGKILL to its process group, as a reboot would) while the simulator holds
// a chosen RPC open, before or after oned acted on it.
import type { SimCall } from '../../sim/index';
import { NodeKind, Site, startHook, waitFor } from '../../e2e/site';

export interface CrashPoint {
  readonly method: string;
  /** The nth call of `method` counted from the injection. */
  readonly nth: number;
  /** oned acts on the call first; only the answer never comes. */
  readonly after: boolean;
}

export const isRead = (m: string): boolean => /\.info$/.test(m);

/** Every RPC of a call sequence as a crash point: reads once, calls that change something before and after oned acted. */
export function crashPoints(calls: readonly SimCall[]): CrashPoint[] {
  const seen: Record<string, number> = {};
  const out: CrashPoint[] = [];
  for (const c of calls) {
    const nth = (seen[c.method] = (seen[c.method] || 0) + 1);
    // READY polls repeat: the first two (the image still LOCKED) stand for all of them.
    if (c.method === 'one.image.info' && nth > 2 && isPollRun(calls, c)) continue;
    for (const after of isRead(c.method) ? [false] : [false, true]) out.push({ method: c.method, nth, after });
  }
  return out;
}

// A poll is an info call on the same image as the call before it.
function isPollRun(calls: readonly SimCall[], c: SimCall): boolean {
  const i = calls.indexOf(c);
  return i > 0 && calls[i - 1].method === c.method && calls[i - 1].params[1] === c.params[1];
}

/** The crash point that stands for position `i` of a call sequence (before oned acts). */
export function pointAt(calls: readonly SimCall[], i: number): CrashPoint {
  const method = calls[i].method;
  return { method, nth: calls.slice(0, i + 1).filter((c) => c.method === method).length, after: false };
}

/** `7 one.image.chown #2 after oned acted` */
export function describePoint(p: CrashPoint): string {
  return `${p.method} #${p.nth}${p.after ? ' after oned acted' : ''}`;
}

/** Runs the command (an event, or `recover` with args) and SIGKILLs its process group at the crash point. */
export async function runUntilKilled(site: Site, env: Record<string, string>, point: CrashPoint, opts: { args?: string[]; node?: NodeKind } = {}): Promise<void> {
  site.sim.clearCalls();
  site.sim.inject({ method: point.method, nth: point.nth, fault: { type: 'hang' }, after: point.after });
  const child = startHook(site, env, { group: true, args: opts.args, node: opts.node });
  let exited = false;
  child.then(() => (exited = true), () => (exited = true));
  try {
    await waitFor(() => exited || site.sim.calls.filter((c) => c.method === point.method).length >= point.nth, 20000, describePoint(point));
    if (exited) {
      const r = await child;
      throw new Error(`the process ended (exit ${r.exitCode}) before reaching ${describePoint(point)}: ${r.stderr.slice(-2000)}`);
    }
    // After oned acted: give the simulator a moment to finish the call before the kill.
    if (point.after) await new Promise((r) => setTimeout(r, 30));
  } finally {
    if (!exited) process.kill(-child.pid!, 'SIGKILL');
    await child.catch(() => undefined);
    site.sim.clearFaults();
  }
}
