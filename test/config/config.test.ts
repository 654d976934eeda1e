import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { InvalidConfigError } from '../../src/errors';
import { readConfig } from '../../src/config/read-config';
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

  it('warns about unknown VMCHNDL_ON_ variables in the environment instead of failing', () => {
    const { warnings } = readConfig({ file: tmpFile(''), env: { VMCHNDL_ON_DATASTOR: 'typo' }, flags: {} });
    expect(warnings.join()).toMatch(/VMCHNDL_ON_DATASTOR: unknown setting in the environment/);
  });
});
