// Conversions of oned's 9 permission bits (OWNER/GROUP/OTHER × USE/MANAGE/ADMIN).

import { InvalidArgumentError } from '../errors';
import type { Bit, PermBits } from './types';

/** Octal form as `oneimage chmod` takes it: one digit per owner/group/other, U=4 M=2 A=1 ('640'). */
export function bitsToOctal(bits: PermBits): string {
  let out = '';
  for (let who = 0; who < 3; who++) out += String(bits[who * 3] * 4 + bits[who * 3 + 1] * 2 + bits[who * 3 + 2]);
  return out;
}

/** Parses '640' (or '0640') into bits; throws InvalidArgumentError saying what is wrong. */
export function octalToBits(octal: string): PermBits {
  const m = /^0?([0-7])([0-7])([0-7])$/.exec(octal);
  if (!m) throw new InvalidArgumentError(`invalid permissions ${JSON.stringify(octal)}: expected three octal digits such as 640`);
  const bits: Bit[] = [];
  for (let who = 1; who <= 3; who++) {
    const d = Number(m[who]);
    bits.push((d & 4 ? 1 : 0) as Bit, (d & 2 ? 1 : 0) as Bit, (d & 1 ? 1 : 0) as Bit);
  }
  return bits as unknown as PermBits;
}

/**
 * The form OpenNebula's CLI shows (`oneimage show`: OWNER um-, GROUP u--, OTHER ---),
 * the three triples joined: 'um-u-----'.
 */
export function bitsToRwx(bits: PermBits): string {
  const letters = ['u', 'm', 'a'];
  return bits.map((b, i) => (b ? letters[i % 3] : '-')).join('');
}
