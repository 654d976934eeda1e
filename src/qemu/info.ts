// What an image file is: `qemu-img info`, then `qemu-img check` where the format has metadata to check.
import { QemuError } from '../errors';
import { parseImageInfo, validateImageInfo } from './info-parse';
import { runQemuImg, stderrTail } from './run';
import { imageArgs } from './source';
import { isTarHeader } from './tar-header';
import { ByteRange, ImageCheckResult, ImageFileInfo } from './types';
import { qemuVersion, requireFeature, supports } from './version';
import { readBytes, stat } from '../files/fs-async';


export interface InfoOptions {
  readonly qemuImg?: string;
  /** The format the image must be read as; probed when absent (and then raw must look like a disk). */
  readonly format?: string;
  /** Read only these bytes of the file (an OVA member). */
  readonly range?: ByteRange;
  /** Run `qemu-img check` too (default true): a truncated qcow2 passes `info` and converts "fine" into zeros. */
  readonly check?: boolean;
  readonly timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 120000;

function describe(file: string, range?: ByteRange): string {
  return range ? `${file} (bytes ${range.offset}+${range.size})` : file;
}

/**
 * The options `info` and `check` need from this qemu-img: JSON output, and -U where it exists (2.10+;
 * before, qemu-img took no locks); InvalidConfigError when it is too old for them or for `range`.
 */
async function readOptions(bin: string, range?: ByteRange): Promise<string[]> {
  const v = await qemuVersion(bin);
  requireFeature(v, 'json', bin);
  if (range) requireFeature(v, 'rawRange', bin);
  return supports(v, 'forceShare') ? ['--output=json', '-U'] : ['--output=json'];
}

/** Reads format and sizes of an image file; throws QemuError for anything we would not convert. */
export async function readImageInfo(file: string, opts: InfoOptions = {}): Promise<ImageFileInfo> {
  const label = describe(file, opts.range);
  const read = await readOptions(opts.qemuImg || 'qemu-img', opts.range);
  const { options, name } = imageArgs(file, opts.format, opts.range);
  const res = await runQemuImg(['info', ...read].concat(options, ['--', name]), {
    qemuImg: opts.qemuImg,
    timeoutMs: opts.timeoutMs || DEFAULT_TIMEOUT_MS,
  });
  if (res.exitCode !== 0) {
    const expected = opts.format ? ` as ${opts.format}` : '';
    throw new QemuError(`qemu-img cannot read ${label}${expected}: ${stderrTail(res.stderr)}`);
  }
  const info = validateImageInfo(parseImageInfo(res.stdout, label), label);
  if (info.format === 'raw' && !opts.format) await validateProbedRaw(file, label, opts.range);
  if (opts.check !== false && info.format !== 'raw') {
    const found = await checkImage(file, info.format, opts);
    if (found.corruptions > 0 || found.checkErrors > 0) {
      throw new QemuError(
        `${label} is a damaged ${info.format} image (qemu-img check: ${found.corruptions} corruptions, ` +
          `${found.checkErrors} check errors); truncated or corrupt download?`,
      );
    }
  }
  return info;
}

// Anything probes as raw; a disk image is whole sectors and not a tar archive (an OVA).
async function validateProbedRaw(file: string, label: string, range?: ByteRange): Promise<void> {
  const size = range ? range.size : (await stat(file)).size;
  if (size === 0 || size % 512 !== 0) {
    throw new QemuError(`${label} is not a disk image: no known format and ${size} bytes is not a whole number of sectors`);
  }
  if (isTarHeader(await readBytes(file, range ? range.offset : 0, 512))) {
    throw new QemuError(`${label} is a tar archive (an OVA?), not a disk image: pick its disk with listOva/pickOvaDisk`);
  }
}

/** Runs `qemu-img check` on an image of a known format; throws when qemu-img cannot check it at all. */
export async function checkImage(
  file: string,
  format: string,
  opts: { qemuImg?: string; range?: ByteRange; timeoutMs?: number } = {},
): Promise<ImageCheckResult> {
  const label = describe(file, opts.range);
  const read = await readOptions(opts.qemuImg || 'qemu-img', opts.range);
  const { options, name } = imageArgs(file, format, opts.range);
  const res = await runQemuImg(['check', ...read].concat(options, ['--', name]), {
    qemuImg: opts.qemuImg,
    timeoutMs: opts.timeoutMs || DEFAULT_TIMEOUT_MS,
  });
  // 0 clean, 2 corruptions, 3 leaks only, 63 format has no check; 1 means the check itself failed.
  if (res.exitCode === 63) return { supported: false, corruptions: 0, leaks: 0, checkErrors: 0 };
  if (res.exitCode !== 0 && res.exitCode !== 2 && res.exitCode !== 3) {
    throw new QemuError(`qemu-img check cannot check ${label} as ${format}: ${stderrTail(res.stderr)}`);
  }
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(res.stdout);
  } catch (err) {
    throw new QemuError(`qemu-img check on ${label} printed no JSON: ${res.stdout.slice(0, 200)}`, err);
  }
  const num = (key: string): number => (typeof doc[key] === 'number' ? (doc[key] as number) : 0);
  const corruptions = res.exitCode === 2 ? Math.max(1, num('corruptions')) : num('corruptions');
  return { supported: true, corruptions, leaks: num('leaks'), checkErrors: num('check-errors') };
}
