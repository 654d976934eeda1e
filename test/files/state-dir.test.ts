import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidConfigError } from '../../src/errors';
import { requireStateDir, stateDirProblem } from '../../src/files/state-dir';
import { useTempDir } from '../helpers/images';

const at = useTempDir();

describe('the state directory', () => {
  it('is created (0750) for writing when its parent exists; reading a missing one finds nothing to read', () => {
    const dir = at('lib/state');
    fs.mkdirSync(path.dirname(dir));
    expect(stateDirProblem(dir, 'read')).toBeUndefined();
    expect(fs.existsSync(dir)).toBe(false);
    const old = process.umask(0o022);
    try {
      expect(stateDirProblem(dir, 'write')).toBeUndefined();
    } finally {
      process.umask(old);
    }
    expect(fs.statSync(dir).mode & 0o777).toBe(0o750);
  });

  it('a missing parent is taken for a typo, and a file is no directory: configuration errors naming the setting and the fix', () => {
    const typo = at('no-such/state');
    expect(stateDirProblem(typo, 'read')).toMatch(/does not exist, nor does its parent directory .*no-such \(a typo in the path\?\)/);
    expect(() => requireStateDir(typo, 'write')).toThrow(InvalidConfigError);
    expect(() => requireStateDir(typo, 'write', 'The event could not be kept')).toThrow(/^invalid configuration:\n  VMCHNDL_ON_STATE_DIR: .*Fix: as root, `install -d -o \S+ -m 750 .*no-such\/state`.*The event could not be kept$/);
    expect(fs.existsSync(at('no-such'))).toBe(false);
    fs.writeFileSync(at('afile'), '');
    expect(stateDirProblem(at('afile'), 'read')).toMatch(/afile is not a directory/);
  });
});
