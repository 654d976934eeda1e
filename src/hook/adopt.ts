// `adopt <identifier> <image id>`: the administrator says which image is an identifier's current one;
// the handler records it, then processes the events that waited for this decision.
import { ATTR_IDENTIFIER } from '../attributes';
import { InvalidArgumentError, OneError } from '../errors';
import { lockIdentifier } from './identifier-lock';
import { bitsToOctal } from '../one/permissions';
import { IMAGE_STATE, ImageRecord } from '../one/types';
import { ensureBaseline, readRecord, writeRecord } from '../record/record';
import type { HookDeps } from './deps';
import { recoverIdentifier } from './plan-event';

export interface Adoption {
  readonly image: ImageRecord;
  /** The image recorded as current before, if any. */
  readonly previous: number | null;
  readonly already: boolean;
}

async function imageOrRefuse(deps: HookDeps, id: number): Promise<ImageRecord> {
  try {
    return await deps.one().imageInfo(id);
  } catch (e) {
    if (e instanceof OneError && e.oneClass === 'NO_EXISTS') throw new InvalidArgumentError(`adopt: there is no image ${id} in OpenNebula`);
    throw e;
  }
}

/** Records `imageId` as the current image of `identifier`, under the identifier's lock. Changes nothing in OpenNebula. */
export async function adoptImage(identifier: string, imageId: number, deps: HookDeps): Promise<Adoption> {
  const stateDir = deps.config.stateDir;
  const lock = await lockIdentifier(identifier, deps);
  try {
    // An interrupted run first ends as it must: it may be about to record its own image.
    await recoverIdentifier(identifier, deps);
    ensureBaseline(stateDir, deps.now());
    const img = await imageOrRefuse(deps, imageId);
    if (img.state === IMAGE_STATE.DELETE) throw new InvalidArgumentError(`adopt: image ${imageId} is being deleted`);
    if (img.template[ATTR_IDENTIFIER] !== identifier) {
      throw new InvalidArgumentError(
        `adopt: image ${imageId} (${JSON.stringify(img.name)}) does not carry ${ATTR_IDENTIFIER}=${identifier}${img.template[ATTR_IDENTIFIER] ? ` (it carries ${JSON.stringify(img.template[ATTR_IDENTIFIER])})` : ''}: not adopted`,
      );
    }
    const before = readRecord(stateDir, identifier);
    if (before && before.retired.some((r) => r.id === imageId)) {
      throw new InvalidArgumentError(`adopt: the handler retired image ${imageId} itself; an image comes back when the image list endorses it again`);
    }
    const previous = before && before.current ? before.current.id : null;
    if (previous === imageId) return { image: img, previous, already: true };
    writeRecord(stateDir, identifier, {
      v: 1,
      identifier,
      current: { id: imageId, how: 'adopted', at: new Date(deps.now()).toISOString() },
      retired: before ? before.retired : [],
      // Its VM template stays the identifier's.
      ...(before && before.template ? { template: before.template } : {}),
    });
    deps.log.warn(
      'adopt',
      `recorded image ${imageId} (${JSON.stringify(img.name)}, owner ${img.uname}, group ${img.gname}, mode ${bitsToOctal(img.permissions)}) as the current image of ${identifier}` +
        (previous !== null ? ` instead of image ${previous}` : '') +
        ': the next update gives the new version its owner, group, mode and state',
    );
    return { image: img, previous, already: false };
  } finally {
    lock.release();
  }
}
