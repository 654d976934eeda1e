import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { InvalidConfigError } from '../../src/errors';
import { parseConfigText } from '../../src/config/parse-file';
import { readConfig, readStateDirAnyway } from '../../src/config/read-config';
import { SETTINGS } from '../../src/config/settings';

function tmpFile(text: string): string {
  const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vmc-conf-')), 'x.conf');
  fs.writeFileSync(f, text);
  return f;
}

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof InvalidConfigError) return e.problems.slice();
    throw e;
  }
  throw new Error('expected InvalidConfigError');
}

describe('configuration', () => {
  it('has a default for everything but the OpenNebula connection and the log file', () => {
    const { config } = readConfig({ env: {}, flags: {}, file: tmpFile('') });
    expect(config).toMatchObject({
      datastore: 'default',
      format: 'raw',
      stagingDir: '/var/tmp/vmcatcher_eventHndl_ON',
      stateDir: '/var/lib/vmcatcher_eventHndl_ON',
      verifyChecksum: true,
      newMode: '600',
      retiredOwner: 'oneadmin',
      retiredGroup: 'oneadmin',
      retiredMode: '700',
      retiredNamePattern: '{identifier} {timestamp}',
      readyTimeoutMs: 14400000,
      callTimeoutMs: 60000,
      queue: false,
    });
    expect(config.endpoint).toBeUndefined();
    expect(SETTINGS.every((s) => s.key.indexOf('VMCHNDL_ON_') === 0 && s.doc.length > 10)).toBe(true);
  });

  it('takes flags over the environment over the file; quotes and `export` are accepted in the file', () => {
    const file = tmpFile('# site settings\nexport VMCHNDL_ON_DATASTORE="fromfile"\nVMCHNDL_ON_FORMAT=qcow2\nVMCHNDL_ON_NEW_MODE=\'640\'\n');
    const { config } = readConfig({ file, env: { VMCHNDL_ON_DATASTORE: 'fromenv', VMCHNDL_ON_NEW_MODE: '604' }, flags: { VMCHNDL_ON_NEW_MODE: '644' } });
    expect(config.datastore).toBe('fromenv');
    expect(config.format).toBe('qcow2');
    expect(config.newMode).toBe('644');
  });

  it('reports every problem at once as KEY: message, naming the value found', () => {
    const file = tmpFile('VMCHNDL_ON_FORMAT=vmdk\nVMCHNDL_ON_BOGUS=1\nthis is not a setting\n');
    const p = problems(() =>
      readConfig({ file, env: { VMCHNDL_ON_READY_TIMEOUT: 'soon', VMCHNDL_ON_RETIRED_MODE: '800', VMCHNDL_ON_STATE_DIR: 'relative/dir', VMCHNDL_ON_ENDPOINT: 'localhost:2633' }, flags: {} }),
    );
    const text = p.join('\n');
    expect(text).toMatch(/VMCHNDL_ON_FORMAT: .*"vmdk"/);
    expect(text).toMatch(/VMCHNDL_ON_BOGUS: unknown setting/);
    expect(text).toMatch(/x\.conf:3: expected KEY=value/);
    expect(text).toMatch(/VMCHNDL_ON_READY_TIMEOUT: expected a positive number of seconds \(found "soon"\)/);
    expect(text).toMatch(/VMCHNDL_ON_RETIRED_MODE: expected three octal digits/);
    expect(text).toMatch(/VMCHNDL_ON_STATE_DIR: expected an absolute path/);
    expect(text).toMatch(/VMCHNDL_ON_ENDPOINT: expected an http:\/\/ or https:\/\/ URL/);
    expect(p.length).toBeGreaterThanOrEqual(7);
  });

  it('fails on a named file that is missing, but not on a missing default file', () => {
    expect(problems(() => readConfig({ file: '/nonexistent/x.conf', env: {}, flags: {} })).join()).toMatch(/\/nonexistent\/x\.conf: cannot read/);
    expect(() => readConfig({ env: { VMCHNDL_ON_CONFIG: '/nonexistent/y.conf' }, flags: {} })).toThrow(/y\.conf/);
  });

  it('checks fields against each other', () => {
    expect(problems(() => readConfig({ file: tmpFile(''), env: { VMCHNDL_ON_STAGING_DIR: '/x', VMCHNDL_ON_STATE_DIR: '/x' }, flags: {} })).join()).toMatch(
      /VMCHNDL_ON_STAGING_DIR: must differ/,
    );
    expect(problems(() => readConfig({ file: tmpFile(''), env: { VMCHNDL_ON_RETIRED_NAME: 'old {timestamp}' }, flags: {} })).join()).toMatch(
      /VMCHNDL_ON_RETIRED_NAME: must contain \{identifier\}/,
    );
  });

  it('warns about unknown VMCHNDL_ON_ variables in the environment instead of failing, suggesting the setting meant', () => {
    const { warnings } = readConfig({ file: tmpFile(''), env: { VMCHNDL_ON_DATASTOR: 'typo', VMCHNDL_ON_BOGUS: '1' }, flags: {} });
    expect(warnings).toContain('VMCHNDL_ON_DATASTOR: unknown setting in the environment, ignored — did you mean VMCHNDL_ON_DATASTORE?');
    expect(warnings).toContain('VMCHNDL_ON_BOGUS: unknown setting in the environment, ignored');
  });

  it("names an unknown setting's file and line, and the setting it is closest to", () => {
    const file = tmpFile('# site settings\nVMCHNDL_ON_DATASTORE=images\n\nVMCHNDL_ON_LOCK_TIMOUT=60\nexport VMCHNDL_ON_RETIRED_OWNR=oneadmin\nDATASTORE=x\nVMCHNDL_ON_BOGUS=1\n');
    const p = problems(() => readConfig({ file, env: {}, flags: { VMCHNDL_ON_FROMAT: 'raw' } }));
    expect(p).toContain(`VMCHNDL_ON_LOCK_TIMOUT: unknown setting (${file}:4; did you mean VMCHNDL_ON_LOCK_TIMEOUT?)`);
    expect(p).toContain(`VMCHNDL_ON_RETIRED_OWNR: unknown setting (${file}:5; did you mean VMCHNDL_ON_RETIRED_OWNER?)`);
    expect(p).toContain(`DATASTORE: unknown setting (${file}:6; did you mean VMCHNDL_ON_DATASTORE?)`);
    expect(p).toContain(`VMCHNDL_ON_BOGUS: unknown setting (${file}:7)`);
    expect(p).toContain('VMCHNDL_ON_FROMAT: unknown setting (command line; did you mean VMCHNDL_ON_FORMAT?)');
  });
});

