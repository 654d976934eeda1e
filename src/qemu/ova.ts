// OVA archives: list members, read the OVF, and get at the disk without unpacking anything else.
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { QemuError } from '../errors';
import { rangeSpec } from './source';
import { listTar, ListOptions } from './tar-list';
import { OvaMember } from './types';
import { open, pipeline, readBytes, stat, unlink } from '../files/fs-async';

export { pickOvaDisk, parseOvfFirstDiskHref } from './ova-pick';
export { validateMemberName } from './tar-list';


/** Lists the members of the OVA at `file` from its tar headers (nothing is extracted). */
export function listOva(file: string, opts: ListOptions = {}): Promise<OvaMember[]> {
  return listTar(file, opts);
}

/** The first .ovf member, if any. */
export function findOvfMember(members: readonly OvaMember[]): OvaMember | undefined {
  return members.find((m) => m.type === 'file' && /\.ovf$/i.test(m.name));
}

async function validateInArchive(file: string, member: OvaMember): Promise<void> {
  if (member.type !== 'file') throw new QemuError(`OVA member "${member.name}" is a ${member.type}, not a plain file: refused`);
  const total = (await stat(file)).size;
  if (member.offset + member.size > total) {
    throw new QemuError(`OVA member "${member.name}" ends at byte ${member.offset + member.size}, beyond ${file} (${total} bytes)`);
  }
}

/** Reads a small member (the OVF) as UTF-8 text. */
export async function readOvaMemberText(file: string, member: OvaMember, maxBytes = 4 * 1024 * 1024): Promise<string> {
  await validateInArchive(file, member);
  if (member.size > maxBytes) throw new QemuError(`OVA member "${member.name}" has ${member.size} bytes, more than ${maxBytes}: refused`);
  const buf = await readBytes(file, member.offset, member.size);
  if (buf.length !== member.size) throw new QemuError(`OVA member "${member.name}" is truncated`);
  return buf.toString('utf8');
}

/** Copies only the member's bytes into a new 0600 file of our naming in destDir; returns its path. */
export async function extractOvaDisk(file: string, member: OvaMember, destDir: string): Promise<string> {
  await validateInArchive(file, member);
  // Never the member's name: it came from the archive.
  const dest = path.join(path.resolve(destDir), `ova-disk-${crypto.randomBytes(6).toString('hex')}.img`);
  const fd = await open(dest, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o600);
  try {
    const out = fs.createWriteStream(dest, { fd, autoClose: true });
    if (member.size > 0) {
      const input = fs.createReadStream(file, { start: member.offset, end: member.offset + member.size - 1, highWaterMark: 1024 * 1024 });
      await pipeline(input, out);
    } else {
      await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
    }
    const written = (await stat(dest)).size;
    if (written !== member.size) throw new QemuError(`extracting "${member.name}" wrote ${written} of ${member.size} bytes`);
    return dest;
  } catch (err) {
    await unlink(dest).catch(() => undefined);
    throw err instanceof QemuError ? err : new QemuError(`cannot extract "${member.name}" from ${file} into ${destDir}: ${(err as Error).message}`, err);
  }
}

/** A qemu-img file name reading the member in place, as `format` (probed when omitted): no extraction needed. */
export function ovaMemberSpec(file: string, member: OvaMember, format?: string): string {
  if (member.type !== 'file') throw new QemuError(`OVA member "${member.name}" is a ${member.type}, not a plain file: refused`);
  return rangeSpec(file, { offset: member.offset, size: member.size }, format);
}
