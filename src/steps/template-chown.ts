// Step `template-chown`: one.template.chown to a group (the owner stays the handler's user), undone by
// giving the previous group back. A template an admin deleted meanwhile is left alone.
import type { TemplateRef } from '../plan/types';
import type { StepImpl } from './step';
import { templateId, templateIfAny, templateLabel } from './template-ref';

type S = { kind: 'template-chown'; identifier: string; runId: string; template: TemplateRef; gid: number; fromGid: number };

export const templateChownStep: StepImpl<S> = {
  describe: (s) => `give ${templateLabel(s.template)} to group ${s.gid} (one.template.chown; was ${s.fromGid})`,
  async apply(s, ctx) {
    const id = await templateId(ctx, s.template, s.identifier, s.runId);
    const t = await templateIfAny(ctx, id);
    if (!t) return ctx.log.warn('template', `VM template ${id} no longer exists (deleted by an administrator?): not changing its group`);
    if (t.gid !== s.gid) await ctx.one.templateChown(id, -1, s.gid);
  },
  async isDone(s, ctx) {
    const t = await templateIfAny(ctx, await templateId(ctx, s.template, s.identifier, s.runId));
    return !t ? { skipped: 'the VM template no longer exists' } : t.gid === s.gid ? {} : false;
  },
  async undo(s, ctx) {
    const id = await templateId(ctx, s.template, s.identifier, s.runId);
    const t = await templateIfAny(ctx, id);
    if (t && t.gid !== s.fromGid) await ctx.one.templateChown(id, -1, s.fromGid);
  },
};
