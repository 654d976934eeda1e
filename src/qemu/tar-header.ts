// One 512-byte tar header (v7, ustar, GNU) and pax records, parsed without touching the disk.
import { QemuError } from '../errors';

export const BLOCK = 512;

/** A tar header as written, before GNU long names and pax records are applied. */
export interface TarHeader {
  readonly name: string;
  readonly linkName: string;
  readonly size: number;
  /** The typeflag character; '\0' is an old-style regular file. */
  readonly type: string;
}

function cString(block: Buffer, start: number, length: number): string {
  const end = block.indexOf(0, start);
  return block.toString('utf8', start, end >= start && end < start + length ? end : start + length);
}

// Octal ASCII, or GNU base-256 (first byte 0x80) for sizes of 8 GiB and more.
function tarNumber(block: Buffer, start: number, length: number, what: string): number {
  if (block[start] === 0x80) {
    let value = 0;
    for (let i = start + 1; i < start + length; i++) value = value * 256 + block[i];
    if (!Number.isSafeInteger(value)) throw new QemuError(`tar header ${what} ${value} is too large`);
    return value;
  }
  if (block[start] & 0x80) throw new QemuError(`tar header ${what} is a negative base-256 number`);
  const text = block.toString('latin1', start, start + length).replace(/[\0 ]+$/, '').replace(/^ +/, '');
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new QemuError(`tar header ${what} ${JSON.stringify(text)} is not an octal number`);
  return parseInt(text, 8);
}

/** True when every byte of the block is zero (the end-of-archive marker is two of them). */
export function isZeroBlock(block: Buffer): boolean {
  for (let i = 0; i < block.length; i++) if (block[i] !== 0) return false;
  return true;
}

function checksumMatches(block: Buffer): boolean {
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : block[i];
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  let stored: number;
  try {
    stored = tarNumber(block, 148, 8, 'checksum');
  } catch (_err) {
    return false;
  }
  // Some old tars summed signed chars; both are valid headers.
  return stored === unsigned || stored === signed;
}

/** True when the block is a ustar/GNU header with a valid checksum: the file is a tar archive. */
export function isTarHeader(block: Buffer): boolean {
  return block.length >= BLOCK && block.toString('latin1', 257, 262) === 'ustar' && checksumMatches(block);
}

/** Parses the header block found at byte `at` of the archive; throws QemuError when it is not one. */
export function parseTarHeader(block: Buffer, at: number): TarHeader {
  if (block.length < BLOCK || !checksumMatches(block)) {
    throw new QemuError(`not a tar archive, or damaged: no valid tar header at byte ${at}`);
  }
  let name = cString(block, 0, 100);
  // Only POSIX ustar has a name prefix; GNU keeps access times in the same bytes.
  if (block.toString('latin1', 257, 263) === 'ustar\0') {
    const prefix = cString(block, 345, 155);
    if (prefix !== '') name = `${prefix}/${name}`;
  }
  return {
    name,
    linkName: cString(block, 157, 100),
    size: tarNumber(block, 124, 12, `size of "${name}"`),
    type: String.fromCharCode(block[156]),
  };
}

/** Parses pax extended header records (`<length> <key>=<value>\n`) into a map. */
export function parsePaxRecords(data: Buffer, at: number): Record<string, string> {
  const out: Record<string, string> = {};
  let pos = 0;
  while (pos < data.length) {
    if (data[pos] === 0) break;
    const space = data.indexOf(0x20, pos);
    const digits = space > pos ? data.toString('latin1', pos, space) : '';
    const length = /^[0-9]{1,9}$/.test(digits) ? parseInt(digits, 10) : NaN;
    if (!(length > 0) || pos + length > data.length || data[pos + length - 1] !== 0x0a) {
      throw new QemuError(`malformed pax extended header at byte ${at}`);
    }
    const record = data.toString('utf8', space + 1, pos + length - 1);
    const eq = record.indexOf('=');
    if (eq <= 0) throw new QemuError(`malformed pax record ${JSON.stringify(record.slice(0, 80))} at byte ${at}`);
    out[record.slice(0, eq)] = record.slice(eq + 1);
    pos += length;
  }
  return out;
}
