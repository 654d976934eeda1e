// How we name an image to qemu-img so that it can only ever mean the file we intend.
import * as path from 'path';
import { QemuError } from '../errors';
import { ByteRange } from './types';

const FORMAT_NAME = /^[a-z0-9][a-z0-9_.-]{0,31}$/;

/** Throws unless `format` looks like a qemu format name (it ends up in argv and JSON). */
export function validateFormatName(format: string): string {
  if (!FORMAT_NAME.test(format)) {
    throw new QemuError(`"${format}" is not a qemu image format name (expected e.g. raw, qcow2, vmdk)`);
  }
  return format;
}

/**
 * An absolute path: qemu-img reads `json:{...}` and `<protocol>:...` prefixes in file names and a
 * leading '-' as an option; none of these can start a path that begins with '/'.
 */
export function absoluteImagePath(file: string): string {
  if (file === '' || file.indexOf('\0') >= 0) {
    throw new QemuError(`invalid image file name ${JSON.stringify(file)}`);
  }
  return path.resolve(file);
}

/** A qemu `json:` spec that reads only `range` of the archive at `file`, as an image of `format` (probed when absent). */
export function rangeSpec(file: string, range: ByteRange, format?: string): string {
  if (!Number.isSafeInteger(range.offset) || range.offset < 0 || range.offset % 512 !== 0) {
    throw new QemuError(`byte range offset ${range.offset} is not a non-negative multiple of 512`);
  }
  if (!Number.isSafeInteger(range.size) || range.size <= 0) {
    throw new QemuError(`byte range size ${range.size} is not a positive integer`);
  }
  // qemu's raw driver wants whole sectors; tar pads every member to 512 bytes, so rounding stays inside the member.
  const size = Math.ceil(range.size / 512) * 512;
  const rawLayer = {
    driver: 'raw',
    offset: range.offset,
    size,
    file: { driver: 'file', filename: absoluteImagePath(file) },
  };
  const spec = format ? { driver: validateFormatName(format), file: rawLayer } : { file: rawLayer };
  return `json:${JSON.stringify(spec)}`;
}

/** How to name the input image: options (`-f <format>` when known) and the name itself (path or range spec). */
export function imageArgs(file: string, format?: string, range?: ByteRange): { options: string[]; name: string } {
  // With a json spec the format goes inside it: `-f` would override the spec's top driver.
  if (range) return { options: [], name: rangeSpec(file, range, format) };
  return { options: format ? ['-f', validateFormatName(format)] : [], name: absoluteImagePath(file) };
}
