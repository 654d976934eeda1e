// Finds, among all images, the current one for an identifier and its retired predecessors.
import { ATTR_CHECKSUM, ATTR_IDENTIFIER, ATTR_RETIRED, isRetiredName } from '../attributes';
import { IMAGE_STATE, ImageRecord } from '../one/types';

export interface Selection {
  readonly current?: ImageRecord;
  /** Other images that look current too (a warning names them). */
  readonly others: readonly ImageRecord[];
  /** Retired images for this identifier, newest retirement first. */
  readonly retired: readonly ImageRecord[];
}

/** Tells whether an image was retired, by our marker or by a retired name (ours or 0.0.8's). */
export function isRetiredImage(img: ImageRecord, identifier: string, pattern: string): boolean {
  const mark = img.template[ATTR_RETIRED];
  if (mark !== undefined && mark !== '') return true;
  return isRetiredName(img.name, identifier, pattern);
}

/** When an image was retired (VMCHNDL_ON_RETIRED as a time, ms); 0 when unknown. Compared as numbers, not strings. */
export function retiredTime(img: ImageRecord): number {
  const t = Date.parse(img.template[ATTR_RETIRED] || '');
  return isNaN(t) ? 0 : t;
}

/** Images that belong to this identifier. */
export function imagesOf(images: readonly ImageRecord[], identifier: string): ImageRecord[] {
  return images.filter((i) => i.template[ATTR_IDENTIFIER] === identifier && i.state !== IMAGE_STATE.DELETE);
}

/** Picks the current image: NAME = identifier first, then the newest REGTIME, then the highest ID. */
export function selectImages(images: readonly ImageRecord[], identifier: string, pattern: string): Selection {
  const mine = imagesOf(images, identifier);
  const candidates = mine.filter((i) => !isRetiredImage(i, identifier, pattern));
  candidates.sort((a, b) => {
    const an = a.name === identifier ? 1 : 0;
    const bn = b.name === identifier ? 1 : 0;
    if (an !== bn) return bn - an;
    if (a.regtime !== b.regtime) return b.regtime - a.regtime;
    return b.id - a.id;
  });
  const retired = mine.filter((i) => isRetiredImage(i, identifier, pattern));
  retired.sort((a, b) => retiredTime(b) - retiredTime(a) || b.regtime - a.regtime || b.id - a.id);
  return { current: candidates[0], others: candidates.slice(1), retired };
}

/** Tells whether the image already holds the file the event describes. */
export function holdsSameFile(img: ImageRecord, vars: Readonly<Record<string, string>>, checksum: string | undefined): boolean {
  if (checksum) return (img.template[ATTR_CHECKSUM] || '').toLowerCase() === checksum;
  // Without a checksum, the image list's URI, version and size must all match.
  const keys = ['VMCATCHER_EVENT_HV_URI', 'VMCATCHER_EVENT_HV_VERSION', 'VMCATCHER_EVENT_HV_SIZE'];
  return keys.every((k) => vars[k] !== undefined && img.template[k] === vars[k]);
}
