// The steps that retire an image (step 7): owner and mode for retired images, the marker, disabled.
import {
  ATTR_DISABLE_WHEN_UNUSED,
  ATTR_RETIRED,
  ATTR_RETIRED_FROM_GID,
  ATTR_RETIRED_FROM_MODE,
  ATTR_RETIRED_FROM_NAME,
  ATTR_RETIRED_FROM_STATE,
  ATTR_RETIRED_FROM_UID,
} from '../attributes';
import type { Config } from '../config/config';
import { OperationFailedError } from '../errors';
import { bitsToOctal } from '../one/permissions';
import { IMAGE_STATE, ImageRecord } from '../one/types';
import type { ImageRef, Observed, RunContext, Step } from './types';

/**
 * Refuses, before any change, to retire an image an administrator locked (one.image.lock) at a level
 * that forbids what the plan does: `upTo` 2 refuses a lock on MANAGE operations (levels 1 and 2:
 * no rename), 3 any lock (an ADMIN lock forbids the retired mode's admin bits too).
 */
export function validateNotLocked(img: ImageRecord, upTo: 2 | 3, identifier: string): void {
  if (img.lock === undefined || img.lock > upTo) return;
  throw new OperationFailedError(
    `image ${img.id} (${JSON.stringify(img.name)}), the current image for ${identifier}, is locked (one.image.lock level ${img.lock}): it cannot be retired, so nothing was changed. ` +
      `Unlock it (oneimage unlock ${img.id}) to let the event through; it stays pending until then`,
  );
}

/** ENABLED or DISABLED: what we record and later restore. */
export function retiredStateOf(img: ImageRecord): 'ENABLED' | 'DISABLED' {
  return img.state === IMAGE_STATE.DISABLED ? 'DISABLED' : 'ENABLED';
}

/** A chown step, with the user and group names observation knew (the description says them). */
export function chownStep(obs: Observed, image: ImageRef, to: { uid: number; gid: number }, from: { uid: number; gid: number }): Step {
  const n = obs.names || { users: {}, groups: {} };
  const step = { kind: 'chown' as const, image, uid: to.uid, gid: to.gid, fromUid: from.uid, fromGid: from.gid };
  const names = { uname: n.users[to.uid], gname: n.groups[to.gid], fromUname: n.users[from.uid], fromGname: n.groups[from.gid] };
  // Unknown names are left out: the step's JSON has only what is known.
  for (const k of Object.keys(names) as (keyof typeof names)[]) if (names[k] === undefined) delete names[k];
  return Object.assign(step, names);
}

/** chown to the retired owner, chmod, mark, disable (best effort: an image in use cannot be disabled). */
export function planRetire(img: ImageRecord, obs: Observed, config: Config, run: RunContext, state: 'ENABLED' | 'DISABLED'): Step[] {
  const steps: Step[] = [];
  const o = obs.retiredOwner;
  if (img.uid !== o.uid || img.gid !== o.gid) {
    steps.push(chownStep(obs, img.id, o, { uid: img.uid, gid: img.gid }));
  }
  const mode = bitsToOctal(img.permissions);
  if (mode !== config.retiredMode) steps.push({ kind: 'chmod', image: img.id, mode: config.retiredMode, fromMode: mode });
  steps.push({
    kind: 'mark-retired',
    image: img.id,
    attrs: {
      [ATTR_RETIRED]: new Date(run.now).toISOString(),
      [ATTR_RETIRED_FROM_NAME]: img.name,
      [ATTR_RETIRED_FROM_UID]: String(img.uid),
      [ATTR_RETIRED_FROM_GID]: String(img.gid),
      [ATTR_RETIRED_FROM_MODE]: mode,
      [ATTR_RETIRED_FROM_STATE]: state,
    },
  });
  if (img.state !== IMAGE_STATE.DISABLED) steps.push({ kind: 'enable', image: img.id, enable: false, bestEffort: true });
  return steps;
}

/**
 * Retired images that could not be disabled when they were retired (VMs used them) and that no VM uses
 * now: clear the note first (a refusal notes it again), then disable them. An image the admin enabled
 * again carries no note and is left alone.
 */
export function planDisableUnused(retired: readonly ImageRecord[]): { steps: Step[]; ids: number[] } {
  const steps: Step[] = [];
  const ids: number[] = [];
  for (const img of retired) {
    if (!img.template[ATTR_DISABLE_WHEN_UNUSED] || img.state !== IMAGE_STATE.READY || img.runningVms > 0) continue;
    ids.push(img.id);
    steps.push({ kind: 'mark-retired', image: img.id, attrs: { [ATTR_DISABLE_WHEN_UNUSED]: '' } });
    steps.push({ kind: 'enable', image: img.id, enable: false, bestEffort: true });
  }
  return { steps, ids };
}
