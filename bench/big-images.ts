// Big images: disks of growing virtual size, a tenth of it incompressible data, cached as qcow2 and
// as raw (sparse), read from the disk (dropped from the page cache before each timed run). Each
// rotation is timed against its floor, run on the same file alongside: sha512sum and qemu-img convert
// started together for qcow2 → raw, sha512sum alone for raw → raw (oned copies the file itself).
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { hashAlone, hashAndConvert, measureRotations, RotationRun } from './rotation';
import { RotationSummary, summarize } from './rotation-summary';
import { withSite } from './site';
import { makeRawDisk, sha512sum } from './workspace';

export interface BigImageResult {
  virtualMiB: number;
  dataMiB: number;
  qcow2Bytes: number;
  qcow2: RotationSummary;
  raw: RotationSummary;
  qcow2Runs: RotationRun[];
  rawRuns: RotationRun[];
}

/** The disk room the big images of `virtualMiB` need: the raw, qcow2, converted and baseline data, and oned's copy (the simulator does not keep holes). */
export function bigImageRoomBytes(virtualMiB: number): number {
  return (virtualMiB + 6 * Math.ceil(virtualMiB / 10) + 256) * 1048576;
}

export interface BigImagesOutcome {
  results: BigImageResult[];
  /** Sizes that could not be measured, and why (the rest of the benchmark is still written). */
  failed: Array<{ virtualMiB: number; error: string }>;
}

/** Rotates a qcow2 and a raw disk of each size `runs` times, each against its floor; removes each size's files after it. */
export async function measureBigImages(work: string, sizesMiB: readonly number[], runs: number, log: (s: string) => void): Promise<BigImagesOutcome> {
  const out: BigImageResult[] = [];
  const failed: BigImagesOutcome['failed'] = [];
  for (const virtualMiB of sizesMiB) {
    const dir = path.join(work, `big-${virtualMiB}`);
    fs.mkdirSync(dir, { recursive: true });
    try {
      log(`  ${virtualMiB} MiB: making the disks ...`);
      const raw = path.join(dir, 'disk.raw');
      const qcow2 = path.join(dir, 'disk.qcow2');
      const dataMiB = makeRawDisk(raw, virtualMiB, 10);
      execFileSync('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', raw, qcow2], { stdio: ['ignore', 'ignore', 'pipe'] });
      const common = { node: 'node10', runs, cold: true, freeCopies: true } as const;
      const [qcow2Runs, rawRuns] = await withSite(path.join(dir, 'site'), {}, async (site) => {
        log(`  ${virtualMiB} MiB: qcow2 → raw ...`);
        const q = await measureRotations(site, Object.assign({ file: qcow2, format: 'qcow2', sha512: sha512sum(qcow2), baseline: hashAndConvert } as const, common));
        log(`  ${virtualMiB} MiB: raw → raw ...`);
        const r = await measureRotations(site, Object.assign({ file: raw, format: 'raw', sha512: sha512sum(raw), baseline: hashAlone } as const, common));
        return [q, r];
      });
      const result = { virtualMiB, dataMiB, qcow2Bytes: fs.statSync(qcow2).size, qcow2: summarize(qcow2Runs), raw: summarize(rawRuns), qcow2Runs, rawRuns };
      log(
        `  ${virtualMiB} MiB: qcow2 ours ${result.qcow2.oursMs.toFixed(0)} ms / floor ${result.qcow2.baselineMs.toFixed(0)} ms; ` +
          `raw ours ${result.raw.oursMs.toFixed(0)} ms / floor ${result.raw.baselineMs.toFixed(0)} ms; hook RSS ${result.qcow2.peakKiB} / ${result.raw.peakKiB} KiB`,
      );
      out.push(result);
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      log(`  ${virtualMiB} MiB failed: ${error}`);
      failed.push({ virtualMiB, error: error.split('\n')[0] });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  return { results: out, failed };
}
