// Retention (VMCHNDL_ON_KEEP_RETIRED): which retired versions of an identifier go, and why each other stays.
// Only what the handler's record says it registered and retired itself is ever deleted. Records written
// before retention existed do not say how an image had become current: such an entry counts as the
// handler's own only when the image carries a run id of the handler (VMCHNDL_ON_RUN, set at registration;
// oned.conf's IMAGE_RESTRICTED_ATTR should protect it) and still belongs to VMCHNDL_ON_RETIRED_OWNER.
import { ATTR_RETIRED, ATTR_RUN } from '../attributes';
import type { Config } from '../config/config';
import { IMAGE_STATE, ImageRecord } from '../one/types';
import type { RecordedRetirement } from '../record/record';
import { selectImages } from './select-images';
import type { Observed, Plan, RunContext, Step } from './types';

/** One retired version and what retention does with it. */
export interface PruneVerdict {
  readonly id: number;
  readonly name: string;
  readonly retiredAt?: string;
  readonly delete: boolean;
  readonly why: string;
}

export interface PruneReport {
  readonly identifier: string;
  /** VMCHNDL_ON_KEEP_RETIRED (or `prune --keep`); undefined: retention is off, nothing goes. */
  readonly keep?: number;
  readonly verdicts: readonly PruneVerdict[];
  readonly steps: readonly Step[];
}

/** What retention reads of an observation (`status` has no more). */
export type PruneObserved = Pick<Observed, 'images' | 'record'> & { readonly retiredOwner: { readonly uid: number } };

const RUN_ID = /^\d{8}T\d{6}Z-[0-9a-f]{6,}$/;
const USABLE = [IMAGE_STATE.READY, IMAGE_STATE.DISABLED, IMAGE_STATE.ERROR];

/** `3 h 20 min`, `2 d 4 h`: an age for messages. */
export function ageText(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.floor(s / 60)} min`;
  if (s < 172800) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}

/** Why a retired version beyond the newest N must stay; undefined when it may go. */
function whyKept(e: RecordedRetirement, img: ImageRecord, obs: PruneObserved, config: Config, now: number, planned: boolean): string | undefined {
  const rec = obs.record;
  if (!planned && rec && rec.current && rec.current.id === img.id) return 'it is the current image';
  if (e.how === 'adopted') return 'the handler adopted it, it did not register it: never deleted';
  if (!e.how && !(RUN_ID.test(img.template[ATTR_RUN] || '') && img.uid === obs.retiredOwner.uid)) {
    return 'recorded before the handler noted which images it registered, and it carries no VMCHNDL_ON_RUN of the handler with the retired owner: not known to be ours, never deleted';
  }
  // Not yet retired when planned with its retirement: the delete step checks these before deleting.
  if (!planned && img.uid !== obs.retiredOwner.uid) return `it belongs to ${img.uname}, not to VMCHNDL_ON_RETIRED_OWNER any more (an administrator gave it away)`;
  if (!planned && !img.template[ATTR_RETIRED]) return 'its VMCHNDL_ON_RETIRED marker was cleared (an administrator took it back)';
  if (img.lock !== undefined) return `it is locked (one.image.lock level ${img.lock})`;
  if (img.persistent) return 'it is persistent';
  if (img.runningVms > 0) return `${img.runningVms} VM(s) use it`;
  if (USABLE.indexOf(img.state as 1 | 3 | 5) < 0) return `it is busy (image state ${img.state})`;
  const at = Date.parse(e.at);
  if (isNaN(at)) return `its retirement time ${JSON.stringify(e.at)} cannot be read`;
  // A clock stepped back makes a retirement look as if it came later: never old enough.
  if (at > now) return `retired at ${e.at}, later than this host's clock says it is now: not old enough`;
  if (now - at < config.pruneMinAgeMs) return `retired ${ageText(now - at)} ago, less than VMCHNDL_ON_PRUNE_MIN_AGE (${ageText(config.pruneMinAgeMs)})`;
  return undefined;
}

/**
 * What retention deletes for an identifier: the handler's retired versions (its record, newest first)
 * beyond the newest `config.keepRetired` that still exist, when they are its own, unused, not persistent,
 * not locked and retired at least VMCHNDL_ON_PRUNE_MIN_AGE ago. `justRetired` is the version the
 * plan being built retires (the newest). Pure.
 */
