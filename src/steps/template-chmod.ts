// Step `template-chmod`: one.template.chmod with all 9 bits, undone by restoring the previous mode. A
// template an admin deleted meanwhile is left alone.
import { bitsToOctal, octalToBits } from '../one/permissions';
import type { TemplateRef } from '../plan/types';
import type { StepImpl } from './step';
import { templateId, templateIfAny, templateLabel } from './template-ref';

type S = { kind: 'template-chmod'; identifier: string; runId: string; template: TemplateRef; mode: string; fromMode: string };

export const templateChmodStep: StepImpl<S> = {
  describe: (s) => `set the permissions of ${templateLabel(s.template)} to ${s.mode} (one.template.chmod; was ${s.fromMode})`,
  async apply(s, ctx) {
    const id = await templateId(ctx, s.template, s.identifier, s.runId);
    const t = await templateIfAny(ctx, id);
    if (!t) return ctx.log.warn('template', `VM template ${id} no longer exists (deleted by an administrator?): not changing its permissions`);
    if (bitsToOctal(t.permissions) !== s.mode) await ctx.one.templateChmod(id, octalToBits(s.mode));
  },
  async isDone(s, ctx) {
    const t = await templateIfAny(ctx, await templateId(ctx, s.template, s.identifier, s.runId));
    return !t ? { skipped: 'the VM template no longer exists' } : bitsToOctal(t.permissions) === s.mode ? {} : false;
  },
  async undo(s, ctx) {
    const id = await templateId(ctx, s.template, s.identifier, s.runId);
    const t = await templateIfAny(ctx, id);
    if (t && bitsToOctal(t.permissions) !== s.fromMode) await ctx.one.templateChmod(id, octalToBits(s.fromMode));
  },
};
