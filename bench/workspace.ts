// Where the big files go (checked for room first) and the images the benchmark converts and hashes.
import { execFileSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const MiB = 1024 * 1024;

/** The temporary directory (os.tmpdir() or /var/tmp) with the most free space; fails when none has `needBytes`. */
export function chooseWorkDir(needBytes: number): string {
  const candidates = [os.tmpdir(), '/var/tmp'].filter((d, i, all) => all.indexOf(d) === i && fs.existsSync(d));
  const free = candidates.map((dir) => {
    const st = fs.statfsSync(dir);
    return { dir, bytes: st.bavail * st.bsize };
  });
  free.sort((a, b) => b.bytes - a.bytes);
  const best = free[0];
  if (!best || best.bytes < needBytes) {
    const have = free.map((f) => `${f.dir}: ${(f.bytes / 1073741824).toFixed(1)} GiB`).join(', ');
    throw new Error(`the benchmark needs ${(needBytes / 1073741824).toFixed(1)} GiB free in a temporary directory; have ${have}`);
  }
  return fs.mkdtempSync(path.join(best.dir, 'vmc-bench-'));
}

export interface BenchImages {
  /** Raw, `sizeMiB` long; every fourth MiB a hole, the rest incompressible data. */
  raw: string;
  rawSha512: string;
  /** The same disk as qcow2 (what vmcatcher typically caches). */
  qcow2: string;
  qcow2Sha512: string;
  sizeMiB: number;
  dataMiB: number;
}

/** sha512sum's answer for a file. */
export function sha512sum(file: string): string {
  return execFileSync('sha512sum', ['-b', file], { encoding: 'utf8' }).split(' ')[0];
}

/**
 * Writes the raw disk: like an installed OS, data with holes; data that neither compresses nor repeats.
 * `everyMiB` 4 (the default): three MiB of data in every four; 10: one in ten (a big disk mostly empty).
 */
export function makeRawDisk(file: string, sizeMiB: number, everyMiB = 4): number {
  const pool = [0, 1, 2, 3, 4, 5, 6, 7].map(() => crypto.randomBytes(MiB));
  const fd = fs.openSync(file, 'w', 0o644);
  let data = 0;
  try {
    fs.ftruncateSync(fd, sizeMiB * MiB);
    for (let i = 0; i < sizeMiB; i++) {
      if (everyMiB === 4 ? i % 4 === 3 : i % everyMiB !== 0) continue;
      const block = pool[i % pool.length];
      block.writeUInt32LE(i, 0); // no two MiBs alike
      fs.writeSync(fd, block, 0, MiB, i * MiB);
      data++;
    }
  } finally {
    fs.closeSync(fd);
  }
  return data;
}

/** Makes the raw and qcow2 disks of `sizeMiB` in `dir` and their checksums (sha512sum, the oracle). */
export function makeImages(dir: string, sizeMiB: number): BenchImages {
  const raw = path.join(dir, 'disk.raw');
  const qcow2 = path.join(dir, 'disk.qcow2');
  const dataMiB = makeRawDisk(raw, sizeMiB);
  execFileSync('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', raw, qcow2], { stdio: ['ignore', 'ignore', 'pipe'] });
  return { raw, rawSha512: sha512sum(raw), qcow2, qcow2Sha512: sha512sum(qcow2), sizeMiB, dataMiB };
}

/** Hard-links (or, across file systems, copies) `from` to `to`, replacing `to`. */
export function place(from: string, to: string): void {
  fs.rmSync(to, { force: true });
  try {
    fs.linkSync(from, to);
  } catch {
    fs.copyFileSync(from, to);
  }
}
