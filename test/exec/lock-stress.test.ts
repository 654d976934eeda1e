// Mutual exclusion of the per-identifier lock, shown by force rather than argued: 16 real processes
// (half under Node 20, half under Node 10) take one image's lock over and over; stale locks are
// injected between them (a dead pid, a pid reused by a later process, an empty file, garbage); holders
// are killed with SIGKILL inside their critical section. Each critical section appends enter/leave
// records to one shared file; no two sections may overlap, and every survivor must get through.
import { spawnSync } from 'child_process';
import { buildSync } from 'esbuild';
import execa from 'execa';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NODE10_DIR, REPO } from '../e2e/site';

const WORKERS = 16;
const KILLS = 4;
/** Each kind of stale lock is injected this many times. */
const INJECTIONS = 4;

const WORKER = `
const fs = require('fs');
const { acquireLock } = require(process.argv[2]);
const [stateDir, log, stop] = process.argv.slice(3);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
(async () => {
  for (let i = 0; !fs.existsSync(stop); i++) {
    // Waiting polls every few ms: many more attempts meet the moments a lock is created, released or taken over.
    const l = await acquireLock(stateDir, 'img', { timeoutMs: 60000, sleep: (ms) => sleep(Math.min(ms, 3)), now: Date.now });
    fs.appendFileSync(log, 'enter ' + process.pid + ' ' + i + '\\n');
    if (i % 4 === 0) await sleep(1 + Math.random() * 4);
    fs.appendFileSync(log, 'leave ' + process.pid + ' ' + i + '\\n');
    l.release();
    if (i % 3 === 0) await sleep(Math.random() * 3);
  }
})().catch((e) => { console.error(e.stack); process.exit(1); });
`;

function deadPid(): number {
  return Number(spawnSync('sh', ['-c', 'echo $$']).stdout.toString().trim());
}

/** Checks a record sequence: an enter only when nobody holds the lock, or its holder was killed. */
export function overlaps(lines: readonly string[]): string[] {
  const bad: string[] = [];
  let holder: string | undefined;
  const killed = new Set<string>();
  lines.forEach((line, n) => {
    const [what, pid] = line.split(' ');
    if (what === 'kill') killed.add(pid);
    else if (what === 'enter') {
      if (holder !== undefined && !killed.has(holder)) bad.push(`line ${n + 1}: ${pid} entered while ${holder} held the lock`);
      holder = pid;
    } else if (what === 'leave') {
      if (holder !== pid) bad.push(`line ${n + 1}: ${pid} left but ${holder} held the lock`);
      holder = undefined;
    }
  });
  return bad;
}

