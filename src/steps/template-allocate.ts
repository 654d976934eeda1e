// Step `template-allocate`: one.template.allocate, and the new template's id in the handler's record in
// the same step (found again by its run marker after a crash); undone by deleting that template, and only it.
import { ATTR_RUN } from '../attributes';
import { OperationFailedError } from '../errors';
import type { ExecContext } from '../exec/context';
import type { TemplateNode } from '../one/types';
import type { ImageRef } from '../plan/types';
import { readRecord, RecordedTemplate, writeRecord } from '../record/record';
import { withDiskImage } from '../template/appliance-template';
import type { StepImpl } from './step';
import { imageId, imageLabel } from './step';
import { findTemplateBy, templateIfAny } from './template-ref';

type S = { kind: 'template-allocate'; identifier: string; runId: string; name: string; nodes: readonly TemplateNode[]; disk: ImageRef; replaces?: RecordedTemplate };

function recordTemplate(ctx: ExecContext, s: S, id: number): void {
  const rec = readRecord(ctx.config.stateDir, s.identifier);
  if (!rec) throw new OperationFailedError(`the handler has no record of ${s.identifier}: its VM template ${id} cannot be recorded`);
  if (rec.template && rec.template.id === id) return;
  writeRecord(ctx.config.stateDir, s.identifier, Object.assign({}, rec, { template: { id, at: new Date(ctx.now()).toISOString(), runId: s.runId } }));
}

function shown(nodes: readonly TemplateNode[], disk: ImageRef): string {
  // The image's id is known once it is registered: its place is shown.
  return withDiskImage(nodes, 0)
    .map((n) => (n.name === 'DISK' && 'vector' in n && n.vector.IMAGE_ID === '0' ? { name: n.name, vector: Object.assign({}, n.vector, { IMAGE_ID: disk === 'new' ? '<the new image>' : String(disk) }) } : n))
    .filter((n) => n.name !== 'NAME' && n.name !== ATTR_RUN)
    .map((n) => ('value' in n ? `${n.name}=${n.value}` : `${n.name}=[${Object.keys(n.vector).map((k) => `${k}=${n.vector[k]}`).join(',')}]`))
    .join(' ');
}

export const templateAllocateStep: StepImpl<S> = {
  describe: (s) => `create VM template ${JSON.stringify(s.name)} for ${s.identifier} using ${imageLabel(s.disk)}: ${shown(s.nodes, s.disk)} (one.template.allocate; its id goes into the handler's record)`,
  async apply(s, ctx) {
    // A crash after the call: the template exists, only the record is missing.
    const earlier = await findTemplateBy(ctx, s.runId);
    const id = earlier ? earlier.id : await ctx.one.templateAllocate(withDiskImage(s.nodes, imageId(ctx, s.disk)));
    recordTemplate(ctx, s, id);
    ctx.log.info('template', `created VM template ${id} (${JSON.stringify(s.name)}) for ${s.identifier}`);
  },
  async isDone(s, ctx) {
    const t = await findTemplateBy(ctx, s.runId);
    if (!t) return false;
    recordTemplate(ctx, s, t.id);
    return {};
  },
  async undo(s, ctx) {
    const rec = readRecord(ctx.config.stateDir, s.identifier);
    const t = await findTemplateBy(ctx, s.runId);
    if (t) {
      // Never a template this run did not create.
      const live = await templateIfAny(ctx, t.id);
      if (live && live.template[ATTR_RUN] === s.runId) {
        await ctx.one.templateDelete(t.id);
        ctx.log.info('rollback', `deleted VM template ${t.id}, which this run had created`);
      }
    }
    if (rec && rec.template && rec.template.runId === s.runId) {
      // A deleted template the admin had not asked back stays recorded: events must not make it again.
      const back = Object.assign({}, rec, { template: s.replaces });
      if (!s.replaces) delete (back as { template?: unknown }).template;
      writeRecord(ctx.config.stateDir, s.identifier, back);
    }
  },
};
