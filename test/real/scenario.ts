// Builders for scenarios against a real oned: each test takes its own identifier (one oned serves a
// whole file), puts a real image into vmcatcher's cache and makes the event vmcatcher would send.
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { ImageRecord } from '../../src/one/types';
import { makeQcow2, makeRaw, sha512 } from '../helpers/images';
import { eventEnv } from '../e2e/site';
import { RealSite, realImages } from './site';

export interface RealCached {
  readonly identifier: string;
  readonly file: string;
  readonly sha512: string;
}

/** A fresh dc:identifier, so that tests sharing one oned never see each other's images. */
export function newIdentifier(): string {
  return randomUUID();
}

/** Writes a real image as vmcatcher caches it: `<cache>/<identifier>`. */
export function cacheReal(site: RealSite, identifier: string, format: 'qcow2' | 'raw', pattern: string, sizeMiB = 2): RealCached {
  const file = path.join(site.cacheDir, identifier);
  if (fs.existsSync(file)) fs.unlinkSync(file);
  if (format === 'qcow2') makeQcow2(file, sizeMiB, { pattern });
  else makeRaw(file, sizeMiB, pattern);
  return { identifier, file, sha512: sha512(file) };
}

/** AvailablePostfix for a cached image (the real dump, this identifier, its real checksum and format). */
export function availableReal(site: RealSite, img: RealCached, over: Record<string, string | undefined> = {}): Record<string, string> {
  const format = fs.readFileSync(img.file).subarray(0, 4).toString('latin1') === 'QFI\xfb' ? 'qcow2' : 'raw';
  return eventEnv(
    site,
    '03-AvailablePostfix.env',
    Object.assign(
      {
        VMCATCHER_EVENT_DC_IDENTIFIER: img.identifier,
        VMCATCHER_EVENT_FILENAME: img.identifier,
        VMCATCHER_EVENT_SL_CHECKSUM_SHA512: img.sha512,
        VMCATCHER_EVENT_HV_FORMAT: format,
        VMCATCHER_EVENT_HV_SIZE: String(fs.statSync(img.file).size),
      },
      over,
    ),
  );
}

/** ExpirePostfix for an identifier. */
export function expireReal(site: RealSite, identifier: string, over: Record<string, string | undefined> = {}): Record<string, string> {
  return eventEnv(site, '12-ExpirePostfix.env', Object.assign({ VMCATCHER_EVENT_DC_IDENTIFIER: identifier, VMCATCHER_EVENT_FILENAME: `${identifier}.2026-11-22_02-22-10` }, over));
}

/** The images named after the identifier (its current image; a test expects at most one). */
export async function currentReal(site: RealSite, identifier: string): Promise<ImageRecord[]> {
  return (await realImages(site)).filter((i) => i.name === identifier);
}

/** Every image that carries the identifier (current and retired). */
export async function imagesOfReal(site: RealSite, identifier: string): Promise<ImageRecord[]> {
  return (await realImages(site)).filter((i) => i.template.VMCATCHER_EVENT_DC_IDENTIFIER === identifier || i.name.indexOf(identifier) === 0);
}

/** What an admin does with onechown/onechmod/onedisable, through the project's client. */
export async function publishReal(site: RealSite, id: number, p: { uid?: number; gid?: number; mode?: string; disabled?: boolean }): Promise<void> {
  if (p.uid !== undefined || p.gid !== undefined) await site.one.imageChown(id, p.uid === undefined ? -1 : p.uid, p.gid === undefined ? -1 : p.gid);
  if (p.mode) {
    const bits: (0 | 1)[] = [];
    for (const ch of p.mode) {
      const d = Number(ch);
      bits.push(((d >> 2) & 1) as 0 | 1, ((d >> 1) & 1) as 0 | 1, (d & 1) as 0 | 1);
    }
    await site.one.imageChmod(id, bits);
  }
  if (p.disabled) await site.one.imageEnable(id, false);
}

/** The identifier's images in a form two runs can be compared by: ids and timestamps left out. */
export async function normalizedReal(site: RealSite, identifier: string) {
  return (await imagesOfReal(site, identifier))
    .map((i) => ({
      name: i.name === identifier ? 'current' : 'retired',
      uid: i.uid,
      gid: i.gid,
      permissions: i.permissions.join(''),
      state: i.state,
      sha512: (i.template.VMCATCHER_EVENT_SL_CHECKSUM_SHA512 || '').slice(0, 12),
      retired: Boolean(i.template.VMCHNDL_ON_RETIRED),
      from: ['UID', 'GID', 'MODE', 'STATE'].map((k) => i.template[`VMCHNDL_ON_RETIRED_FROM_${k}`] || '').join(':'),
    }))
    .sort((a, b) => (a.name + a.sha512 < b.name + b.sha512 ? -1 : 1));
}