describe('lock stress', () => {
  let dir: string;
  let lockModule: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmc-lock-stress-'));
    lockModule = path.join(dir, 'lock.js');
    // The lock module as the bundle ships it: CommonJS for Node 10.
    buildSync({ entryPoints: [path.join(REPO, 'src/exec/lock.ts')], bundle: true, platform: 'node', target: 'node10', format: 'cjs', outfile: lockModule, logLevel: 'warning' });
    fs.writeFileSync(path.join(dir, 'worker.js'), WORKER);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('the record checker sees an overlap', () => {
    expect(overlaps(['enter 1 0', 'enter 2 0', 'leave 2 0'])).toHaveLength(1);
    expect(overlaps(['enter 1 0', 'leave 2 0'])).toHaveLength(1);
    expect(overlaps(['enter 1 0', 'kill 1', 'enter 2 0', 'leave 2 0'])).toEqual([]);
  });

  it(`${WORKERS} processes under Node 20 and Node 10, stale locks injected, ${KILLS} holders killed: never two holders`, async () => {
    const stateDir = path.join(dir, 'state');
    const log = path.join(dir, 'sections.log');
    const stop = path.join(dir, 'stop');
    fs.mkdirSync(path.join(stateDir, 'locks'), { recursive: true });
    fs.writeFileSync(log, '');
    const lockFile = path.join(stateDir, 'locks/img.lock');
    const reused = execa('sleep', ['60']);
    const boot = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const dead = deadPid();
    const kinds: Array<[string, () => string]> = [
      ['dead pid', () => JSON.stringify({ pid: dead, host: os.hostname(), since: Date.now(), boot })],
      ['reused pid', () => JSON.stringify({ pid: reused.pid, host: os.hostname(), since: Date.now(), boot, start: '1' })],
      ['empty file', () => ''],
      ['garbage', () => '{"pid": 12'],
    ];
    const injected: string[] = [];
    const killed: string[] = [];
    // Injects a stale lock where there is none (link: never over a live one), as a crashed owner leaves it.
    const inject = () => {
      const [kind, text] = kinds[injected.length % kinds.length];
      const tmp = path.join(dir, `inject-${injected.length}`);
      fs.writeFileSync(tmp, text());
      const old = new Date(Date.now() - 3600000);
      fs.utimesSync(tmp, old, old);
      try {
        fs.linkSync(tmp, lockFile);
        injected.push(kind);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      } finally {
        fs.unlinkSync(tmp);
      }
    };
    inject();
    const started = Date.now();
    const workers = Array.from({ length: WORKERS }, (_, k) =>
      execa(path.join(k % 2 ? NODE10_DIR : path.dirname(process.execPath), 'node'), [path.join(dir, 'worker.js'), lockModule, stateDir, log, stop], { reject: false }),
    );
    const pids = new Set(workers.map((w) => String(w.pid)));
    let ticks = 0;
    const timer = setInterval(() => {
      ticks++;
      if (injected.length < kinds.length * INJECTIONS) inject();
      // Kill the current holder inside its critical section, now and then.
      const lines = fs.readFileSync(log, 'utf8').trim().split('\n');
      const last = lines[lines.length - 1].split(' ');
      if (killed.length < KILLS && ticks % 5 === 0 && last[0] === 'enter' && pids.has(last[1]) && killed.indexOf(last[1]) < 0) {
        fs.appendFileSync(log, `kill ${last[1]}\n`);
        killed.push(last[1]);
        process.kill(Number(last[1]), 'SIGKILL');
      }
      // Enough: every kind injected, every kill done, every live worker through at least once, and a
      // few seconds of contention.
      const through = workers.filter((w) => killed.indexOf(String(w.pid)) >= 0 || lines.some((l) => l.indexOf(`leave ${w.pid} `) === 0));
      const enough = injected.length >= kinds.length * INJECTIONS && killed.length >= KILLS && through.length === WORKERS;
      if ((enough && Date.now() - started > 4000) || Date.now() - started > 25000) {
        fs.writeFileSync(stop, '');
      }
    }, 2);
    let results;
    try {
      results = await Promise.all(workers);
    } finally {
      clearInterval(timer);
      reused.kill();
      await reused.catch(() => undefined);
    }
    const lines = fs.readFileSync(log, 'utf8').trim().split('\n');
    console.log(`lock stress: ${lines.filter((l) => /^enter/.test(l)).length} sections, ${killed.length} holders killed, stale locks injected: ${injected.join(', ')}; ${Date.now() - started} ms`);
    expect(overlaps(lines)).toEqual([]);
    const survivors = results.map((r, k) => ({ r, pid: String(workers[k].pid) })).filter((w) => killed.indexOf(w.pid) < 0);
    expect(survivors.length).toBe(WORKERS - KILLS);
    for (const w of survivors) expect(w.r.exitCode, w.r.stderr).toBe(0);
    // Every survivor got the lock.
    for (const w of survivors) expect(lines.filter((l) => l.indexOf(`leave ${w.pid} `) === 0).length).toBeGreaterThanOrEqual(1);
    expect(injected.length).toBe(kinds.length * INJECTIONS);
    // At most a stale lock is left (of a killed holder): no guard, no temporary file.
    expect(fs.readdirSync(path.join(stateDir, 'locks')).filter((f) => f !== 'img.lock')).toEqual([]);
  }, 60000);
});
