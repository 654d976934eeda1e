// Real image files for tests: raw, qcow2, vmdk made by the real qemu-img; tar/OVA bytes written by hand.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll } from 'vitest';

const INSTALL_HINT = 'apt-get install -y qemu-utils';

/** Throws (never skips) when qemu-img is not installed. */
export function requireQemuImg(bin = 'qemu-img'): void {
  const res = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  if (res.error || res.status !== 0) {
    throw new Error(`${bin} is required by these tests and was not found or failed: ${INSTALL_HINT}`);
  }
}

function qemuImg(args: string[]): string {
  requireQemuImg();
  return execFileSync('qemu-img', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * A temporary directory for a whole test file, removed after it; returns `at(name)`, a path in it
 * (`at()` is the directory). With qemuImg, a missing qemu-img fails the file at once.
 */
export function useTempDir(opts: { qemuImg?: boolean } = {}): (name?: string) => string {
  let dir = '';
  beforeAll(() => {
    if (opts.qemuImg) requireQemuImg();
    dir = tempDir();
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  return (name = '') => path.join(dir, name);
}

/** A fresh temporary directory; remove it with fs.rmSync(dir, { recursive: true, force: true }). */
export function tempDir(prefix = 'vmc-img-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * Writes a raw image of sizeMiB MiB: 64 KiB of `pattern` (repeated) at the start of every MiB, zeros
 * elsewhere, so images differ by pattern and conversions have both data and holes.
 */
export function makeRaw(file: string, sizeMiB: number, pattern = 'vmcatcher-test-pattern'): string {
  const mib = 1024 * 1024;
  const fd = fs.openSync(file, 'w', 0o644);
  try {
    fs.ftruncateSync(fd, sizeMiB * mib);
    const chunk = Buffer.alloc(64 * 1024, pattern);
    for (let i = 0; i < sizeMiB; i++) fs.writeSync(fd, chunk, 0, chunk.length, i * mib);
  } finally {
    fs.closeSync(fd);
  }
  return file;
}

function viaRaw(file: string, sizeMiB: number, pattern: string | undefined, convertArgs: string[]): string {
  const dir = tempDir();
  try {
    const raw = makeRaw(path.join(dir, 'src.raw'), sizeMiB, pattern);
    // Absolute, so that test names like '-f' or 'json:...' stay file names.
    qemuImg(['convert', '-f', 'raw', ...convertArgs, raw, path.resolve(file)]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return file;
}

/** A real qcow2 image holding makeRaw's content. */
export function makeQcow2(file: string, sizeMiB = 4, opts: { pattern?: string } = {}): string {
  return viaRaw(file, sizeMiB, opts.pattern, ['-O', 'qcow2']);
}

/** A real VMDK (streamOptimized by default, as in OVAs) holding makeRaw's content. */
export function makeVmdk(
  file: string,
  sizeMiB = 4,
  opts: { pattern?: string; subformat?: 'streamOptimized' | 'monolithicSparse' | 'monolithicFlat' } = {},
): string {
  return viaRaw(file, sizeMiB, opts.pattern, ['-O', 'vmdk', '-o', `subformat=${opts.subformat || 'streamOptimized'}`]);
}

/** True when qemu-img compare finds both images hold the same guest-visible content. */
export function sameImageContent(a: string, b: string): boolean {
  requireQemuImg();
  return spawnSync('qemu-img', ['compare', '-q', path.resolve(a), path.resolve(b)]).status === 0;
}

/** sha512sum's answer for the file (the oracle for our checksum code). */
export function sha512(file: string): string {
  return execFileSync('sha512sum', ['-b', file], { encoding: 'utf8' }).split(' ')[0];
}

export interface TarEntry {
  readonly name: string;
  /** Tar typeflag: '0' file (default), '1' hard link, '2' symlink, '5' directory, 'x' pax, 'L' GNU long name, ... */
  readonly type?: string;
  readonly data?: Buffer;
  /** Take the data from this file instead. */
  readonly file?: string;
  /** Size written in the header when it must lie about the data (tar bombs). */
  readonly declaredSize?: number;
  readonly linkName?: string;
  /** Write the size as GNU base-256 even when octal would fit. */
  readonly base256Size?: boolean;
  /** Write the header without a valid checksum. */
  readonly badChecksum?: boolean;
}

/** One 512-byte ustar header, with whatever the test wants in it. */
export function tarHeader(e: TarEntry, size: number): Buffer {
  const h = Buffer.alloc(512);
  h.write(e.name, 0, 100, 'utf8');
  h.write('0000644\0', 100, 'latin1');
  h.write('0000000\0', 108, 'latin1');
  h.write('0000000\0', 116, 'latin1');
  if (e.base256Size || size >= 8 ** 11) {
    h[124] = 0x80;
    let v = BigInt(size);
    for (let i = 135; i > 124; i--) {
      h[i] = Number(v % BigInt(256));
      v /= BigInt(256);
    }
  } else {
    h.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  }
  h.write('00000000000\0', 136, 'latin1');
  h.write(e.type ?? '0', 156, 'latin1');
  if (e.linkName) h.write(e.linkName, 157, 100, 'utf8');
  h.write('ustar\0', 257, 'latin1');
  h.write('00', 263, 'latin1');
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${(e.badChecksum ? sum + 1 : sum).toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return h;
}

/** A pax extended header entry ('x') carrying these records, to put before the entry it describes. */
export function paxEntry(records: Record<string, string>): TarEntry {
  const lines = Object.entries(records).map(([k, v]) => {
    const body = ` ${k}=${v}\n`;
    let len = Buffer.byteLength(body) + 1;
    while (String(len).length + Buffer.byteLength(body) !== len) len = String(len).length + Buffer.byteLength(body);
    return `${len}${body}`;
  });
  return { name: 'PaxHeaders/x', type: 'x', data: Buffer.from(lines.join(''), 'utf8') };
}

/** Writes a tar archive of these entries, ending with two zero blocks unless told otherwise. */
export function writeTar(file: string, entries: readonly TarEntry[], opts: { endMarker?: boolean } = {}): string {
  const fd = fs.openSync(file, 'w', 0o644);
  try {
    for (const e of entries) {
      const data = e.file ? fs.readFileSync(e.file) : e.data ?? Buffer.alloc(0);
      fs.writeSync(fd, tarHeader(e, e.declaredSize ?? data.length));
      fs.writeSync(fd, data);
      const pad = (512 - (data.length % 512)) % 512;
      if (pad) fs.writeSync(fd, Buffer.alloc(pad));
    }
    if (opts.endMarker !== false) fs.writeSync(fd, Buffer.alloc(1024));
  } finally {
    fs.closeSync(fd);
  }
  return file;
}

/** An OVF descriptor whose DiskSection names these files, first disk first. */
export function ovfText(diskHrefs: readonly string[]): string {
  const files = diskHrefs.map((h, i) => `    <File ovf:href="${h}" ovf:id="file${i + 1}"/>`).join('\n');
  const disks = diskHrefs
    .map((_h, i) => `    <Disk ovf:capacity="4194304" ovf:diskId="vmdisk${i + 1}" ovf:fileRef="file${i + 1}" ovf:format="http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized"/>`)
    .join('\n');
  return `<?xml version="1.0"?>
<Envelope ovf:version="1.0" xml:lang="en-US" xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1">
  <References>
${files}
  </References>
  <DiskSection>
    <Info>List of the virtual disks used in the package</Info>
${disks}
  </DiskSection>
  <VirtualSystem ovf:id="test"><Info>A test appliance</Info></VirtualSystem>
</Envelope>
`;
}

export interface OvaSpec {
  readonly diskFormat: 'vmdk' | 'qcow2';
  /** Name of the disk member (default appliance-disk1.<format>). */
  readonly diskName?: string;
  readonly sizeMiB?: number;
  readonly pattern?: string;
  /** The OVF text; false for an OVA without descriptor; default names the disk. */
  readonly ovf?: string | false;
  /** Entries written after the OVF and before the disk. */
  readonly extraMembers?: readonly TarEntry[];
  /** Entries written first, before anything legitimate (../x, /etc/x, symlinks...). */
  readonly hostileMembers?: readonly TarEntry[];
}

/** Writes a real OVA (tar: OVF, then a real disk) and returns its disk's source image (next to it), for comparing. */
export function makeOva(file: string, spec: OvaSpec): { ova: string; diskName: string; diskImage: string } {
  const diskName = spec.diskName ?? `appliance-disk1.${spec.diskFormat}`;
  // Kept next to the OVA, so the test's temporary directory holds (and removes) everything.
  const diskImage = `${file}.disk.${spec.diskFormat}`;
  if (spec.diskFormat === 'vmdk') makeVmdk(diskImage, spec.sizeMiB ?? 4, { pattern: spec.pattern });
  else makeQcow2(diskImage, spec.sizeMiB ?? 4, { pattern: spec.pattern });
  const ovf = spec.ovf === undefined ? ovfText([diskName]) : spec.ovf;
  const entries: TarEntry[] = [
    ...(spec.hostileMembers ?? []),
    ...(ovf === false ? [] : [{ name: 'appliance.ovf', data: Buffer.from(ovf, 'utf8') }]),
    ...(spec.extraMembers ?? []),
    { name: diskName, file: diskImage },
  ];
  writeTar(file, entries);
  return { ova: file, diskName, diskImage };
}
