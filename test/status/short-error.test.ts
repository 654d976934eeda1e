import { describe, expect, it } from 'vitest';
import { shortError } from '../../src/status/short-error';

describe('shortError', () => {
  it("keeps the cause of a failed step, without the step's description, on one bounded line", () => {
    const long =
      'step 1/11 (check the sha512 of /c/x against the image list\'s while converting it from qcow2 to raw into /s/x.raw (qemu-img convert)) failed: ' +
      'the sha512 of /c/x is ' + 'f'.repeat(128) + ', but the image list says ' + '0'.repeat(128);
    const s = shortError(long);
    expect(s.indexOf('the sha512 of /c/x is ff')).toBe(0);
    expect(s).toHaveLength(100);
    expect(s.endsWith('…')).toBe(true);
    expect(shortError('one.image.allocate failed (ALLOCATE):\nNot enough space')).toBe('one.image.allocate failed (ALLOCATE): Not enough space');
  });
});
