// `status`: per identifier, the current image, its retired versions and pending events, as plain data.
import { ATTR_IDENTIFIER, ATTR_RETIRED, ATTR_VERSION, EVENT_VAR_PREFIX } from '../attributes';
import { bitsToOctal, bitsToRwx } from '../one/permissions';
import { IMAGE_STATE, ImageRecord, VmTemplateRecord } from '../one/types';
import { chooseImages } from '../plan/choose-images';
import { imagesOf } from '../plan/select-images';
import type { Config } from '../config/config';
import { planPrune, PruneVerdict } from '../plan/plan-prune';
import type { HandlerRecord } from '../record/record';
import type { SpoolEntry } from '../spool/spool';

/**
 * `current`: the image a new event would rotate; `duplicate`: one of several candidates where the handler has no
 * record (the next event waits for `adopt`); `look-alike`: carries the identifier but is not the handler's (ignored);
 * `retired`: an old version.
 */
export type ImageRole = 'current' | 'duplicate' | 'look-alike' | 'retired';

export interface ImageView {
  readonly role: ImageRole;
  readonly id: number;
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly owner: string;
  readonly group: string;
  /** OpenNebula's form, as `oneimage show` prints the three triples: `um-u--u--`. */
  readonly mode: string;
  /** The same as `oneimage chmod` takes it: `644`. */
  readonly octal: string;
  readonly state: string;
  readonly runningVms: number;
  readonly vms: readonly number[];
  /** REGTIME as ISO 8601 (UTC). */
  readonly registered: string;
  readonly datastoreId: number;
  readonly datastore: string;
  /** The image list's version (VMCATCHER_EVENT_HV_VERSION), if recorded. */
  readonly version: string | null;
  /** When we retired it (VMCHNDL_ON_RETIRED), if we did. */
  readonly retiredAt: string | null;
  /** In the handler's own record (as current or retired). */
  readonly recorded: boolean;
}

export interface PendingView {
  readonly type: string;
  readonly received: string;
  readonly attempts: number;
  readonly lastError: string | null;
}

/** The identifier's VM template (VMCHNDL_ON_TEMPLATE): `none` yet, or the recorded one (`deleted`: by an admin; not made again unasked). */
export interface TemplateView {
  readonly id: number | null;
  readonly name: string | null;
  readonly state: 'none' | 'in use' | 'retired' | 'deleted';
}

/** The template view of an identifier, or null when templates are neither kept nor recorded. */
export function templateView(record: HandlerRecord | undefined, templates: readonly VmTemplateRecord[] | undefined): TemplateView | null {
  if (!templates) return null;
  const rec = record && record.template;
  if (!rec) return { id: null, name: null, state: 'none' };
  const t = templates.filter((x) => x.id === rec.id)[0];
  if (!t) return { id: rec.id, name: null, state: 'deleted' };
  return { id: t.id, name: t.name, state: t.template[ATTR_RETIRED] ? 'retired' : 'in use' };
}

export interface IdentifierStatus {
  readonly identifier: string;
  readonly title: string | null;
  readonly current: ImageView | null;
  readonly duplicates: readonly ImageView[];
  /** Images that carry the identifier but are not the handler's: ignored by events. */
  readonly lookAlikes: readonly ImageView[];
  readonly retired: readonly ImageView[];
  /** Whether the handler keeps a record of this identifier; `current` is recorded or adopted at the next event. */
  readonly recorded: boolean;
  readonly pending: readonly PendingView[];
  /** An earlier run did not finish: `recover` (or the next event) completes or rolls it back. */
  readonly interrupted: boolean;
  /** The rest of a retirement waits for its image to be unlocked (one.image.lock). */
  readonly waitingRetirement: boolean;
  /** With VMCHNDL_ON_KEEP_RETIRED: what `prune` would delete, and why each other retired version beyond the newest N stays. */
  readonly prune?: { readonly keep: number; readonly verdicts: readonly PruneVerdict[] };
  /** Its VM template; null when templates were not asked for (VMCHNDL_ON_TEMPLATE off and none recorded). */
  readonly template: TemplateView | null;
}

export interface StatusReport {
  readonly identifiers: readonly IdentifierStatus[];
}

/** The name of an image state number, e.g. READY. */
export function imageStateName(state: number): string {
  for (const k of Object.keys(IMAGE_STATE) as (keyof typeof IMAGE_STATE)[]) if (IMAGE_STATE[k] === state) return k;
  return `STATE_${state}`;
}

