// Chooses a retired name that oned will accept for both the old owner and the retired owner.
import { renderRetiredName } from '../attributes';
import { OperationFailedError } from '../errors';
import { imageNameProblem } from '../one/names';
import { ImageRecord } from '../one/types';

/** The first free name `<pattern>`, `<pattern> 2`, `<pattern> 3`, … for the owners in `uids`. */
export function chooseRetiredName(
  pattern: string,
  identifier: string,
  stamp: string,
  image: ImageRecord,
  uids: readonly number[],
  images: readonly ImageRecord[],
): string {
  const base = renderRetiredName(pattern, identifier, stamp);
  const taken: Record<string, true> = {};
  for (const i of images) if (i.id !== image.id && uids.indexOf(i.uid) >= 0) taken[i.name] = true;
  for (let n = 1; n < 1000; n++) {
    const name = n === 1 ? base : `${base} ${n}`;
    const problem = imageNameProblem(name);
    if (problem) {
      throw new OperationFailedError(
        `the retired name ${JSON.stringify(name)} made from VMCHNDL_ON_RETIRED_NAME is not a valid OpenNebula name: ${problem}`,
      );
    }
    if (!taken[name]) return name;
  }
  throw new OperationFailedError(`no free retired name for image ${image.id} (tried ${JSON.stringify(base)} with suffixes up to 999)`);
}
