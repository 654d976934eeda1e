// Lists a tar archive (an OVA) from its headers alone, refusing names and sizes that could trick us.
import { QemuError } from '../errors';
import { BLOCK, isZeroBlock, parsePaxRecords, parseTarHeader } from './tar-header';
import { OvaMember, OvaMemberType } from './types';
import { close, fstat, open, read } from '../files/fs-async';


export interface ListOptions {
  /** More members than this is a tar bomb, not an appliance (default 1000). */
  readonly maxMembers?: number;
  /** Largest GNU long name or pax header we read (default 1 MiB). */
  readonly maxMetaBytes?: number;
}

const TYPES: Record<string, OvaMemberType> = { '0': 'file', '\0': 'file', '7': 'file', '1': 'hardlink', '2': 'symlink', '5': 'directory', S: 'sparse' };
// Python's tarfile too skips no data after these: their size field means nothing.
const NO_DATA = ['1', '2', '3', '4', '5', '6'];

/** The archive-relative name, with `.` and empty segments removed; throws for absolute, `..` or control characters. */
export function validateMemberName(raw: string, at: number): string {
  if (/[\u0000-\u001f\u007f]/.test(raw)) {
    throw new QemuError(`tar member ${JSON.stringify(raw)} at byte ${at} has control characters in its name: refused`);
  }
  if (raw.charAt(0) === '/' || /^[A-Za-z]:[\\/]/.test(raw)) {
    throw new QemuError(`tar member "${raw}" at byte ${at} has an absolute name: refused`);
  }
  const parts = raw.split(/[\\/]/).filter((p) => p !== '' && p !== '.');
  if (parts.indexOf('..') >= 0) throw new QemuError(`tar member "${raw}" at byte ${at} has a ".." in its name: refused`);
  if (parts.length === 0) throw new QemuError(`tar member at byte ${at} has an empty name: refused`);
  return parts.join('/');
}

function metaText(data: Buffer, what: string, at: number): string {
  const text = data.toString('utf8').replace(/\0+$/, '');
  if (text.indexOf('\0') >= 0) throw new QemuError(`${what} at byte ${at} has a NUL inside: refused`);
  return text;
}

/** Lists the members of the tar archive at `file`, reading headers only. */
export async function listTar(file: string, opts: ListOptions = {}): Promise<OvaMember[]> {
  const maxMembers = opts.maxMembers || 1000;
  const maxMeta = opts.maxMetaBytes || 1024 * 1024;
  const fd = await open(file, 'r');
  try {
    const total = (await fstat(fd)).size;
    const members: OvaMember[] = [];
    const seen = new Set<string>();
    const block = Buffer.alloc(BLOCK);
    let pax: Record<string, string> = {};
    let longName: string | undefined;
    let longLink: string | undefined;
    let headers = 0;
    let pos = 0;
    const readAt = async (buf: Buffer, at: number): Promise<void> => {
      const { bytesRead } = await read(fd, buf, 0, buf.length, at);
      if (bytesRead !== buf.length) throw new QemuError(`${file}: tar archive truncated at byte ${at + bytesRead}`);
    };
    // An archive may end without its two zero blocks; a header cut in half is damage.
    while (pos < total) {
      await readAt(block, pos);
      if (isZeroBlock(block)) break;
      if (++headers > maxMembers * 3) throw new QemuError(`${file}: more than ${maxMembers * 3} tar headers: refused as a tar bomb`);
      const h = parseTarHeader(block, pos);
      const dataAt = pos + BLOCK;
      const isMeta = h.type === 'L' || h.type === 'K' || h.type === 'x' || h.type === 'g';
      const sizeText = !isMeta ? pax.size : undefined;
      const size = sizeText !== undefined && /^[0-9]{1,16}$/.test(sizeText) ? parseInt(sizeText, 10) : h.size;
      const hasData = NO_DATA.indexOf(h.type) < 0;
      if (hasData && (!Number.isSafeInteger(size) || dataAt + size > total)) {
        throw new QemuError(
          `${file}: tar member "${longName || h.name}" at byte ${pos} declares ${size} bytes, beyond the archive's ${total}: refused`,
        );
      }
      if (isMeta) {
        if (size > maxMeta) throw new QemuError(`${file}: tar extended header at byte ${pos} of ${size} bytes: refused`);
        const data = Buffer.alloc(size);
        await readAt(data, dataAt);
        if (h.type === 'L') longName = metaText(data, 'GNU long name', pos);
        else if (h.type === 'K') longLink = metaText(data, 'GNU long link name', pos);
        else if (h.type === 'x') pax = parsePaxRecords(data, pos);
        else parsePaxRecords(data, pos); // global records: checked, but nothing we use
      } else {
        const name = validateMemberName(pax.path !== undefined ? pax.path : longName !== undefined ? longName : h.name, pos);
        const sparse = Object.keys(pax).some((k) => k.indexOf('GNU.sparse.') === 0);
        const type: OvaMemberType = sparse ? 'sparse' : TYPES[h.type] || 'other';
        if (seen.has(name) && type !== 'directory') throw new QemuError(`${file}: tar member "${name}" appears twice: refused`);
        seen.add(name);
        const linkName = pax.linkpath !== undefined ? pax.linkpath : longLink !== undefined ? longLink : h.linkName;
        const link = type === 'symlink' || type === 'hardlink' ? { linkName } : {};
        members.push({ name, size: hasData ? size : 0, offset: dataAt, type, ...link });
        if (members.length > maxMembers) throw new QemuError(`${file}: more than ${maxMembers} tar members: refused as a tar bomb`);
        pax = {};
        longName = undefined;
        longLink = undefined;
      }
      pos = dataAt + (hasData ? Math.ceil(size / BLOCK) * BLOCK : 0);
    }
    return members;
  } finally {
    await close(fd);
  }
}
