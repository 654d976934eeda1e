// The RPM as the tests see it: built by the script `npm run rpm` runs, queried with the real rpm,
// extracted with rpm2cpio | cpio as on a machine without the package installed.
import execa from 'execa';
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { REPO, requireBundle } from '../e2e/site';

export const NAME = 'vmcatcher_eventHndl_ON';
export const VERSION: string = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')).version;

function missingTools(tools: string[]): string[] {
  return tools.filter((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0);
}

/** Throws (never skips) when a tool the RPM tests need is missing. */
export function requireRpmTools(): void {
  const missing = missingTools(['rpmbuild', 'rpm', 'rpm2cpio', 'cpio', 'rpmspec']);
  if (missing.length) throw new Error(`missing ${missing.join(', ')}: as root, apt-get install -y rpm rpm2cpio cpio (scripts/test.sh does)`);
  requireBundle();
}

/** Throws (never skips) when the man page cannot be rendered for real. */
export function requireManTools(): void {
  const missing = missingTools(['man', 'groff']);
  if (missing.length) throw new Error(`missing ${missing.join(', ')}: as root, apt-get install -y man-db groff-base`);
}

export interface BuiltRpm {
  out: string;
  rpm: string;
  srpm: string;
}

/** Builds the RPMs into a fresh temporary directory with scripts/rpm.mjs (the bundle is already built by npm test). */
export async function buildRpm(): Promise<BuiltRpm> {
  requireRpmTools();
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'vmc-rpm-'));
  const r = await execa(process.execPath, ['scripts/rpm.mjs', '--no-build', '--out', out], { cwd: REPO, reject: false });
  if (r.exitCode !== 0) throw new Error(`scripts/rpm.mjs failed (${r.exitCode}):\n${r.stderr}\n${r.stdout}`);
  const dir = path.join(out, 'rpm');
  const files = fs.readdirSync(dir).sort();
  expectOne(files, `${NAME}-${VERSION}-1.noarch.rpm`);
  expectOne(files, `${NAME}-${VERSION}-1.src.rpm`);
  return { out, rpm: path.join(dir, `${NAME}-${VERSION}-1.noarch.rpm`), srpm: path.join(dir, `${NAME}-${VERSION}-1.src.rpm`) };
}

function expectOne(files: string[], name: string): void {
  if (files.indexOf(name) < 0) throw new Error(`expected ${name} in dist/rpm, found ${files.join(', ')}`);
}

/** `rpm -qp <args> <file>`, its standard output. */
export function rpmQuery(file: string, ...args: string[]): string {
  return execFileSync('rpm', ['-qp'].concat(args, [file]), { encoding: 'utf8', env: Object.assign({}, process.env, { LC_ALL: 'C' }) });
}

/** Lines of a query, without blanks. */
export function rpmLines(file: string, ...args: string[]): string[] {
  return rpmQuery(file, ...args)
    .split('\n')
    .filter((l) => l.trim() !== '');
}

/** Unpacks the payload into `root` as `rpm2cpio file | cpio -idm` does. */
export function extractRpm(file: string, root: string): void {
  fs.mkdirSync(root, { recursive: true });
  execFileSync('bash', ['-o', 'pipefail', '-c', 'rpm2cpio "$1" | cpio -idm --quiet', 'extract', file], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
}
