// Converts an image with qemu-img into a new 0600 file, reporting progress.
import * as fs from 'fs';
import { QemuError } from '../errors';
import { runQemuImg, stderrTail } from './run';
import { absoluteImagePath, imageArgs, validateFormatName } from './source';
import { ConvertRequest, ProgressListener } from './types';
import { close, open, unlink } from '../files/fs-async';
import { QemuVersion, qemuVersion, requireFeature, supports } from './version';


/** Turns qemu-img's `-p` output (`    (12.34/100%)\r`, split anywhere) into calls of `listener`, rising only. */
export function progressParser(listener: ProgressListener): (chunk: string) => void {
  let pending = '';
  let last = -1;
  return (chunk: string) => {
    pending += chunk;
    const re = /\((\d{1,3}(?:\.\d+)?)\/100%\)/g;
    let match: RegExpExecArray | null;
    let consumed = 0;
    while ((match = re.exec(pending)) !== null) {
      consumed = re.lastIndex;
      const percent = Math.min(100, parseFloat(match[1]));
      if (percent > last) {
        last = percent;
        listener(percent);
      }
    }
    // Keep only a possibly incomplete tail, bounded in case qemu-img prints something else.
    pending = pending.slice(consumed).slice(-64);
  };
}

// Raw output may be written out of order (-W, qemu-img 2.9+): it is a plain file, sparse, with no layout to keep.
function outputOptions(outputFormat: string, v: QemuVersion): string[] {
  return outputFormat === 'raw' && supports(v, 'outOfOrder') ? ['-W'] : [];
}

/** Converts req.input (or the req.inputRange of it) to req.output, which must not exist yet; cleans up on failure. */
export async function convertImage(req: ConvertRequest & { qemuImg?: string }): Promise<void> {
  const outFormat = validateFormatName(req.outputFormat);
  const output = absoluteImagePath(req.output);
  const bin = req.qemuImg || 'qemu-img';
  const version = await qemuVersion(bin);
  if (req.inputRange) requireFeature(version, 'rawRange', bin);
  const input = imageArgs(req.input, req.inputFormat, req.inputRange);
  // qemu-img creates files with the umask's mode; a file we create first keeps 0600 (and O_EXCL refuses a planted one).
  let fd: number;
  try {
    fd = await open(output, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o600);
  } catch (err) {
    throw new QemuError(`cannot create conversion output ${output}: ${(err as Error).message}`, err);
  }
  await close(fd);
  let listenerError: unknown;
  const onProgress = req.onProgress;
  const parse = onProgress
    ? progressParser((p) => {
        try {
          onProgress(p);
        } catch (err) {
          if (listenerError === undefined) listenerError = err;
        }
      })
    : undefined;
  const args = ['convert', ...(parse ? ['-p'] : []), ...input.options, '-O', outFormat, ...outputOptions(outFormat, version), '--', input.name, output];
  let ok = false;
  try {
    const res = await runQemuImg(args, { qemuImg: req.qemuImg, onStdout: parse });
    if (res.exitCode !== 0) {
      throw new QemuError(
        `qemu-img convert ${req.input} (${req.inputFormat}) to ${outFormat} failed with exit code ${res.exitCode}: ${stderrTail(res.stderr)}`,
      );
    }
    if (listenerError !== undefined) throw listenerError;
    ok = true;
  } finally {
    if (!ok) await unlink(output).catch(() => undefined);
  }
}
