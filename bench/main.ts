// `--render` (with or without --quick): the last run's figures (dist/bench/results*.json) written out again.
// The benchmark: start-up, rotation against its floor, same-format registration, big images from the
// disk, pool lookup, checksum throughput, XML-RPC calls and READY polls, each measured against a
// baseline in the same run.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { bigImageRoomBytes, measureBigImages } from './big-images';
import { SETTINGS } from '../src/config/settings';
import { summarizeCalls } from './calls';
import { measureChecksum, PROBE } from './checksum';
import { describeMachine } from './machine';
import { measurePool } from './pool';
import { Results, table } from './report';
import { resultsMarkdown } from './results-file';
import { convertAlone, hashAlone, hashAndConvert, measureRotations } from './rotation';
import { summarize } from './rotation-summary';
import { BUNDLE, EVENTS, NODE10, REPO, withSite } from './site';
import { measureStartup } from './startup';
import { chooseWorkDir, makeImages, makeRawDisk, sha512sum } from './workspace';

const QUICK = process.argv.indexOf('--quick') >= 0;
const SIZES = QUICK
  ? { diskMiB: 128, startupRuns: 10, rotationRuns: 1, checksumRuns: 1, pool: [100, 1000, 2000], poolRuns: 1, bigMiB: [256, 1024], bigRuns: 1 }
  : { diskMiB: 1024, startupRuns: 30, rotationRuns: 5, checksumRuns: 3, pool: [100, 1000, 10000], poolRuns: 3, bigMiB: [1024, 20480], bigRuns: 3 };
// The READY poll settings the rotations run with: the default first interval, and the longest (src/hook/deps.ts).
const POLL = { firstMs: Number(SETTINGS.filter((s) => s.key === 'VMCHNDL_ON_POLL_INTERVAL')[0].default) * 1000, maxMs: 30000 };

const log = (s: string) => process.stderr.write(`${s}\n`);

function requireTools(): void {
  for (const f of [BUNDLE, NODE10, PROBE, EVENTS]) {
    if (!fs.existsSync(f)) throw new Error(`${f} is missing (npm ci, then npm run bench builds the rest)`);
  }
  for (const [cmd, pkg] of [['qemu-img', 'qemu-utils'], ['sha512sum', 'coreutils'], ['dd', 'coreutils'], ['fincore', 'util-linux'], ['/usr/bin/time', 'time']]) {
    try {
      execFileSync(cmd, ['--version'], { stdio: 'ignore' });
    } catch {
      throw new Error(`${cmd} is required: apt-get install -y ${pkg}`);
    }
  }
}

const RAW_RESULTS = path.join(REPO, QUICK ? 'dist/bench/results-quick.json' : 'dist/bench/results.json');

function writeResults(results: Results): void {
  process.stdout.write(`\n${table(results)}\n`);
  const out = results.quick ? path.join(REPO, 'dist/bench/RESULTS-quick.md') : path.join(REPO, 'bench/RESULTS.md');
  fs.writeFileSync(out, resultsMarkdown(results));
  log(`\nwritten to ${path.relative(process.cwd(), out)}`);
}

async function main(): Promise<void> {
  if (process.argv.indexOf('--render') >= 0) {
    writeResults(JSON.parse(fs.readFileSync(RAW_RESULTS, 'utf8')) as Results);
    return;
  }
  requireTools();
  const started = Date.now();
  const loadStart = os.loadavg();
  // The disk twice (raw, qcow2), two conversions' outputs, oned's copies of three images: room for 8;
  // then each big image in turn.
  const work = chooseWorkDir(Math.max(8 * SIZES.diskMiB * 1048576, ...SIZES.bigMiB.map(bigImageRoomBytes)));
  log(`benchmark in ${work}${QUICK ? ' (quick)' : ''}`);
  const machine = describeMachine(NODE10);
  try {
    log('start-up ...');
    const startup = [measureStartup(path.join(work, 'startup'), 'node20', SIZES.startupRuns), measureStartup(path.join(work, 'startup'), 'node10', SIZES.startupRuns)];

    log(`making a ${SIZES.diskMiB} MiB disk, raw and qcow2 ...`);
    const img = makeImages(work, SIZES.diskMiB);

    log('checksum ...');
    const checksum = await measureChecksum(img.raw, img.rawSha512, SIZES.checksumRuns);

    log('rotations ...');
    const qcow2ToRaw = { file: img.qcow2, format: 'qcow2', sha512: img.qcow2Sha512, node: 'node10', runs: SIZES.rotationRuns } as const;
    const [rotationRuns, sameFormatRuns] = await withSite(path.join(work, 'site'), {}, async (site) => [
      await measureRotations(site, Object.assign({ baseline: hashAndConvert }, qcow2ToRaw)),
      await measureRotations(site, { file: img.raw, format: 'raw', sha512: img.rawSha512, baseline: hashAlone, node: 'node10', runs: SIZES.rotationRuns }),
    ]);

    log('rotations with checksum verification off ...');
    const unverifiedRuns = await withSite(path.join(work, 'unverified'), { settings: { VMCHNDL_ON_VERIFY_CHECKSUM: 'no' } }, (site) => measureRotations(site, Object.assign({ baseline: convertAlone }, qcow2ToRaw)));

    log('polls against a slow copy ...');
    const backoffRuns = await withSite(path.join(work, 'slow'), { copyDelayMs: 3000, settings: { VMCHNDL_ON_POLL_INTERVAL: '0.1' } }, (slow) => {
      const small = path.join(work, 'small.raw');
      makeRawDisk(small, 16);
      const smallQcow2 = path.join(work, 'small.qcow2');
      execFileSync('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', small, smallQcow2]);
      return measureRotations(slow, { file: smallQcow2, format: 'qcow2', sha512: sha512sum(smallQcow2), node: 'node10', runs: 1 });
    });

    log(`big images (${SIZES.bigMiB.join(', ')} MiB) from the disk ...`);
    const big = await measureBigImages(work, SIZES.bigMiB, SIZES.bigRuns, log);

    log('pool lookups ...');
    const pool = await withSite(path.join(work, 'pool'), {}, (site) => measurePool(site, SIZES.pool, SIZES.poolRuns, log));

    const results: Results = {
      machine,
      sizeMiB: img.sizeMiB,
      dataMiB: img.dataMiB,
      qcow2Bytes: fs.statSync(img.qcow2).size,
      bundleBytes: fs.statSync(BUNDLE).size,
      entryBytes: Math.max(0, fs.readFileSync(BUNDLE, 'utf8').search(/\n\/\/ ---- the command line[^\n]*\n/)),
      startup,
      checksum,
      rotation: summarize(rotationRuns),
      sameFormat: summarize(sameFormatRuns),
      unverified: summarize(unverifiedRuns),
      rotationRuns,
      sameFormatRuns,
      unverifiedRuns,
      calls: summarizeCalls(rotationRuns[0], POLL.firstMs),
      backoff: summarizeCalls(backoffRuns[0], 100),
      pool,
      big: big.results,
      bigFailed: big.failed,
      quick: QUICK,
      poll: POLL,
      load: { start: loadStart, end: os.loadavg() },
      benchMs: Date.now() - started,
    };
    // Kept first: `--render` writes RESULTS.md again from it after a change to the text alone.
    fs.writeFileSync(RAW_RESULTS, JSON.stringify(results));
    writeResults(results);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  log(e instanceof Error ? e.stack || e.message : String(e));
  process.exitCode = 1;
});