describe('the settings file, read as sh reads /etc/sysconfig/vmcatcher', () => {
  const parse = (line: string) => parseConfigText(`${line}\n`, 'f.conf');

  it('ends an unquoted value at a blank: `KEY=value # comment` is value', () => {
    expect(parse('A=700 # as 0.0.8').values).toEqual({ A: '700' });
    expect(parse('A=700\t#tab').values).toEqual({ A: '700' });
    expect(parse('A= # nothing').values).toEqual({ A: '' });
    expect(parse('A=').values).toEqual({ A: '' });
  });

  it('keeps a # inside a word or inside quotes, as sh does', () => {
    expect(parse('A=a#b').values).toEqual({ A: 'a#b' });
    expect(parse('A="x # y" # comment').values).toEqual({ A: 'x # y' });
    expect(parse("A='{identifier} {timestamp}'").values).toEqual({ A: '{identifier} {timestamp}' });
  });

  it('takes quotes and escapes as sh does, and expands nothing', () => {
    expect(parse("A='$HOME \\n'").values).toEqual({ A: '$HOME \\n' });
    expect(parse('A="a\\"b\\\\c\\d"').values).toEqual({ A: 'a"b\\c\\d' });
    expect(parse('A=a\\ b').values).toEqual({ A: 'a b' });
    expect(parse('A=pre"mid dle"post').values).toEqual({ A: 'premid dlepost' });
    expect(parse('export A = 5').values).toEqual({ A: '5' });
  });

  it('refuses what sh would expand or run, naming the key and the line', () => {
    const problems = (line: string) => parse(line).problems.join('\n');
    expect(problems('A=two words')).toMatch(/^A: f\.conf:1: unquoted blank in the value \(sh would run "words" as a command\)/);
    expect(problems('A=$HOME/x')).toMatch(/^A: f\.conf:1: unquoted \$ in the value/);
    expect(problems('A="$HOME"')).toMatch(/\$ inside double quotes: no expansion is done/);
    expect(problems('A=`id`')).toMatch(/unquoted ` in the value/);
    expect(problems('A=x;y')).toMatch(/unquoted ; in the value/);
    expect(problems('A="open')).toMatch(/unterminated double quote/);
    expect(problems("A='open")).toMatch(/unterminated single quote/);
  });
});

describe('values checked as they will be used', () => {
  const env = (over: Record<string, string>) => ({ env: over, flags: {}, file: tmpFile('') });

  it('refuses blanks around modes, names, paths and programs, which would be used with them', () => {
    const p = problems(() =>
      readConfig(
        env({
          VMCHNDL_ON_RETIRED_MODE: ' 700',
          VMCHNDL_ON_NEW_MODE: '600 ',
          VMCHNDL_ON_RETIRED_OWNER: 'oneadmin ',
          VMCHNDL_ON_DATASTORE: ' default',
          VMCHNDL_ON_QEMU_IMG: '/usr/bin/qemu-img ',
          VMCHNDL_ON_STAGING_DIR: '/var/tmp/x ',
        }),
      ),
    ).join('\n');
    expect(p).toMatch(/VMCHNDL_ON_RETIRED_MODE: expected three octal digits, e\.g\. 600 \(found " 700"\)/);
    expect(p).toMatch(/VMCHNDL_ON_NEW_MODE: expected three octal digits/);
    for (const key of ['RETIRED_OWNER', 'DATASTORE', 'QEMU_IMG', 'STAGING_DIR']) expect(p).toMatch(new RegExp(`VMCHNDL_ON_${key}: has leading or trailing blanks`));
  });

  it('refuses durations a timer cannot wait: below a millisecond or beyond 24 days', () => {
    const p = problems(() => readConfig(env({ VMCHNDL_ON_CALL_TIMEOUT: '0.0001', VMCHNDL_ON_LOCK_TIMEOUT: '99999999' }))).join('\n');
    expect(p).toMatch(/VMCHNDL_ON_CALL_TIMEOUT: expected at least 0\.001 seconds/);
    expect(p).toMatch(/VMCHNDL_ON_LOCK_TIMEOUT: expected at most 2147483 seconds/);
    expect(readConfig(env({ VMCHNDL_ON_READY_TIMEOUT: '2147483' })).config.readyTimeoutMs).toBe(2147483000);
  });

  it('finds the state directory of an invalid configuration: its own setting when valid, else the default', () => {
    const file = tmpFile('VMCHNDL_ON_READY_TIMEOUT=4h\nVMCHNDL_ON_STATE_DIR=/srv/state\n');
    expect(() => readConfig({ file, env: {}, flags: {} })).toThrow(InvalidConfigError);
    expect(readStateDirAnyway({ file, env: {}, flags: {} })).toBe('/srv/state');
    expect(readStateDirAnyway({ file, env: { VMCHNDL_ON_STATE_DIR: 'relative' }, flags: {} })).toBe('/var/lib/vmcatcher_eventHndl_ON');
    expect(readStateDirAnyway({ file: '/nonexistent.conf', env: {}, flags: {} })).toBe('/var/lib/vmcatcher_eventHndl_ON');
  });
});

describe('configuration: VO groups and retention', () => {
  const env = (over: Record<string, string>) => ({ env: over, flags: {}, file: tmpFile('') });

  it('maps nothing, keeps every retired version and waits a day by default', () => {
    const { config } = readConfig(env({}));
    expect(config.voGroups).toEqual([]);
    expect(config.voMode).toBe('640');
    expect(config.keepRetired).toBeUndefined();
    expect(config.pruneMinAgeMs).toBe(86400000);
  });

  it('reads vo=group pairs in order, by name or id, blanks around them ignored', () => {
    const { config } = readConfig(env({ VMCHNDL_ON_VO_GROUPS: 'fedcloud.egi.eu=fedcloud, vo.access.egi.eu = 105,', VMCHNDL_ON_VO_MODE: '644' }));
    expect(config.voGroups).toEqual([
      { vo: 'fedcloud.egi.eu', group: 'fedcloud' },
      { vo: 'vo.access.egi.eu', group: '105' },
    ]);
    expect(config.voMode).toBe('644');
  });

  it('refuses a pair without a VO or a group, a VO mapped twice and a mode that is not octal', () => {
    const p = (v: Record<string, string>) => problems(() => readConfig(env(v))).join('\n');
    expect(p({ VMCHNDL_ON_VO_GROUPS: 'fedcloud.egi.eu' })).toMatch(/VMCHNDL_ON_VO_GROUPS: expected vo=group pairs separated by commas, found "fedcloud.egi.eu"/);
    expect(p({ VMCHNDL_ON_VO_GROUPS: '=fedcloud' })).toMatch(/VMCHNDL_ON_VO_GROUPS: expected vo=group pairs/);
    expect(p({ VMCHNDL_ON_VO_GROUPS: 'a=' })).toMatch(/VMCHNDL_ON_VO_GROUPS: expected vo=group pairs/);
    expect(p({ VMCHNDL_ON_VO_GROUPS: 'a=x,a=y' })).toMatch(/VMCHNDL_ON_VO_GROUPS: VO "a" is mapped twice/);
    expect(p({ VMCHNDL_ON_VO_MODE: '64' })).toMatch(/VMCHNDL_ON_VO_MODE: expected three octal digits/);
  });

  it('reads how many retired versions to keep (0 included) and the age in seconds', () => {
    expect(readConfig(env({ VMCHNDL_ON_KEEP_RETIRED: '0' })).config.keepRetired).toBe(0);
    expect(readConfig(env({ VMCHNDL_ON_KEEP_RETIRED: '3', VMCHNDL_ON_PRUNE_MIN_AGE: '0' })).config).toMatchObject({ keepRetired: 3, pruneMinAgeMs: 0 });
    expect(readConfig(env({ VMCHNDL_ON_KEEP_RETIRED: '', VMCHNDL_ON_PRUNE_MIN_AGE: '1.5' })).config).toMatchObject({ keepRetired: undefined, pruneMinAgeMs: 1500 });
  });

  it('refuses a count or an age that is not a number, naming the value', () => {
    const p = problems(() => readConfig(env({ VMCHNDL_ON_KEEP_RETIRED: '-1', VMCHNDL_ON_PRUNE_MIN_AGE: '1d' }))).join('\n');
    expect(p).toMatch(/VMCHNDL_ON_KEEP_RETIRED: expected a whole number, 0 or more \(unset: keep all\) \(found "-1"\)/);
    expect(p).toMatch(/VMCHNDL_ON_PRUNE_MIN_AGE: expected a number of seconds, 0 or more \(found "1d"\)/);
  });
});
