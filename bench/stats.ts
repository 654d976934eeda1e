// Small measuring helpers: medians, timed child processes, number formatting.
import { spawn, spawnSync, SpawnSyncOptions } from 'child_process';
import { performance } from 'perf_hooks';

/** The median (the mean of the middle two for an even count). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new Error('median of nothing');
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Milliseconds since `start` (a performance.now() value). */
export function since(start: number): number {
  return performance.now() - start;
}

export interface Timed {
  ms: number;
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end (blocking: nothing else of ours runs meanwhile) and times it. */
export function timeSync(cmd: string, args: readonly string[], opts: SpawnSyncOptions = {}): Timed {
  const start = performance.now();
  const r = spawnSync(cmd, args.slice(), Object.assign({ encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, opts));
  const ms = since(start);
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  return { ms, status: r.status, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** Runs a command without blocking our event loop (the simulator lives in this process) and times it. */
export function timeAsync(cmd: string, args: readonly string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; onSpawn?: (pid: number) => void } = {}): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(cmd, args.slice(), { env: opts.env, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    if (opts.onSpawn && child.pid !== undefined) opts.onSpawn(child.pid);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ ms: since(start), status, stdout, stderr }));
  });
}

/** Fails with the command's output when it did not exit with 0. */
export function mustSucceed(what: string, r: Timed): Timed {
  if (r.status !== 0) throw new Error(`${what} exited with ${r.status}:\n${r.stderr}${r.stdout}`);
  return r;
}

/** 1234.5 -> "1 234 ms"; small values keep one decimal. */
export function fmtMs(ms: number): string {
  return ms >= 100 ? `${groupDigits(Math.round(ms))} ms` : `${ms.toFixed(1)} ms`;
}

/** Bytes per second as MiB/s. */
export function fmtRate(bytes: number, ms: number): string {
  return `${Math.round(bytes / 1048576 / (ms / 1000))} MiB/s`;
}

export function fmtBytes(n: number): string {
  if (n >= 1048576) return `${(n / 1048576).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} B`;
}

export function ratio(x: number): string {
  return `${x.toFixed(2)}×`;
}

function groupDigits(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
}