/** One image as status shows it. */
export function imageView(img: ImageRecord, role: ImageRole, recorded = false): ImageView {
  return {
    role,
    id: img.id,
    name: img.name,
    uid: img.uid,
    gid: img.gid,
    owner: img.uname,
    group: img.gname,
    mode: bitsToRwx(img.permissions),
    octal: bitsToOctal(img.permissions),
    state: imageStateName(img.state),
    runningVms: img.runningVms,
    vms: img.vms,
    registered: new Date(img.regtime * 1000).toISOString(),
    datastoreId: img.datastoreId,
    datastore: img.datastore,
    version: img.template[ATTR_VERSION] || null,
    retiredAt: img.template[ATTR_RETIRED] || null,
    recorded,
  };
}

/** Every identifier this tool manages: on an image, in the spool, or with an interrupted run. */
export function managedIdentifiers(images: readonly ImageRecord[], pending: readonly SpoolEntry[], interrupted: readonly string[]): string[] {
  const ids: string[] = [];
  const add = (id: string | undefined) => {
    if (id && ids.indexOf(id) < 0) ids.push(id);
  };
  for (const img of images) if (img.state !== IMAGE_STATE.DELETE) add(img.template[ATTR_IDENTIFIER]);
  for (const e of pending) add(e.identifier);
  for (const id of interrupted) add(id);
  return ids.sort();
}

/** Builds the report for the given identifiers (all managed ones when none are given). Pure. */
export function collectStatus(input: {
  images: readonly ImageRecord[];
  pending: readonly SpoolEntry[];
  interrupted: readonly string[];
  /** Identifiers with a retirement parked until its image is unlocked. */
  waiting?: readonly string[];
  identifiers: readonly string[];
  retiredNamePattern: string;
  /** The handler's records, by identifier. */
  records?: Readonly<Record<string, HandlerRecord | undefined>>;
  /** REGTIME (s) up to which images predate the handler's records. */
  recordsSince?: number;
  /** Owners only an admin can give an image to. */
  adminUids?: readonly number[];
  /** Retention's settings (VMCHNDL_ON_KEEP_RETIRED set), the retired owner's id and the time now. */
  retention?: { config: Config; retiredUid: number; now: number };
  /** The VM templates, when asked for (VMCHNDL_ON_TEMPLATE, or a recorded template). */
  templates?: readonly VmTemplateRecord[];
}): StatusReport {
  const ids = input.identifiers.length ? input.identifiers : managedIdentifiers(input.images, input.pending, input.interrupted).concat(Object.keys(input.records || {})).filter((x, i, a) => a.indexOf(x) === i).sort();
  return {
    identifiers: ids.map((identifier) => {
      const record = input.records ? input.records[identifier] : undefined;
      const sel = chooseImages(input.images, identifier, input.retiredNamePattern, { record, recordsSince: input.recordsSince, adminUids: input.adminUids || [0] });
      const inRecord = (id: number) => Boolean(record && ((record.current && record.current.id === id) || record.retired.some((r) => r.id === id)));
      const newest = imagesOf(input.images, identifier).sort((a, b) => b.regtime - a.regtime || b.id - a.id)[0];
      const titled = sel.current || newest;
      return {
        identifier,
        title: (titled && titled.template[`${EVENT_VAR_PREFIX}DC_TITLE`]) || null,
        current: sel.current ? imageView(sel.current, 'current', inRecord(sel.current.id)) : null,
        duplicates: sel.ambiguous.map((i) => imageView(i, 'duplicate')),
        lookAlikes: sel.lookAlikes.map((i) => imageView(i, 'look-alike')),
        retired: sel.retired.map((i) => imageView(i, 'retired', inRecord(i.id))),
        recorded: Boolean(record),
        pending: input.pending
          .filter((e) => e.identifier === identifier)
          .map((e) => ({ type: e.type, received: new Date(e.receivedAt).toISOString(), attempts: e.attempts, lastError: e.lastError || null })),
        interrupted: input.interrupted.indexOf(identifier) >= 0,
        waitingRetirement: (input.waiting || []).indexOf(identifier) >= 0,
        prune: retentionOf(identifier, input.images, record, input.retention),
        template: templateView(record, input.templates),
      };
    }),
  };
}

function retentionOf(identifier: string, images: readonly ImageRecord[], record: HandlerRecord | undefined, r: { config: Config; retiredUid: number; now: number } | undefined): IdentifierStatus['prune'] {
  if (!r || r.config.keepRetired === undefined) return undefined;
  const report = planPrune(identifier, { images, record, retiredOwner: { uid: r.retiredUid } }, r.config, r.now);
  return { keep: r.config.keepRetired, verdicts: report.verdicts };
}
