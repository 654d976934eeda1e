// Step `delete-retired` (retention): one.image.delete of a retired version, after checking again, at that
// moment, everything that allowed it; whatever no longer holds (or oned's refusal) skips it with a
// warning, never failing the run. The handler's record then marks the version pruned. Nothing to undo.
import { ATTR_RETIRED } from '../attributes';
import { OneError } from '../errors';
import type { StepResult } from '../exec/journal';
import type { ExecContext } from '../exec/context';
import { IMAGE_STATE, ImageRecord } from '../one/types';
import { ageText } from '../plan/plan-prune';
import { readRecord, writeRecord } from '../record/record';
import type { StepImpl } from './step';

type S = { kind: 'delete-retired'; identifier: string; image: number; name: string; retiredAt: string; minAgeMs: number; retiredUid: number };

async function infoOrGone(s: S, ctx: ExecContext): Promise<ImageRecord | undefined> {
  try {
    const img = await ctx.one.imageInfo(s.image);
    return img.state === IMAGE_STATE.DELETE ? undefined : img;
  } catch (e) {
    if (e instanceof OneError && e.oneClass === 'NO_EXISTS') return undefined;
    throw e;
  }
}

/** Marks the version pruned in the handler's record (durably); the entry stays for what the image had. */
function markPruned(s: S, ctx: ExecContext): void {
  const rec = readRecord(ctx.config.stateDir, s.identifier);
  if (!rec || !rec.retired.some((r) => r.id === s.image && !r.pruned)) return;
  const at = new Date(ctx.now()).toISOString();
  writeRecord(ctx.config.stateDir, s.identifier, Object.assign({}, rec, { retired: rec.retired.map((r) => (r.id === s.image && !r.pruned ? Object.assign({}, r, { pruned: at }) : r)) }));
}

/** Why the image must not be deleted now, or undefined. */
function stillNot(s: S, img: ImageRecord, ctx: ExecContext): string | undefined {
  const rec = readRecord(ctx.config.stateDir, s.identifier);
  if (rec && rec.current && rec.current.id === s.image) return 'it is the current image again';
  if (!rec || !rec.retired.some((r) => r.id === s.image && !r.pruned)) return "the handler's record no longer holds it as retired";
  if (!img.template[ATTR_RETIRED]) return 'its VMCHNDL_ON_RETIRED marker was cleared';
  if (img.uid !== s.retiredUid) return `it now belongs to ${img.uname}`;
  if (img.lock !== undefined) return `it is locked (one.image.lock level ${img.lock})`;
  if (img.persistent) return 'it is persistent';
  if (img.runningVms > 0) return `${img.runningVms} VM(s) use it`;
  if (img.state !== IMAGE_STATE.READY && img.state !== IMAGE_STATE.DISABLED && img.state !== IMAGE_STATE.ERROR) return `it is busy (image state ${img.state})`;
  const at = Date.parse(s.retiredAt);
  const now = ctx.now();
  if (isNaN(at) || at > now || now - at < s.minAgeMs) return `it was retired at ${s.retiredAt}, less than ${ageText(s.minAgeMs)} ago by this host's clock`;
  return undefined;
}

function skip(s: S, ctx: ExecContext, why: string): StepResult {
  ctx.log.warn('prune', `retired image ${s.image} (${JSON.stringify(s.name)}) of ${s.identifier} is kept: ${why}`);
  return { skipped: why };
}

export const deleteRetiredStep: StepImpl<S> = {
  describe: (s) =>
    `delete retired image ${s.image} (${JSON.stringify(s.name)}), retired at ${s.retiredAt}, after checking again that it is unused, not persistent, not locked and still retired by the handler (one.image.delete; cannot be undone)`,
  async apply(s, ctx) {
    const img = await infoOrGone(s, ctx);
    if (img) {
      const why = stillNot(s, img, ctx);
      if (why) return skip(s, ctx, why);
      try {
        await ctx.one.imageDelete(s.image);
      } catch (e) {
        // oned's refusal (a VM took it meanwhile, say) is a warning; a call that got no answer is retried by recovery.
        if (!(e instanceof OneError)) throw e;
        return skip(s, ctx, `oned refused to delete it: ${e.oneMessage}`);
      }
      ctx.log.info('prune', `deleted retired image ${s.image} (${JSON.stringify(s.name)}) of ${s.identifier}, retired at ${s.retiredAt}`);
    }
    markPruned(s, ctx);
    return undefined;
  },
  async isDone(s, ctx) {
    if (await infoOrGone(s, ctx)) return false;
    const rec = readRecord(ctx.config.stateDir, s.identifier);
    return !rec || !rec.retired.some((r) => r.id === s.image && !r.pruned) ? {} : false;
  },
  async undo() {
    // A deleted image cannot come back; the step runs only after the plan's commit, so it is never undone.
  },
};
