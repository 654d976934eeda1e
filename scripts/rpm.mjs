// `npm run rpm`: the noarch binary RPM and the source RPM for SL6/EL6 and later, in dist/rpm/.
// Builds the bundle, generates the man page and the commented configuration file, packs them with
// the launcher and the docs into the source tarball, fills in the spec and runs rpmbuild with a
// private _topdir (dist/rpm-build), so nothing outside dist/ is touched and no network is needed.
// Usage: node scripts/rpm.mjs [--no-build] [--out DIR] [--verbose]
//   --no-build  use the bundle already in dist/ (tests: npm test builds it before running them)
//   --out DIR   put rpm-build/ and rpm/ under DIR instead of dist/
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseChangeLog, renderRpmChangelog } from '../rpm/gen/changelog.mjs';
import { renderCompletion } from '../rpm/gen/completion.mjs';
import { renderConfFile } from '../rpm/gen/conf-file.mjs';
import { readHelp } from '../rpm/gen/help.mjs';
import { loadSettings } from '../rpm/gen/settings.mjs';
import { renderManPage } from './man.mjs';

const NAME = 'vmcatcher_eventHndl_ON';
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DOCS = ['README.md', 'ChangeLog', 'LICENSE'];
// Shipped as they are: queue mode's systemd units (examples, next to the cron example) and the logrotate file.
const EXTRA_FILES = [`${NAME}-drain.service`, `${NAME}-drain.timer`, `${NAME}.logrotate`];

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, Object.assign({ encoding: 'utf8', cwd: REPO, stdio: opts.verbose ? 'inherit' : 'pipe' }, opts));
  if (r.error || r.status !== 0) {
    const output = [r.stdout, r.stderr].filter(Boolean).join('\n').trim();
    throw new Error(`${cmd} ${args.join(' ')} failed (${r.error ? r.error.message : `exit ${r.status}`})${output ? `:\n${output}` : ''}`);
  }
  return r.stdout || '';
}

function have(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** rpmbuild, from Debian's rpm package when it is absent and we are root (as scripts/test.sh does). */
export function ensureRpmbuild() {
  if (have('rpmbuild')) return;
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!root || !have('apt-get')) {
    throw new Error("rpmbuild is missing: install it (Debian: `apt-get install -y rpm` as root) and run `npm run rpm` again");
  }
  const env = Object.assign({}, process.env, { DEBIAN_FRONTEND: 'noninteractive' });
  run('apt-get', ['update', '-qq'], { env });
  run('apt-get', ['install', '-y', '-qq', 'rpm'], { env });
  if (!have('rpmbuild')) throw new Error('rpmbuild is still missing after `apt-get install rpm`');
}

