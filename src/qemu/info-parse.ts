// Reads `qemu-img info --output=json` and refuses images that would make qemu-img read other files.
import { QemuError } from '../errors';
import { ImageFileInfo } from './types';

/** Formats we convert. Others (dmg, cloop, bochs, parallels, luks, ...) are refused by name. */
export const ACCEPTED_FORMATS: readonly string[] = ['raw', 'qcow2', 'qcow', 'vmdk', 'vdi', 'vpc', 'vhdx', 'qed'];

// VMDK subformats whose data lives in the file itself; descriptor types name other files as extents.
const SELF_CONTAINED_VMDK = ['monolithicSparse', 'streamOptimized'];

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The part of qemu-img info's JSON we use, plus what we must refuse, from its stdout. */
export interface ParsedImageInfo extends ImageFileInfo {
  readonly dataFile?: string;
  readonly encrypted: boolean;
  readonly vmdkCreateType?: string;
  readonly extentFiles: readonly string[];
}

/** Parses qemu-img info's JSON output for the image `label`. */
export function parseImageInfo(stdout: string, label: string): ParsedImageInfo {
  let doc: unknown;
  try {
    doc = JSON.parse(stdout);
  } catch (err) {
    throw new QemuError(`qemu-img info on ${label} printed no JSON: ${stdout.slice(0, 200)}`, err);
  }
  if (!isObject(doc) || typeof doc.format !== 'string' || typeof doc['virtual-size'] !== 'number') {
    throw new QemuError(`qemu-img info on ${label} printed JSON without format and virtual-size`);
  }
  const specific = isObject(doc['format-specific']) && isObject(doc['format-specific'].data) ? doc['format-specific'].data : {};
  const extents = Array.isArray(specific.extents) ? specific.extents : [];
  const backing = doc['full-backing-filename'] || doc['backing-filename'];
  return {
    format: doc.format,
    virtualSize: doc['virtual-size'],
    ...(typeof doc['actual-size'] === 'number' ? { actualSize: doc['actual-size'] } : {}),
    ...(typeof backing === 'string' ? { backingFile: backing } : {}),
    ...(typeof specific['data-file'] === 'string' ? { dataFile: specific['data-file'] } : {}),
    encrypted: doc.encrypted === true,
    ...(typeof specific['create-type'] === 'string' ? { vmdkCreateType: specific['create-type'] } : {}),
    extentFiles: extents.map((e) => (isObject(e) && typeof e.filename === 'string' ? e.filename : '?')),
  };
}

/** Throws unless the image is one file of an accepted format that qemu-img can read without a secret. */
export function validateImageInfo(info: ParsedImageInfo, label: string): ImageFileInfo {
  if (info.backingFile !== undefined) {
    throw new QemuError(
      `${label} is a ${info.format} image with backing file ${JSON.stringify(info.backingFile)}: ` +
        'refused, an image must be self-contained (flatten it with qemu-img convert first)',
    );
  }
  if (info.dataFile !== undefined) {
    throw new QemuError(`${label} is a qcow2 image with external data file ${JSON.stringify(info.dataFile)}: refused`);
  }
  if (ACCEPTED_FORMATS.indexOf(info.format) < 0) {
    throw new QemuError(`${label} is a ${info.format} image: refused, accepted formats are ${ACCEPTED_FORMATS.join(', ')}`);
  }
  if (info.encrypted) {
    throw new QemuError(`${label} is an encrypted ${info.format} image: refused, we have no key for it`);
  }
  if (info.format === 'vmdk') {
    if (info.vmdkCreateType === undefined) {
      throw new QemuError(
        `${label} is a VMDK, but qemu-img did not say which kind (qemu-img before 1.7 does not): refused, ` +
          `only single-file VMDKs (${SELF_CONTAINED_VMDK.join(', ')}) are accepted and this one may name other files`,
      );
    }
    const type = info.vmdkCreateType;
    if (SELF_CONTAINED_VMDK.indexOf(type) < 0 || info.extentFiles.length !== 1) {
      throw new QemuError(
        `${label} is a VMDK of type ${type} with extents ${JSON.stringify(info.extentFiles)}: refused, ` +
          `only single-file VMDKs (${SELF_CONTAINED_VMDK.join(', ')}) are accepted`,
      );
    }
  }
  if (!(info.virtualSize > 0)) {
    throw new QemuError(`${label} is a ${info.format} image of virtual size ${info.virtualSize}: refused, it holds no disk`);
  }
  return {
    format: info.format,
    virtualSize: info.virtualSize,
    ...(info.actualSize !== undefined ? { actualSize: info.actualSize } : {}),
  };
}
