// Step `convert`: qemu-img converts the cached file (or an OVA's disk, read in place) into the staging directory.
import * as path from 'path';
import type { StepImpl } from './step';
import { verifySha512 } from './verify-checksum';

type S = {
  kind: 'convert';
  input: string;
  inputFormat: string;
  output: string;
  outputFormat: string;
  ovaMember?: { name: string; offset: number; size: number };
  expectedSha512?: string;
};

export const convertStep: StepImpl<S> = {
  describe: (s) =>
    `${s.expectedSha512 ? `check the sha512 of ${s.input} against the image list's while converting it` : `convert ${s.input}`}` +
    `${s.ovaMember ? ` (OVA member ${JSON.stringify(s.ovaMember.name)})` : ''} from ${s.inputFormat} to ${s.outputFormat} into ${s.output} (qemu-img convert)`,
  async apply(s, ctx) {
    await ctx.tools.makeStagingDir(path.dirname(s.output));
    const converting = ctx.tools.convert({
      input: s.input,
      inputFormat: s.inputFormat,
      output: s.output,
      outputFormat: s.outputFormat,
      inputRange: s.ovaMember ? { offset: s.ovaMember.offset, size: s.ovaMember.size } : undefined,
      onProgress: (p) => ctx.progress('convert', p),
    });
    // Both read the same file at once: the second read comes from the page cache.
    const hashing = s.expectedSha512 ? ctx.tools.sha512(s.input) : Promise.resolve(undefined);
    const [, actual] = await Promise.all([converting, hashing]);
    if (s.expectedSha512) verifySha512(s.input, actual!, s.expectedSha512, ctx);
    ctx.log.info('convert', `converted ${s.input} to ${s.outputFormat}: ${s.output}`);
  },
  async isDone() {
    // A conversion cut short leaves a partial file: always do it again.
    return false;
  },
  async undo(s, ctx) {
    await ctx.tools.removeStagingDir(path.dirname(s.output));
  },
};
