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

/** The images named after the identifier: the current one (a test expects at most one). */
export function currentImages(site: Site, identifier = ALPHA) {
  return site.sim.images().filter((i) => i.name === identifier);
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

/** What vmcatcher_image -l prints for the identifiers (state 3 = subscribed and in a valid list). */
export function imageListSays(state: number, ...identifiers: string[]): Record<string, string> {
  const ids = identifiers.length ? identifiers : [ALPHA];
  return { FAKE_VMCATCHER_IMAGE_LIST: ids.map((id) => `${id}\\t${state}\\t6329b498-ec58-4685-ad7d-8a427fce0ef3\\n`).join('') };
}

/** What an admin does with onechown/onechmod/onedisable, through the project's client. */
export async function publish(site: Site, id: number, p: { uid?: number; gid?: number; mode?: string; disabled?: boolean }): Promise<void> {
  const { createOneClient } = await import('../../src/one/client');
  const one = createOneClient({ endpoint: site.sim.url, session: fs.readFileSync(site.authFile, 'utf8').trim() });
  if (p.uid !== undefined || p.gid !== undefined) await one.imageChown(id, p.uid === undefined ? -1 : p.uid, p.gid === undefined ? -1 : p.gid);
  if (p.mode) {
    const bits: (0 | 1)[] = [];
    for (const ch of p.mode) {
      const d = Number(ch);
      bits.push(((d >> 2) & 1) as 0 | 1, ((d >> 1) & 1) as 0 | 1, (d & 1) as 0 | 1);
    }
    await one.imageChmod(id, bits);
  }
  if (p.disabled) await one.imageEnable(id, false);
}

/** The site's images in a form two runs can be compared by: ids and timestamps left out. */
export function normalizedImages(site: Site, identifiers: readonly string[] = [ALPHA]) {
  return site.sim
    .images()
    .map((i) => {
      const id = identifiers.filter((x) => i.name === x || i.name.indexOf(x + ' ') === 0)[0];
      return {
        name: id === undefined ? i.name : i.name === id ? `${id} (current)` : `${id} (retired)`,
        uid: i.uid,
        gid: i.gid,
        permissions: i.permissions.join(''),
        state: i.stateName,
        sha512: (i.template.VMCATCHER_EVENT_SL_CHECKSUM_SHA512 || '').slice(0, 12),
        retired: Boolean(i.template.VMCHNDL_ON_RETIRED),
        from: ['UID', 'GID', 'MODE', 'STATE'].map((k) => i.template[`VMCHNDL_ON_RETIRED_FROM_${k}`] || '').join(':'),
      };
    })
    .sort((a, b) => (a.name + a.sha512 < b.name + b.sha512 ? -1 : 1));
}
