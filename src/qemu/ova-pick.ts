// Which member of an OVA is the disk to convert: the OVF's first disk, else *disk1.*, else the first disk-like file.
import * as path from 'path';
import { XMLParser } from 'fast-xml-parser';
import { QemuError } from '../errors';
import { OvaMember } from './types';

type Node = Record<string, unknown>;

// Depth-first, document order within each tag name: enough for References/File and DiskSection/Disk.
function collect(node: unknown, tag: string, out: Node[]): Node[] {
  if (Array.isArray(node)) {
    node.forEach((n) => collect(n, tag, out));
  } else if (typeof node === 'object' && node !== null) {
    Object.keys(node).forEach((key) => {
      const child = (node as Node)[key];
      if (key === tag) (Array.isArray(child) ? child : [child]).forEach((c) => typeof c === 'object' && c !== null && out.push(c as Node));
      collect(child, tag, out);
    });
  }
  return out;
}

function xmlText(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  // Entities are not expanded by the parser (no entity bombs), so undo the five predefined ones here.
  return value.replace(/&(lt|gt|quot|apos|amp);/g, (_m, e: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' } as Record<string, string>)[e]);
}

/** The href (relative to the OVF) of the file behind the OVF's first Disk, or undefined when the OVF names no disk. */
export function parseOvfFirstDiskHref(ovfText: string): string | undefined {
  let doc: unknown;
  try {
    const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', removeNSPrefix: true, processEntities: false });
    doc = parser.parse(ovfText, true);
  } catch (err) {
    throw new QemuError(`the OVA's OVF descriptor is not valid XML: ${(err as Error).message}`, err);
  }
  const disk = collect(doc, 'Disk', []).find((d) => xmlText(d.fileRef) !== undefined);
  if (!disk) return undefined;
  const fileRef = xmlText(disk.fileRef);
  const file = collect(doc, 'File', []).find((f) => xmlText(f.id) === fileRef);
  const href = file && xmlText(file.href);
  if (!href) throw new QemuError(`the OVF's first disk refers to file id "${fileRef}", which its References section does not list`);
  return href;
}

function validateDisk(member: OvaMember, why: string): OvaMember {
  if (member.type !== 'file') {
    const target = member.linkName !== undefined ? ` to "${member.linkName}"` : '';
    throw new QemuError(`OVA member "${member.name}" (${why}) is a ${member.type}${target}, not a plain file: refused`);
  }
  if (member.size === 0) throw new QemuError(`OVA member "${member.name}" (${why}) is empty`);
  return member;
}

const DISK_EXTENSIONS = /\.(vmdk|qcow2?|img|raw|vdi|vhdx?)$/i;
const NOT_DISKS = /\.(ovf|mf|cert)$/i;

/** Chooses the disk member of an OVA; pass the .ovf member's text when there is one. */
export function pickOvaDisk(members: readonly OvaMember[], ovfText?: string): OvaMember {
  const href = ovfText !== undefined ? parseOvfFirstDiskHref(ovfText) : undefined;
  if (href !== undefined) {
    if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(href)) {
      throw new QemuError(`the OVF's first disk is "${href}", outside the OVA: refused`);
    }
    // hrefs are relative to the descriptor, which may sit in a directory of the archive.
    const ovf = members.find((m) => m.type === 'file' && /\.ovf$/i.test(m.name));
    const dir = ovf ? path.posix.dirname(ovf.name) : '.';
    const candidates = [href];
    try {
      candidates.push(decodeURIComponent(href));
    } catch (_err) {
      // not percent-encoded after all: the literal href is the only candidate
    }
    const wanted = candidates.map((h) => path.posix.normalize(path.posix.join(dir, h)));
    const found = members.find((m) => wanted.indexOf(m.name) >= 0);
    if (!found) throw new QemuError(`the OVF's first disk is "${href}", which the OVA does not contain`);
    return validateDisk(found, 'the OVF\'s first disk');
  }
  const byName = members.find((m) => /disk1\.[^/]+$/.test(m.name) && !NOT_DISKS.test(m.name));
  if (byName) return validateDisk(byName, 'named *disk1.*');
  const byExtension = members.find((m) => DISK_EXTENSIONS.test(m.name));
  if (byExtension) return validateDisk(byExtension, 'the first disk-like name');
  throw new QemuError(`the OVA has no disk: no OVF disk, no *disk1.* member and no .vmdk/.qcow2/.img/.raw member among ${members.length}`);
}
