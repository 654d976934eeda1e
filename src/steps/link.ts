// Step `link`: the file already has the target format; hard-link it into staging (copy across file systems).
import * as path from 'path';
import type { StepImpl } from './step';

type S = { kind: 'link'; input: string; output: string };

export const linkStep: StepImpl<S> = {
  describe: (s) => `hard-link ${s.input} to ${s.output} (a copy if they are on different file systems)`,
  async apply(s, ctx) {
    await ctx.tools.makeStagingDir(path.dirname(s.output));
    const how = await ctx.tools.linkOrCopy(s.input, s.output);
    if (how === 'copy') ctx.log.warn('stage', `${s.input} and the staging directory are on different file systems: copied the file`);
    else ctx.log.info('stage', `hard-linked ${s.input} into ${path.dirname(s.output)}`);
  },
  async isDone() {
    return false;
  },
  async undo(s, ctx) {
    await ctx.tools.removeStagingDir(path.dirname(s.output));
  },
};
