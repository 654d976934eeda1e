// Step `verify-checksum`: the cached file's sha512 must equal the image list's.
import { OperationFailedError } from '../errors';
import type { ExecContext } from '../exec/context';
import type { StepImpl } from './step';

type S = { kind: 'verify-checksum'; file: string; expected: string; cached?: string };

/** Throws when the file's sha512 is not the image list's. */
export function verifySha512(file: string, actual: string, expected: string, ctx: ExecContext): void {
  if (actual !== expected) {
    // The cause first and short; the full path and checksums at -v and in JSON.
    throw new OperationFailedError(
      "the cached file is damaged or was replaced (its sha512 is not the image list's); vmcatcher will download it again",
      undefined,
      `the sha512 of ${file} is ${actual}, but the image list says ${expected}`,
    );
  }
  ctx.log.info('verify', `sha512 of ${file} matches the image list`);
}

function label(s: S): string {
  return s.cached && s.cached !== s.file ? `${s.file} (the hard link to ${s.cached} that oned copies)` : s.file;
}

export const verifyChecksumStep: StepImpl<S> = {
  describe: (s) => `check the sha512 of ${label(s)} against the image list's`,
  async apply(s, ctx) {
    verifySha512(label(s), await ctx.tools.sha512(s.file, (p) => ctx.progress('checksum', p)), s.expected, ctx);
  },
  async isDone() {
    return false;
  },
  async undo() {
    // Reading changes nothing.
  },
};