export function planPrune(identifier: string, obs: PruneObserved, config: Config, now: number, justRetired?: RecordedRetirement): PruneReport {
  const keep = config.keepRetired;
  if (keep === undefined) return { identifier, keep, verdicts: [], steps: [] };
  const live = (id: number) => obs.images.filter((i) => i.id === id && i.state !== IMAGE_STATE.DELETE)[0];
  const recorded = obs.record ? obs.record.retired : [];
  // The record's order is the order retirements happened, whatever the clock said.
  const entries = (justRetired ? [justRetired as RecordedRetirement] : []).concat(recorded.filter((r) => !r.pruned && !(justRetired && r.id === justRetired.id))).filter((e) => live(e.id));
  const verdicts: PruneVerdict[] = [];
  const steps: Step[] = [];
  entries.forEach((e, n) => {
    const img = live(e.id);
    const planned = Boolean(justRetired && e.id === justRetired.id);
    const base = { id: img.id, name: img.name, retiredAt: e.at };
    if (n < keep) {
      verdicts.push(Object.assign(base, { delete: false, why: `one of the newest ${keep} retired version(s) (VMCHNDL_ON_KEEP_RETIRED)` }));
      return;
    }
    const why = whyKept(e, img, obs, config, now, planned);
    verdicts.push(Object.assign(base, { delete: !why, why: why || `beyond the newest ${keep}, registered and retired by the handler, unused, retired ${ageText(now - Date.parse(e.at))} ago` }));
    if (!why) {
      steps.push({ kind: 'delete-retired', identifier, image: img.id, name: img.name, retiredAt: e.at, minAgeMs: config.pruneMinAgeMs, retiredUid: obs.retiredOwner.uid });
    }
  });
  // Retired images the record does not hold were retired before records existed, or by someone else.
  const known = recorded.map((r) => r.id).concat(justRetired ? [justRetired.id] : []);
  for (const img of selectImages(obs.images, identifier, config.retiredNamePattern).retired) {
    if (known.indexOf(img.id) >= 0) continue;
    verdicts.push({ id: img.id, name: img.name, retiredAt: img.template[ATTR_RETIRED] || undefined, delete: false, why: "not in the handler's record of its retirements: never deleted" });
  }
  return { identifier, keep, verdicts, steps };
}

function deleting(r: PruneReport): string {
  const ids = r.steps.map((s) => (s as { image: number }).image);
  return `delete retired image${ids.length > 1 ? 's' : ''} ${ids.join(', ')} (beyond the newest ${r.keep}, VMCHNDL_ON_KEEP_RETIRED)`;
}

/** A rotation or expiry ends with retention's deletes (rolled forward after the commit), when VMCHNDL_ON_KEEP_RETIRED is set. */
export function withPrune(p: Plan, obs: Observed, config: Config, run: RunContext): Plan {
  if (config.keepRetired === undefined || (p.action !== 'rotate' && p.action !== 'retire')) return p;
  const rec = p.steps.filter((s) => s.kind === 'record')[0] as Extract<Step, { kind: 'record' }> | undefined;
  const r = rec && rec.retire;
  const cur = obs.record && obs.record.current;
  const just: RecordedRetirement | undefined = r ? Object.assign({}, r, { how: cur && cur.id === r.id ? cur.how : ('adopted' as const) }) : undefined;
  const report = planPrune(p.identifier, obs, config, run.now, just);
  if (!report.steps.length) return p;
  return Object.assign({}, p, { steps: p.steps.concat(report.steps), summary: `${p.summary}; ${deleting(report)}` });
}

/** `prune`'s plan for one identifier: only retention's deletes, every one rolled forward. */
export function prunePlan(identifier: string, obs: Observed, config: Config, run: RunContext): { plan: Plan; report: PruneReport } {
  const report = planPrune(identifier, obs, config, run.now);
  const summary = report.steps.length ? `prune ${identifier}: ${deleting(report)}` : `prune ${identifier}: no retired version to delete`;
  const plan: Plan = { identifier, action: report.steps.length ? 'prune' : 'nothing', summary, warnings: [], steps: report.steps, commitIndex: 0, runId: run.runId };
  return { plan, report };
}
