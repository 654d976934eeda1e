// Which image is current for an identifier, decided by the handler's own record, never by attributes
// another user could have set; where there is no record, which candidate may be adopted.
import { ATTR_RETIRED, ATTR_RETIRED_FROM_GID, ATTR_RETIRED_FROM_MODE, ATTR_RETIRED_FROM_NAME, ATTR_RETIRED_FROM_STATE, ATTR_RETIRED_FROM_UID } from '../attributes';
import { bitsToOctal } from '../one/permissions';
import { IMAGE_STATE, ImageRecord } from '../one/types';
import type { HandlerRecord, RetiredFrom } from '../record/record';
import { imagesOf, isRetiredImage, retiredTime } from './select-images';

/** What the planner needs to know besides oned's images. */
export interface Trust {
  /** The handler's record for the identifier, if it has one. */
  readonly record?: HandlerRecord;
  /** REGTIME (seconds) up to which an image predates the handler's records; undefined: every image does. */
  readonly recordsSince?: number;
  /** Owners no ordinary user can give an image to (the caller, the retired owner, oneadmin). */
  readonly adminUids: readonly number[];
}

export interface Choice {
  readonly current?: ImageRecord;
  /** Set when `current` has no record yet and is adopted by this run. */
  readonly adopt?: ImageRecord;
  /** Images that look current but are not the handler's: ignored (a warning names them). */
  readonly lookAlikes: readonly ImageRecord[];
  /** Several images could be current and none is recorded: only the admin can say which (`adopt`). */
  readonly ambiguous: readonly ImageRecord[];
  /** Retired images of the identifier in oned, newest retirement first. */
  readonly retired: readonly ImageRecord[];
  /** What to give an image that comes back, and where it was read. */
  readonly restore?: { readonly from: RetiredFrom; readonly imageId: number; readonly source: 'record' | 'image' };
}

/** Whether an ordinary user could have created or changed this image: only admins can own it as one of `adminUids`, and nobody else may manage it. */
export function isAdminOnly(img: ImageRecord, adminUids: readonly number[]): boolean {
  if (adminUids.indexOf(img.uid) < 0) return false;
  const p = img.permissions;
  // OTHER_M, and GROUP_M unless the group is oneadmin (whose members are admins).
  return p[7] === 0 && (p[4] === 0 || img.gid === 0);
}

function fromImage(img: ImageRecord): RetiredFrom | undefined {
  const t = img.template;
  const uid = t[ATTR_RETIRED_FROM_UID];
  const gid = t[ATTR_RETIRED_FROM_GID];
  const mode = t[ATTR_RETIRED_FROM_MODE];
  if (!uid || !gid || !mode || !/^\d+$/.test(uid) || !/^\d+$/.test(gid) || !/^[0-7]{3}$/.test(mode)) return undefined;
  return { name: t[ATTR_RETIRED_FROM_NAME] || '', uid: Number(uid), gid: Number(gid), mode, state: t[ATTR_RETIRED_FROM_STATE] === 'DISABLED' ? 'DISABLED' : 'ENABLED' };
}

function restoreOf(record: HandlerRecord | undefined, retired: readonly ImageRecord[], adminUids: readonly number[]): Choice['restore'] {
  if (record && record.retired.length) {
    const newest = record.retired.slice().sort((a, b) => (Date.parse(b.at) || 0) - (Date.parse(a.at) || 0))[0];
    return { from: newest.from, imageId: newest.id, source: 'record' };
  }
  // No record of a retirement: only what no ordinary user could have written (ours, before records existed).
  for (const r of retired) {
    const from = r.template[ATTR_RETIRED] && isAdminOnly(r, adminUids) ? fromImage(r) : undefined;
    if (from) return { from, imageId: r.id, source: 'image' };
  }
  return undefined;
}

/** Chooses the current image and the metadata a returning image gets. Pure. */
export function chooseImages(images: readonly ImageRecord[], identifier: string, pattern: string, trust: Trust): Choice {
  const mine = imagesOf(images, identifier);
  const rec = trust.record;
  const recordedId = rec && rec.current ? rec.current.id : undefined;
  const byId = recordedId === undefined ? undefined : images.filter((i) => i.id === recordedId && i.state !== IMAGE_STATE.DELETE)[0];
  const recordedRetired = rec ? rec.retired.map((r) => r.id) : [];
  const retired = mine
    .filter((i) => i !== byId && (isRetiredImage(i, identifier, pattern) || recordedRetired.indexOf(i.id) >= 0))
    .sort((a, b) => retiredTime(b) - retiredTime(a) || b.regtime - a.regtime || b.id - a.id);
  const candidates = mine
    .filter((i) => i !== byId && retired.indexOf(i) < 0)
    .sort((a, b) => b.regtime - a.regtime || b.id - a.id);
  const restore = restoreOf(rec, retired, trust.adminUids);
  if (rec) return { current: byId, lookAlikes: candidates, ambiguous: [], retired, restore };

  // No record: a candidate an ordinary user could not have made, or one older than the handler's records.
  const since = trust.recordsSince;
  const adoptable = candidates.filter((i) => isAdminOnly(i, trust.adminUids) || since === undefined || i.regtime <= since);
  const lookAlikes = candidates.filter((i) => adoptable.indexOf(i) < 0);
  if (adoptable.length > 1) return { lookAlikes, ambiguous: adoptable, retired, restore };
  return { current: adoptable[0], adopt: adoptable[0], lookAlikes, ambiguous: [], retired, restore };
}

/** `image 7 ("name", owner alice, mode 644, registered 2026-…)` for messages. */
export function describeCandidate(img: ImageRecord): string {
  return `image ${img.id} (${JSON.stringify(img.name)}, owner ${img.uname || img.uid}, mode ${bitsToOctal(img.permissions)}, registered ${new Date(img.regtime * 1000).toISOString()})`;
}
