// Chooses a retired name that oned will accept for both the old owner and the retired owner.
import { renderRetiredName } from '../attributes';
import { MAX_RETIRED_STAMP_LENGTH } from '../clock/retired-stamp';
import { InvalidEventError, OperationFailedError } from '../errors';
import { IMAGE_NAME_MAX_BYTES, imageNameProblem } from '../one/names';
import { ImageRecord } from '../one/types';

/** The longest collision suffix chooseRetiredName adds: ` 999`. */
const MAX_SUFFIX = ' 999';

/** The longest identifier (in UTF-8 bytes) whose every retired name from `pattern` fits in oned's limit. */
export function maxRetirableIdentifierBytes(pattern: string): number {
  const uses = pattern.split('{identifier}').length - 1;
  const rest = renderRetiredName(pattern, '', 'x'.repeat(MAX_RETIRED_STAMP_LENGTH)) + MAX_SUFFIX;
  return Math.floor((IMAGE_NAME_MAX_BYTES - Buffer.byteLength(rest, 'utf8')) / Math.max(1, uses));
}

/** Throws when an image registered under this identifier could never be retired (its retired name too long for oned). */
export function validateRetirableIdentifier(identifier: string, pattern: string): void {
  const max = maxRetirableIdentifierBytes(pattern);
  const bytes = Buffer.byteLength(identifier, 'utf8');
  if (bytes > max) {
    throw new InvalidEventError(
      `VMCATCHER_EVENT_DC_IDENTIFIER ${JSON.stringify(identifier)} is ${bytes} bytes long; with VMCHNDL_ON_RETIRED_NAME=${JSON.stringify(pattern)} ` +
        `at most ${max} can be retired (OpenNebula names hold ${IMAGE_NAME_MAX_BYTES} bytes; the retired name adds a timestamp of up to ` +
        `${MAX_RETIRED_STAMP_LENGTH} characters and a suffix such as "${MAX_SUFFIX}"): an image registered under it could never be retired, so it is not registered`,
    );
  }
}

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