/** Builds both RPMs into `<out>/rpm/` and returns their paths. */
export async function buildRpm({ out = path.join(REPO, 'dist'), build = true, verbose = false } = {}) {
  ensureRpmbuild();
  if (build) run('npm', ['run', 'build'], { verbose });
  const bundle = path.join(REPO, 'dist', `${NAME}.js`);
  if (!fs.existsSync(bundle)) throw new Error(`${bundle} is missing: run \`npm run build\` first`);
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
  const version = pkg.version;
  // A '-' ends the version in an RPM name; '~' would need rpmlib(TildeInVersions), which EL6 lacks.
  if (!/^[0-9][0-9A-Za-z._+]*$/.test(version)) throw new Error(`package.json version ${version} cannot be an RPM Version on EL6 (use digits, letters, . _ +)`);

  const changeLogFile = path.join(REPO, 'ChangeLog');
  const entries = fs.existsSync(changeLogFile) ? parseChangeLog(fs.readFileSync(changeLogFile, 'utf8')) : [];
  const date = entries.length ? entries.map((e) => e.date).sort().pop() : new Date().toISOString().slice(0, 10);
  const docs = DOCS.filter((f) => fs.existsSync(path.join(REPO, f)));
  for (const f of DOCS) if (docs.indexOf(f) < 0) process.stderr.write(`rpm: warning: ${f} is missing at the top of the repository; the RPM will lack it\n`);

  const top = path.join(out, 'rpm-build');
  fs.rmSync(top, { recursive: true, force: true });
  for (const d of ['BUILD', 'BUILDROOT', 'RPMS', 'SOURCES', 'SPECS', 'SRPMS', 'tree']) fs.mkdirSync(path.join(top, d), { recursive: true });
  const base = `${NAME}-${version}`;
  const tree = path.join(top, 'tree', base);
  fs.mkdirSync(tree);
  const { settings, configFile } = await loadSettings(REPO);
  const files = {
    [`${NAME}.js`]: fs.readFileSync(bundle, 'utf8'),
    [NAME]: fs.readFileSync(path.join(REPO, 'rpm', NAME), 'utf8'),
    [`${NAME}.conf`]: renderConfFile({ settings, configFile, version }),
    [`${NAME}.8`]: renderManPage({ help: readHelp(bundle), settings, configFile, version, date }),
    'vmcatcher-cron.cfg': fs.readFileSync(path.join(REPO, 'rpm/vmcatcher-cron.cfg'), 'utf8'),
    [`${NAME}.bash-completion`]: renderCompletion({ help: readHelp(bundle), stateDir: (settings.find((x) => x.key.endsWith('_STATE_DIR')) || {}).default }),
  };
  for (const f of EXTRA_FILES) files[f] = fs.readFileSync(path.join(REPO, 'rpm', f), 'utf8');
  for (const f of docs) files[f] = fs.readFileSync(path.join(REPO, f), 'utf8');
  for (const f of Object.keys(files)) fs.writeFileSync(path.join(tree, f), files[f], { mode: f === NAME ? 0o755 : 0o644 });
  const mtime = `@${Math.floor(Date.parse(`${date}T00:00:00Z`) / 1000)}`;
  run('tar', ['--sort=name', '--owner=0', '--group=0', '--numeric-owner', `--mtime=${mtime}`, '-czf', path.join(top, 'SOURCES', `${base}.tar.gz`), '-C', path.dirname(tree), base]);

  const spec = fs
    .readFileSync(path.join(REPO, 'rpm', `${NAME}.spec`), 'utf8')
    .replace('@VERSION@', version)
    .replace('@DOC_FILES@', docs.concat('vmcatcher-cron.cfg', `${NAME}-drain.service`, `${NAME}-drain.timer`).join(' '))
    .replace('@CHANGELOG@', renderRpmChangelog(entries));
  const specFile = path.join(top, 'SPECS', `${NAME}.spec`);
  fs.writeFileSync(specFile, spec);
  run('rpmbuild', ['-ba', '--define', `_topdir ${top}`, specFile], { verbose, env: Object.assign({}, process.env, { LC_ALL: 'C' }) });

  const dest = path.join(out, 'rpm');
  fs.mkdirSync(dest, { recursive: true });
  for (const f of fs.readdirSync(dest)) if (/\.rpm$/.test(f)) fs.unlinkSync(path.join(dest, f));
  const built = [path.join(top, 'RPMS', 'noarch'), path.join(top, 'SRPMS')].map((dir) => {
    const rpm = fs.readdirSync(dir).filter((f) => /\.rpm$/.test(f));
    if (rpm.length !== 1) throw new Error(`expected one RPM in ${dir}, found ${rpm.join(', ') || 'none'}`);
    fs.copyFileSync(path.join(dir, rpm[0]), path.join(dest, rpm[0]));
    return path.join(dest, rpm[0]);
  });
  return { rpm: built[0], srpm: built[1], tree };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const out = argv.indexOf('--out') >= 0 ? path.resolve(argv[argv.indexOf('--out') + 1]) : undefined;
  buildRpm({ out, build: argv.indexOf('--no-build') < 0, verbose: argv.indexOf('--verbose') >= 0 }).then(
    (r) => process.stdout.write(`${path.relative(process.cwd(), r.rpm)}\n${path.relative(process.cwd(), r.srpm)}\n`),
    (e) => {
      process.stderr.write(`rpm: ${e.message}\n`);
      process.exit(1);
    },
  );
}
