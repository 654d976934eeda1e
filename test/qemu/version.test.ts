// Which qemu-img runs decides the options it gets: its version, read from --version or, for versions
// that know no --version, from their usage text.
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidConfigError } from '../../src/errors';
import { parseQemuVersion, qemuVersion, requireFeature, supports } from '../../src/qemu/version';
import { useTempDir } from '../helpers/images';

useTempDir({ qemuImg: true });
const FIXTURES = path.resolve(__dirname, '../fixtures/old-qemu-img');

describe('qemu-img versions', () => {
  it.each([
    ['qemu-img version 0.12.1, Copyright (c) 2004-2008 Fabrice Bellard\nusage: qemu-img command [command options]', [0, 12, 1]],
    ['qemu-img version 1.5.3, Copyright (c) 2004-2008 Fabrice Bellard', [1, 5, 3]],
    ['qemu-img version 2.12.0 (qemu-kvm-ev-2.12.0-44.1.el7_8.1)\nCopyright (c) 2003-2017 Fabrice Bellard and the QEMU Project developers', [2, 12, 0]],
    ['qemu-img version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)\nCopyright (c) 2003-2022 Fabrice Bellard and the QEMU Project developers', [7, 2, 22]],
    ['qemu-img version 10.1\n', [10, 1, 0]],
  ])('reads %j', (text, [major, minor, micro]) => {
    expect(parseQemuVersion(text)).toEqual({ major, minor, micro });
  });

  it('reads nothing from text that names no qemu-img version', () => {
    expect(parseQemuVersion('qemu-img: unrecognized option --version')).toBeUndefined();
    expect(parseQemuVersion('')).toBeUndefined();
  });

  it('knows which version brought each option we use', () => {
    const v = (major: number, minor: number) => ({ major, minor, micro: 0 });
    expect([v(1, 4), v(1, 5), v(7, 2)].map((x) => supports(x, 'json'))).toEqual([false, true, true]);
    expect([v(2, 8), v(2, 9), v(3, 0)].map((x) => supports(x, 'outOfOrder'))).toEqual([false, true, true]);
    expect([v(2, 8), v(2, 9)].map((x) => supports(x, 'rawRange'))).toEqual([false, true]);
    expect([v(2, 9), v(2, 10), v(2, 12)].map((x) => supports(x, 'forceShare'))).toEqual([false, true, true]);
    expect(() => requireFeature(v(1, 5), 'rawRange', '/opt/qemu-img')).toThrow(InvalidConfigError);
    expect(() => requireFeature(v(1, 5), 'rawRange', '/opt/qemu-img')).toThrow(/VMCHNDL_ON_QEMU_IMG: \/opt\/qemu-img is qemu-img 1\.5\.0; .* needs qemu-img 2\.9 or newer/);
  });

  it("asks the real qemu-img, and an old one that knows no --version (the usage text says it)", async () => {
    const real = await qemuVersion('qemu-img');
    expect(supports(real, 'forceShare')).toBe(true);
    expect(await qemuVersion(path.join(FIXTURES, 'qemu-img-0.12.1'))).toEqual({ major: 0, minor: 12, micro: 1 });
  });

  it('says so when the program names no version at all', async () => {
    await expect(qemuVersion('/bin/true')).rejects.toThrow(/VMCHNDL_ON_QEMU_IMG: \/bin\/true does not say which qemu-img version it is/);
  });
});
