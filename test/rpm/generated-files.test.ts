// The files the RPM build generates, read from the unpacked payload: the configuration file (from
// SETTINGS) and the man page (from the CLI's own --help), rendered by the real groff and man.
import execa from 'execa';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config/read-config';
import { parseConfigText } from '../../src/config/parse-file';
import { SETTINGS } from '../../src/config/settings';
import { buildRpm, BuiltRpm, extractRpm, NAME, requireManTools, VERSION } from './rpm-tools';

let built: BuiltRpm;
let root: string;
beforeAll(async () => {
  requireManTools();
  built = await buildRpm();
  root = path.join(built.out, 'root');
  extractRpm(built.rpm, root);
});
afterAll(() => {
  if (built) fs.rmSync(built.out, { recursive: true, force: true });
});

describe('the generated configuration file', () => {
  const conf = () => fs.readFileSync(path.join(root, 'etc/vmcatcher_eventHndl_ON.conf'), 'utf8');

  it('sets nothing as shipped, and names every setting, commented with its default and its doc', () => {
    expect(parseConfigText(conf(), 'conf')).toMatchObject({ values: {}, problems: [] });
    const text = conf();
    for (const s of SETTINGS) {
      expect(text).toMatch(new RegExp(`^#${s.key}=`, 'm'));
      expect(text.replace(/\n# /g, ' ')).toContain(s.doc.split(' ').slice(0, 6).join(' '));
    }
  });

  it('gives, with every line uncommented, exactly the configuration of the defaults', () => {
    const uncommented = conf().replace(/^#(VMCHNDL_ON_\w+=)/gm, '$1');
    const parsed = parseConfigText(uncommented, 'conf');
    expect(parsed.problems).toEqual([]);
    expect(Object.keys(parsed.values).sort()).toEqual(SETTINGS.map((s) => s.key).sort());
    for (const s of SETTINGS) expect(parsed.values[s.key]).toBe(s.default === undefined ? '' : s.default);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vmc-conf-'));
    try {
      fs.writeFileSync(path.join(tmp, 'all.conf'), uncommented);
      fs.writeFileSync(path.join(tmp, 'none.conf'), '');
      const all = readConfig({ file: path.join(tmp, 'all.conf'), env: {}, flags: {} });
      const none = readConfig({ file: path.join(tmp, 'none.conf'), env: {}, flags: {} });
      expect(all.config).toEqual(none.config);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe('the man page vmcatcher_eventHndl_ON(8)', () => {
  const troff = () => zlib.gunzipSync(fs.readFileSync(path.join(root, 'usr/share/man/man8/vmcatcher_eventHndl_ON.8.gz'))).toString('utf8');
  const help = (...args: string[]) => execFileSync(process.execPath, [path.join(root, 'usr/lib', NAME, `${NAME}.js`)].concat(args), { encoding: 'utf8' });

  it('renders without troff warnings', () => {
    const page = path.join(built.out, 'page.8');
    fs.writeFileSync(page, troff());
    const r = execa.sync('groff', ['-man', '-Tutf8', '-ww', '-z', page], { reject: false });
    expect([r.exitCode, r.stderr]).toEqual([0, '']);
    expect(troff()).toMatch(new RegExp(`^\\.TH VMCATCHER_EVENTHNDL_ON 8 "\\d{4}-\\d{2}-\\d{2}" "${NAME} ${VERSION.replace(/\./g, '\\.')}"`));
  });

  it('shows with man -l every section, setting, command and option of the program', () => {
    const text = execFileSync('man', ['-l', path.join(root, 'usr/share/man/man8/vmcatcher_eventHndl_ON.8.gz')], {
      encoding: 'utf8',
      env: Object.assign({}, process.env, { MANWIDTH: '100', MAN_KEEP_FORMATTING: '', PAGER: 'cat', LANG: 'C.UTF-8' }),
    }).replace(/.\x08/g, '');
    for (const h of ['NAME', 'SYNOPSIS', 'DESCRIPTION', 'OPTIONS', 'COMMANDS', 'CONFIGURATION', 'EXAMPLES', 'EXIT STATUS', 'FILES']) {
      expect(text).toMatch(new RegExp(`^${h}$`, 'm'));
    }
    expect(text).toMatch(/^ {7}vmcatcher_eventHndl_ON - vmcatcher's event handler for OpenNebula$/m);
    for (const s of SETTINGS) expect(text).toContain(s.key);
    // commander's own `help [command]` is `<command> --help`, which the page shows for each command.
    const commands = help('--help').split('Commands:')[1].split('\n\n')[0].match(/^ {2}\w+/gm)!.map((c) => c.trim()).filter((c) => c !== 'help');
    expect(commands.length).toBeGreaterThan(1);
    for (const c of commands) {
      expect(text).toMatch(new RegExp(`^ {3}${c} `, 'm'));
      for (const flag of help(c, '--help').match(/--[a-z-]+/g)!) expect(text).toContain(flag);
    }
    for (const flag of help('--help').match(/--[a-z-]+/g)!) expect(text).toContain(flag);
    expect(text).toContain('VMCATCHER_CACHE_EVENT="/usr/bin/vmcatcher_eventHndl_ON"');
  });
});

describe('the example vmcatcher cron configuration', () => {
  it('is a cron.d file that hands events to the installed launcher, without `export` or `python`', () => {
    const text = fs.readFileSync(path.join(root, 'usr/share/doc', NAME, 'vmcatcher-cron.cfg'), 'utf8');
    const active = text.split('\n').filter((l) => l.trim() && l.charAt(0) !== '#');
    const env: Record<string, string> = {};
    for (const l of active.filter((x) => /^\w+=/.test(x))) env[l.slice(0, l.indexOf('='))] = l.slice(l.indexOf('=') + 1).replace(/^"(.*)"$/, '$1');
    expect(env.VMCATCHER_CACHE_EVENT).toBe(`/usr/bin/${NAME}`);
    expect(fs.statSync(path.join(root, env.VMCATCHER_CACHE_EVENT.slice(1))).mode & 0o111).toBe(0o111);
    expect(Object.keys(env).sort()).toEqual(['VMCATCHER_CACHE_DIR_CACHE', 'VMCATCHER_CACHE_DIR_DOWNLOAD', 'VMCATCHER_CACHE_DIR_EXPIRE', 'VMCATCHER_CACHE_EVENT', 'VMCATCHER_RDBMS']);
    const jobs = active.filter((x) => !/^\w+=/.test(x));
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatch(/^(\S+\s+){5}oneadmin\s+.*vmcatcher_cache/);
    expect(active.join('\n')).not.toMatch(/^export |python/m);
  });
});

describe('bash completion', () => {
  // The shipped completion, sourced by the real bash: what it offers after each word typed so far.
  const complete = (words: string[], env: Record<string, string> = {}): string[] => {
    const file = path.join(root, 'etc/bash_completion.d', NAME);
    const script = `source '${file}'; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _${NAME}; printf '%s\\n' "\${COMPREPLY[@]}"`;
    return execFileSync('bash', ['-c', script], { encoding: 'utf8', env: Object.assign({ PATH: process.env.PATH }, env) }).split('\n').filter(Boolean).sort();
  };

  it('completes commands, each command its own options, and identifiers from the spool and cache.index', () => {
    expect(complete([NAME, 'st'])).toEqual(['status']);
    expect(complete([NAME, 'd'])).toEqual(['doctor', 'drain']);
    expect(complete([NAME, 'check', '--for'])).toEqual(['--format']);
    expect(complete([NAME, 'status', '--c'])).toEqual(['--cache-dir', '--config', '--csv']);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'completion-'));
    try {
      fs.mkdirSync(path.join(dir, 'state/spool'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'state/spool/001765100000000-a1b2c3-4d21c1e3-4a27-4444-ac07-469cbf485484.json'), '{}');
      fs.mkdirSync(path.join(dir, 'cache'));
      fs.copyFileSync(path.resolve(__dirname, '../../../shared/vmcatcher-events/cache.index'), path.join(dir, 'cache/cache.index'));
      const env = { VMCHNDL_ON_STATE_DIR: path.join(dir, 'state'), VMCATCHER_CACHE_DIR_CACHE: path.join(dir, 'cache') };
      const ids = Object.keys(JSON.parse(fs.readFileSync(path.join(dir, 'cache/cache.index'), 'utf8')));
      expect(complete([NAME, 'history', ''], env)).toEqual(Array.from(new Set(ids.concat('4d21c1e3-4a27-4444-ac07-469cbf485484'))).sort());
      expect(complete([NAME, '-q', 'retry', '4d2'], env)).toEqual(['4d21c1e3-4a27-4444-ac07-469cbf485484']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('queue mode units and the logrotate file', () => {
  it('ship a systemd service that drains as oneadmin through the installed launcher, and its timer', () => {
    const doc = path.join(root, 'usr/share/doc', NAME);
    const service = fs.readFileSync(path.join(doc, `${NAME}-drain.service`), 'utf8');
    expect(service).toMatch(/^\[Service\]\nType=oneshot\nUser=oneadmin\nExecStart=\/usr\/bin\/vmcatcher_eventHndl_ON drain -q$/m);
    expect(fs.existsSync(path.join(root, 'usr/bin', NAME))).toBe(true);
    const timer = fs.readFileSync(path.join(doc, `${NAME}-drain.timer`), 'utf8');
    expect(timer).toMatch(/^\[Timer\]\n(.+\n)*OnUnitActiveSec=5min$/m);
    expect(timer).toMatch(/^WantedBy=timers\.target$/m);
  });

  it('rotates the logs in the log directory the package makes', () => {
    const text = fs.readFileSync(path.join(root, 'etc/logrotate.d', NAME), 'utf8');
    const globs = text.split('\n').filter((l) => /^\//.test(l)).map((l) => l.split(' ')[0]);
    expect(globs).toEqual([`/var/log/${NAME}/*.log`]);
    expect(fs.statSync(path.join(root, 'var/log', NAME)).isDirectory()).toBe(true);
    expect(text).toMatch(/^ {4}create 0640 oneadmin oneadmin$/m);
    expect(text).toMatch(/^ {4}missingok$/m);
  });
});
