// The VM template a template step acts on: an id, or the one this run created, found through the
// handler's record (written with the template) or, after a crash, by the run marker it carries.
import { ATTR_RUN } from '../attributes';
import { OneError, OperationFailedError } from '../errors';
import type { ExecContext } from '../exec/context';
import type { VmTemplateRecord } from '../one/types';
import type { TemplateRef } from '../plan/types';
import { readRecord } from '../record/record';

/** The template carrying this run's marker, if oned has one. */
export async function findTemplateBy(ctx: ExecContext, runId: string): Promise<VmTemplateRecord | undefined> {
  for (const t of await ctx.one.templatePool()) if (t.template[ATTR_RUN] === runId) return t;
  return undefined;
}

/** The id behind a template reference; 'new' must have been created by then. */
export async function templateId(ctx: ExecContext, ref: TemplateRef, identifier: string, runId: string): Promise<number> {
  if (ref !== 'new') return ref;
  const rec = readRecord(ctx.config.stateDir, identifier);
  if (rec && rec.template && rec.template.runId === runId) return rec.template.id;
  const t = await findTemplateBy(ctx, runId);
  if (t) return t.id;
  throw new OperationFailedError(`internal: the VM template this run creates for ${identifier} is not known yet`);
}

/** The template, or undefined once oned no longer has it (an admin deleted it). */
export async function templateIfAny(ctx: ExecContext, id: number): Promise<VmTemplateRecord | undefined> {
  try {
    return await ctx.one.templateInfo(id);
  } catch (e) {
    if (e instanceof OneError && e.oneClass === 'NO_EXISTS') return undefined;
    throw e;
  }
}

/** `VM template 7` or `the new VM template` for messages. */
export function templateLabel(ref: TemplateRef): string {
  return ref === 'new' ? 'the new VM template' : `VM template ${ref}`;
}
