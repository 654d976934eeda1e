// Step `remove-staging`: once oned has its copy, our staging files go.
import type { StepImpl } from './step';

type S = { kind: 'remove-staging'; dir: string };

export const removeStagingStep: StepImpl<S> = {
  describe: (s) => `remove the staging directory ${s.dir}`,
  async apply(s, ctx) {
    await ctx.tools.removeStagingDir(s.dir);
  },
  async isDone() {
    return false;
  },
  async undo() {
    // Nothing to restore: the image holds its own copy.
  },
};
