// What oned's fs datastore driver does for images: stat (the SIZE at allocate time), the
// RESTRICTED_DIRS/SAFE_DIRS rule of libfs.sh check_restricted, and the real copy into
// <BASE_PATH>/<md5 of "seconds:id"> that fs/cp performs.
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { Datastore, World } from './state';
import { getAttr } from './templates';

const QCOW2_MAGIC = Buffer.from([0x51, 0x46, 0x49, 0xfb]);

function header(p: string): Buffer {
  const fd = fs.openSync(p, 'r');
  try {
    const buf = Buffer.alloc(32);
    const n = fs.readSync(fd, buf, 0, 32, 0);
    return buf.subarray(0, n);
  } finally {
    fs.closeSync(fd);
  }
}

/** The stat driver: size in MB (qcow2: virtual size), or the driver's error text. */
export function statImage(p: string): { ok: true; sizeMb: number } | { ok: false; error: string } {
  let st: fs.Stats;
  try {
    st = fs.statSync(p);
  } catch (err) {
    // fs/stat runs `du`/`stat` on the path: a missing file is its "cannot access" line.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { ok: false, error: `cannot access '${p}' (No such file or directory)` };
    return { ok: false, error: `Cannot determine size for ${p}` };
  }
  try {
    if (!st.isFile() || st.size === 0) throw new Error('empty');
    const head = header(p);
    const bytes = head.length >= 32 && head.subarray(0, 4).equals(QCOW2_MAGIC) ? Number(head.readBigUInt64BE(24)) : st.size;
    return { ok: true, sizeMb: Math.floor((bytes + 1048575) / 1048576) };
  } catch {
    return { ok: false, error: `Cannot determine size for ${p}` };
  }
}

/** qemu-img's idea of the format of a file, as fs/cp reports it: qcow2 or raw. */
export function detectFormat(p: string): string {
  try {
    return header(p).subarray(0, 4).equals(QCOW2_MAGIC) ? 'qcow2' : 'raw';
  } catch {
    return 'raw';
  }
}

function resolved(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

/**
 * libfs.sh check_restricted: a safe dir prefix allows, else a restricted prefix refuses. oned
 * always prepends its own dirs (/var/lib/one/, /etc/one/, $HOME/): here the simulator's root.
 */
const splitDirs = (v: string | undefined): string[] => (v || '').split(/\s+/).filter(Boolean);

/** The datastore's own RESTRICTED_DIRS, as listed. */
export function restrictedDirsOf(ds: Datastore): string[] {
  return splitDirs(getAttr(ds.template, 'RESTRICTED_DIRS'));
}

export function isRestricted(w: World, ds: Datastore, src: string): boolean {
  const real = resolved(src);
  if (splitDirs(getAttr(ds.template, 'SAFE_DIRS')).some((dir) => real.startsWith(dir))) return false;
  const restricted = [`${w.root}/`, ...restrictedDirsOf(ds)];
  return restricted.some((dir) => real.startsWith(dir));
}

/** generate_image_path: BASE_PATH/md5("<epoch seconds>:<id>\n"). */
export function imagePath(ds: Datastore, id: number, nowMs: number): string {
  const hash = createHash('md5').update(`${Math.floor(nowMs / 1000)}:${id}\n`).digest('hex');
  return path.join(ds.basePath, hash);
}

/** fs/cp: copies `src` into the datastore; resolves to [SOURCE, FORMAT] or rejects with the driver's message. */
export async function copyIntoDatastore(ds: Datastore, id: number, src: string): Promise<[string, string]> {
  const dst = imagePath(ds, id, Date.now());
  try {
    await fs.promises.mkdir(ds.basePath, { recursive: true });
    await fs.promises.copyFile(src, dst);
  } catch {
    await fs.promises.rm(dst, { force: true });
    throw new Error(`Error copying ${src} to ${dst}`);
  }
  return [dst, detectFormat(dst)];
}

/** fs/mkfs: an empty (sparse) disk of `sizeMb`. */
export async function makeEmptyDisk(ds: Datastore, id: number, sizeMb: number): Promise<string> {
  const dst = imagePath(ds, id, Date.now());
  await fs.promises.mkdir(ds.basePath, { recursive: true });
  await fs.promises.writeFile(dst, '');
  await fs.promises.truncate(dst, sizeMb * 1048576);
  return dst;
}

/** Datastore capacity in MB, from the file system that holds the root. */
export function capacity(root: string): { total: number; free: number; used: number } {
  const st = fs.statfsSync(root);
  const mb = (blocks: number): number => Math.floor((blocks * st.bsize) / 1048576);
  return { total: mb(st.blocks), free: mb(st.bavail), used: mb(st.blocks - st.bfree) };
}
