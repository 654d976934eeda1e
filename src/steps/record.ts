// Step `record`: writes the handler's own record of the identifier (which image is current, what the
// retired one had), durably, as part of the plan's commit; undone by writing back the record before it.
import { readRecord, writeRecord, HandlerRecord, RecordedCurrent } from '../record/record';
import type { ImageRef } from '../plan/types';
import type { RecordedRetirement } from '../record/record';
import type { ExecContext } from '../exec/context';
import type { StepImpl } from './step';
import { imageId, imageLabel } from './step';

type S = {
  kind: 'record';
  identifier: string;
  current?: ImageRef | null;
  how: 'registered' | 'adopted';
  runId: string;
  at: string;
  retire?: RecordedRetirement;
  before: HandlerRecord | null;
};

function wanted(s: S, ctx: ExecContext, now: HandlerRecord | undefined): HandlerRecord {
  let current: RecordedCurrent | null = now ? now.current : null;
  if (s.current === null) current = null;
  else if (s.current !== undefined) {
    const id = imageId(ctx, s.current);
    current = current && current.id === id ? current : { id, how: s.how, at: s.at, runId: s.how === 'registered' ? s.runId : undefined };
  }
  let retired = (now ? now.retired : []).filter((r) => !current || r.id !== current.id);
  if (s.retire && !retired.some((r) => r.id === s.retire!.id)) {
    // How the retired image had become current, from the record before it changes: retention deletes only what the handler registered.
    const was = now && now.current && now.current.id === s.retire.id ? now.current.how : 'adopted';
    const entry: RecordedRetirement = Object.assign({}, s.retire, { how: s.retire.how || was });
    retired = [entry].concat(retired);
  }
  const rec: HandlerRecord = { v: 1, identifier: s.identifier, current, retired };
  return now && now.template ? Object.assign(rec, { template: now.template }) : rec;
}

function holds(rec: HandlerRecord | undefined, want: HandlerRecord): boolean {
  if (!rec) return false;
  const cur = (rec.current && rec.current.id) === (want.current && want.current.id);
  return cur && want.retired.every((w) => rec.retired.some((r) => r.id === w.id));
}

export const recordStep: StepImpl<S> = {
  describe: (s) => {
    const what: string[] = [];
    if (s.current === null) what.push('no current image');
    else if (s.current !== undefined) what.push(`${imageLabel(s.current)} as current (${s.how})`);
    if (s.retire) what.push(`image ${s.retire.id} as retired (it had owner ${s.retire.from.uid}, group ${s.retire.from.gid}, mode ${s.retire.from.mode}, ${s.retire.from.state.toLowerCase()})`);
    return `record ${what.join(' and ')} in the handler's record of ${s.identifier} (state directory)`;
  },
  async apply(s, ctx) {
    const now = readRecord(ctx.config.stateDir, s.identifier);
    writeRecord(ctx.config.stateDir, s.identifier, wanted(s, ctx, now));
  },
  async isDone(s, ctx) {
    const now = readRecord(ctx.config.stateDir, s.identifier);
    return holds(now, wanted(s, ctx, now)) ? {} : false;
  },
  async undo(s, ctx) {
    writeRecord(ctx.config.stateDir, s.identifier, s.before);
  },
};
