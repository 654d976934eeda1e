// Image names as oned accepts them, and the forms of permission bits.

import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors';
import { imageNameProblem, isValidImageName } from '../../src/one/names';
import { bitsToOctal, bitsToRwx, octalToBits } from '../../src/one/permissions';
import type { PermBits } from '../../src/one/types';

describe('image names', () => {
  it.each(['ttylinux', 'EXPIRED_1487517413_ttylinux07', 'qwerty123@spec', 'with spaces (and parens)', 'ünïcødé', 'a'.repeat(128), 'é'.repeat(64)])(
    'accepts %j',
    (name) => {
      expect(imageNameProblem(name)).toBeUndefined();
      expect(isValidImageName(name)).toBe(true);
    },
  );

  it.each([...'&|:\\";/\'#{}$<>', '\t', '\n', '\r'])('refuses a name with %j', (c) => {
    expect(isValidImageName(`a${c}b`)).toBe(false);
    expect(imageNameProblem(`a${c}b`)).toMatch(/contains/);
  });

  it('refuses empty names and names over 128 bytes of UTF-8', () => {
    expect(imageNameProblem('')).toBe('the name is empty');
    expect(imageNameProblem('a'.repeat(129))).toMatch(/129 bytes/);
    expect(imageNameProblem('é'.repeat(65))).toMatch(/130 bytes.*at most 128/);
  });
});

describe('permissions', () => {
  const cases: [string, PermBits, string][] = [
    ['640', [1, 1, 0, 1, 0, 0, 0, 0, 0], 'um-u-----'],
    ['600', [1, 1, 0, 0, 0, 0, 0, 0, 0], 'um-------'],
    ['777', [1, 1, 1, 1, 1, 1, 1, 1, 1], 'umaumauma'],
    ['000', [0, 0, 0, 0, 0, 0, 0, 0, 0], '---------'],
    ['744', [1, 1, 1, 1, 0, 0, 1, 0, 0], 'umau--u--'],
    ['421', [1, 0, 0, 0, 1, 0, 0, 0, 1], 'u---m---a'],
  ];

  it.each(cases)('%s ↔ %j ↔ %s', (octal, bits, shown) => {
    expect(bitsToOctal(bits)).toBe(octal);
    expect(octalToBits(octal)).toEqual(bits);
    expect(bitsToRwx(bits)).toBe(shown);
  });

  it('takes a leading 0 and refuses anything else than three octal digits', () => {
    expect(octalToBits('0640')).toEqual(octalToBits('640'));
    for (const bad of ['64', '6400', '800', 'rw-', '', ' 640', '-640']) {
      expect(() => octalToBits(bad)).toThrow(InvalidArgumentError);
    }
  });
});
