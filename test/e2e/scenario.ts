// Builders for end-to-end scenarios: put a real image into vmcatcher's cache and make its event.
import * as fs from 'fs';
import * as path from 'path';
import { makeQcow2, makeRaw, sha512 } from '../helpers/images';
import { eventEnv, Site } from './site';

export const ALPHA = '1e2b8099-febf-444f-8078-8942ca3e5210';

export interface CachedImage {
  file: string;
  sha512: string;
}

/** Writes a real image as vmcatcher caches it: `<cache>/<identifier>`, no extension. */
export function cacheImage(site: Site, format: 'qcow2' | 'raw', pattern: string, identifier = ALPHA, sizeMiB = 2): CachedImage {
  const file = path.join(site.cacheDir, identifier);
  if (fs.existsSync(file)) fs.unlinkSync(file);
  if (format === 'qcow2') makeQcow2(file, sizeMiB, { pattern });
  else makeRaw(file, sizeMiB, pattern);
  return { file, sha512: sha512(file) };
}

/** AvailablePostfix for a cached image, from the real dump with the file's real checksum. */
export function availableEvent(site: Site, img: CachedImage, over: Record<string, string | undefined> = {}): Record<string, string> {
  return eventEnv(site, '03-AvailablePostfix.env', Object.assign({ VMCATCHER_EVENT_SL_CHECKSUM_SHA512: img.sha512 }, over));
}

/** ExpirePostfix as vmcatcher sends it before an update or on expiry. */
export function expireEvent(site: Site, over: Record<string, string | undefined> = {}): Record<string, string> {
  return eventEnv(site, '12-ExpirePostfix.env', over);
}

/** What vmcatcher_image -l prints for the identifier (state 3 = subscribed and in a valid list). */
export function imageListSays(state: number, identifier = ALPHA): Record<string, string> {
  return { FAKE_VMCATCHER_IMAGE_LIST: `${identifier}\\t${state}\\t6329b498-ec58-4685-ad7d-8a427fce0ef3\\n` };
}
