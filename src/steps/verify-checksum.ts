// Step `verify-checksum`: the cached file's sha512 must equal the image list's.
import { OperationFailedError } from '../errors';
import type { StepImpl } from './step';

type S = { kind: 'verify-checksum'; file: string; expected: string };

export const verifyChecksumStep: StepImpl<S> = {
  describe: (s) => `check the sha512 of ${s.file} against the image list's`,
  async apply(s, ctx) {
    const actual = await ctx.tools.sha512(s.file, (p) => ctx.progress('checksum', p));
    if (actual !== s.expected) {
      throw new OperationFailedError(
        `the sha512 of ${s.file} is ${actual}, but the image list says ${s.expected}: the cached file is damaged or was replaced; vmcatcher will download it again`,
      );
    }
    ctx.log.info('verify', `sha512 of ${s.file} matches the image list`);
  },
  async isDone() {
    return false;
  },
  async undo() {
    // Reading changes nothing.
  },
};
