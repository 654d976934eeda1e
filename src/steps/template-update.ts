// Step `template-update`: one.template.update (merge) pointing the appliance's DISK at a new image and
// setting the version (or retired) attributes. A merge replaces every attribute of a name it sends, so
// every DISK is sent, as the template has it now, with only the appliance's one changed: the admin's
// other edits (NICs, memory, other disks, anything) stay. Undone by pointing it back.
import { TPL_DISK, TPL_IMAGE_ID } from '../attributes';
import type { ExecContext } from '../exec/context';
import type { TemplateAttrs, TemplateNode, VmTemplateRecord } from '../one/types';
import type { ImageRef, TemplateRef } from '../plan/types';
import type { StepImpl } from './step';
import { imageId, imageLabel } from './step';
import { templateId, templateIfAny, templateLabel } from './template-ref';

type S = {
  kind: 'template-update';
  identifier: string;
  runId: string;
  template: TemplateRef;
  disk?: ImageRef;
  from: readonly number[];
  set: TemplateAttrs;
  before: TemplateAttrs;
};

type Vector = { name: string; vector: Readonly<Record<string, string>> };

function disksOf(t: VmTemplateRecord): Vector[] {
  return t.nodes.filter((n): n is Vector => n.name === TPL_DISK && 'vector' in n);
}

/** The disks with the appliance's pointed at `to`: the ones using an image of `from`, else the first. */
export function repointDisks(disks: readonly Vector[], from: readonly number[], to: number): Vector[] {
  const uses = (d: Vector, ids: readonly number[]) => ids.indexOf(Number(d.vector[TPL_IMAGE_ID])) >= 0 && d.vector[TPL_IMAGE_ID] !== undefined;
  const point = (d: Vector): Vector => {
    const v: Record<string, string> = { [TPL_IMAGE_ID]: String(to) };
    for (const k of Object.keys(d.vector)) if (['IMAGE_ID', 'IMAGE', 'IMAGE_UNAME', 'IMAGE_UID'].indexOf(k) < 0) v[k] = d.vector[k];
    return { name: TPL_DISK, vector: v };
  };
  if (!disks.length) return [{ name: TPL_DISK, vector: { [TPL_IMAGE_ID]: String(to) } }];
  if (disks.some((d) => uses(d, from))) return disks.map((d) => (uses(d, from) ? point(d) : d));
  if (disks.some((d) => uses(d, [to]))) return disks.slice();
  return disks.map((d, i) => (i === 0 ? point(d) : d));
}

function attrsHold(t: VmTemplateRecord, attrs: TemplateAttrs): boolean {
  return Object.keys(attrs).every((k) => (t.template[k] || '') === attrs[k]);
}

async function send(ctx: ExecContext, id: number, disks: readonly Vector[] | undefined, attrs: TemplateAttrs): Promise<void> {
  const nodes: TemplateNode[] = (disks || []).slice();
  for (const k of Object.keys(attrs)) nodes.push({ name: k, value: attrs[k] });
  if (nodes.length) await ctx.one.templateUpdate(id, nodes, true);
}

export const templateUpdateStep: StepImpl<S> = {
  describe: (s) => {
    const what: string[] = [];
    if (s.disk !== undefined) what.push(`point its DISK${s.from.length ? ` using image ${s.from.join(' or ')}` : ''} at ${imageLabel(s.disk)} (other disks and edits kept)`);
    const set = Object.keys(s.set).map((k) => `${k}=${s.set[k]}`);
    if (set.length) what.push(`set ${set.join(' ')}`);
    return `update ${templateLabel(s.template)} of ${s.identifier}: ${what.join('; ')} (one.template.update, merge)`;
  },
  async apply(s, ctx) {
    const id = await templateId(ctx, s.template, s.identifier, s.runId);
    const t = await templateIfAny(ctx, id);
    if (!t) return ctx.log.warn('template', `VM template ${id} no longer exists (deleted by an administrator?): not updating it`);
    await send(ctx, id, s.disk !== undefined ? repointDisks(disksOf(t), s.from, imageId(ctx, s.disk)) : undefined, s.set);
  },
  async isDone(s, ctx) {
    const t = await templateIfAny(ctx, await templateId(ctx, s.template, s.identifier, s.runId));
    if (!t) return { skipped: 'the VM template no longer exists' };
    if (s.disk !== undefined) {
      const to = String(imageId(ctx, s.disk));
      const disks = disksOf(t);
      if (!disks.some((d) => d.vector[TPL_IMAGE_ID] === to) || disks.some((d) => s.from.indexOf(Number(d.vector[TPL_IMAGE_ID])) >= 0)) return false;
    }
    return attrsHold(t, s.set) ? {} : false;
  },
  async undo(s, ctx) {
    const id = await templateId(ctx, s.template, s.identifier, s.runId);
    const t = await templateIfAny(ctx, id);
    if (!t) return;
    const to = s.disk !== undefined ? imageId(ctx, s.disk) : undefined;
    const pointed = to !== undefined && s.from.length > 0 && disksOf(t).some((d) => d.vector[TPL_IMAGE_ID] === String(to));
    const back = pointed ? repointDisks(disksOf(t), [to!], s.from[0]) : undefined;
    await send(ctx, id, back, s.before);
  },
};
