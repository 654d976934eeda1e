// A failing machine around the handler: a log file that cannot be written, a state directory the hook
// cannot use, a settings typo, and setup problems only an administrator can fix (qemu-img missing, a
// staging directory of another user, vmcatcher_image missing). The bundled command runs as vmcatcher
// runs it, on a real full tmpfs, a real unwritable directory and as the real unprivileged user nobody.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ALPHA, availableEvent, cacheImage, currentImages, expireEvent, imageListSays } from '../e2e/scenario';
import { BIN, eventEnv, NodeKind, RunResult, runHook, Site, stateFiles, writeCalls } from '../e2e/site';
import { useSite } from '../e2e/use-site';
import { shQuote } from './helpers-b/raw-env';

const NODES: NodeKind[] = ['node20', 'node10'];

// The cases need root (mount, chown, setpriv), as CI runs: say so instead of skipping.
beforeAll(() => {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) throw new Error('failing-machine-a needs root (mount, chown, setpriv), as CI runs');
});

/** Runs the command as the unprivileged user nobody, as a hook whose site was set up by root. */
function runAsNobody(site: Site, env: Record<string, string>, args: readonly string[] = [], node?: NodeKind): Promise<RunResult> {
  const command = ['exec', 'setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups', BIN].concat(args).map((a, i) => (i === 0 ? a : shQuote(a))).join(' ');
  return runHook(site, env, { command, node });
}

/** Makes the site readable by nobody (the cache, the settings) while root keeps the state. */
function openSiteToOthers(site: Site): void {
  fs.chmodSync(site.root, 0o755);
  for (const dir of [path.join(site.root, 'vmcatcher'), site.cacheDir]) fs.chmodSync(dir, 0o755);
  fs.chmodSync(site.baseEnv.VMCHNDL_ON_CONFIG, 0o644);
}

function noStackTrace(stderr: string): void {
  expect(stderr).not.toMatch(/\n\s+at |\\n\s+at /);
}

describe('1. a log file that cannot be written never decides the outcome', () => {
  const getSite = useSite();
  let site: Site;
  beforeEach(() => {
    site = getSite();
  });

  for (const node of NODES) {
    it(`VMCHNDL_ON_LOG_FILE=/dev/full: the image is registered, the log goes to stderr, said once; exit 0 (${node})`, async () => {
      const img = cacheImage(site, 'qcow2', 'alpha-v1');
      const r = await runHook(site, Object.assign(availableEvent(site, img), { VMCHNDL_ON_LOG_FILE: '/dev/full' }), { node });
      expect({ code: r.code, stderr: r.stderr.slice(-2000) }).toMatchObject({ code: 0 });
      expect(r.stderr.match(/VMCHNDL_ON_LOG_FILE: cannot write to \/dev\/full \(ENOSPC/g)).toHaveLength(1);
      expect(r.stderr).toMatch(/done: /);
      expect(currentImages(site).map((i) => i.stateName)).toEqual(['READY']);
      expect(stateFiles(site, 'spool')).toEqual([]);
    });
  }

  it('a failed event with the log file unwritable still exits 2 and keeps the event (exit by the work done)', async () => {
    const img = cacheImage(site, 'qcow2', 'alpha-v1');
    site.sim.failNextCopy('Error copying image in the datastore: disk full');
    const r = await runHook(site, Object.assign(availableEvent(site, img), { VMCHNDL_ON_LOG_FILE: '/dev/full' }), { node: 'node10' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/disk full/);
    expect(stateFiles(site, 'spool')).toHaveLength(1);
  });

  it('a log file in a missing directory, and one in a directory nobody cannot write: stderr instead, exit 0', async () => {
    openSiteToOthers(site);
    const missing = path.join(site.root, 'no/such/dir/handler.log');
    const r = await runHook(site, eventEnv(site, '02-AvailablePrefix.env', { VMCHNDL_ON_LOG_FILE: missing }));
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/VMCHNDL_ON_LOG_FILE: cannot write to .*no\/such\/dir\/handler\.log \(ENOENT/);
    expect(r.stderr).toMatch(/nothing to do for this event type/);

    const closed = path.join(site.root, 'logs');
    fs.mkdirSync(closed, { mode: 0o755 });
    const n = await runAsNobody(site, eventEnv(site, '02-AvailablePrefix.env', { VMCHNDL_ON_LOG_FILE: path.join(closed, 'handler.log') }));
    expect({ code: n.code, stderr: n.stderr }).toMatchObject({ code: 0 });
    expect(n.stderr).toMatch(/cannot write to .*logs\/handler\.log \(EACCES/);
  });
});

describe('1. a log file on a full disk (a real 64 KiB tmpfs)', () => {
  const getSite = useSite();
  let mnt: string | undefined;
  afterEach(() => {
    if (mnt) execFileSync('umount', [mnt]);
    mnt = undefined;
  });

  it('the rotation is done, the lines that did not fit go to stderr; exit 0', async () => {
    const site = getSite();
    mnt = path.join(site.root, 'varlog');
    fs.mkdirSync(mnt);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt]);
    const log = path.join(mnt, 'handler.log');
    // 15 of the 16 pages taken; the log's own page nearly full (older lines): the first line is cut short.
    fs.writeFileSync(path.join(mnt, 'filler'), Buffer.alloc(60 * 1024));
    fs.writeFileSync(log, `${'older line\n'.repeat(363)}`);
    const img = cacheImage(site, 'qcow2', 'alpha-v1');
    const r = await runHook(site, Object.assign(availableEvent(site, img), { VMCHNDL_ON_LOG_FILE: log }), { node: 'node10' });
    expect({ code: r.code, stderr: r.stderr.slice(-2000) }).toMatchObject({ code: 0 });
    expect(r.stderr.match(/VMCHNDL_ON_LOG_FILE: cannot write to .*handler\.log \(ENOSPC/g)).toHaveLength(1);
    const inFile = fs.readFileSync(log, 'utf8');
    // Every line is in the file or on stderr: the outcome line included.
    expect(`${inFile}\n${r.stderr}`).toMatch(/done: /);
    expect(`${inFile}\n${r.stderr}`).toMatch(/event AvailablePostfix for/);
    expect(currentImages(site).map((i) => i.stateName)).toEqual(['READY']);
  });
});

describe('1. no code path exits 0 on an unexpected error', () => {
  const getSite = useSite();
  for (const node of NODES) {
    it(`an unhandled rejection or an uncaught exception ends the run with exit 1 and one line (${node})`, async () => {
      const site = getSite();
      for (const [name, code] of [
        ['rejection', 'Promise.reject(new Error("lost promise"));'],
        ['exception', 'setTimeout(() => { throw new Error("stray throw"); }, 0);'],
      ]) {
        const preload = path.join(site.root, `${name}.js`);
        fs.writeFileSync(preload, code);
        // The program's own handlers are set when the bundle starts: a fault scheduled before that is met by them.
        const r = await runHook(site, eventEnv(site, '02-AvailablePrefix.env', { NODE_OPTIONS: `--require ${preload}` }), { node });
        expect({ name, code: r.code }).toEqual({ name, code: 1 });
        expect(r.stderr).toMatch(/vmcatcher_eventHndl_ON: internal error \((unhandled rejection|uncaught exception)\): (lost promise|stray throw)/);
        expect(r.stderr.trim().split('\n').filter((l) => /internal error/.test(l))).toHaveLength(1);
        noStackTrace(r.stderr);
      }
    });
  }
});

describe('2. a state directory the hook cannot use is a configuration error', () => {
  const getSite = useSite();
  let site: Site;
  beforeEach(() => {
    site = getSite();
    openSiteToOthers(site);
  });

  for (const node of NODES) {
    it(`run as nobody with root's state directory: exit 3 naming the setting, path, user and fix; OpenNebula untouched (${node})`, async () => {
      fs.mkdirSync(site.stateDir, { mode: 0o750 });
      const img = cacheImage(site, 'qcow2', 'alpha-v1');
      fs.chmodSync(img.file, 0o644);
      const r = await runAsNobody(site, availableEvent(site, img), [], node);
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(new RegExp(`VMCHNDL_ON_STATE_DIR: ${site.stateDir} is not readable and writable by nobody \\(uid 65534\\) \\(EACCES`));
      expect(r.stderr).toMatch(/chown -R nobody /);
      expect(r.stderr).toMatch(new RegExp(`replay ${ALPHA}`));
      noStackTrace(r.stderr);
      expect(writeCalls(site.sim)).toEqual([]);
    });
  }

  it('a state directory whose parent does not exist (a typo): exit 3, nothing created', async () => {
    const typo = path.join(site.root, 'no-such-parent/state');
    const img = cacheImage(site, 'qcow2', 'alpha-v1');
    const r = await runHook(site, Object.assign(availableEvent(site, img), { VMCHNDL_ON_STATE_DIR: typo }));
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/VMCHNDL_ON_STATE_DIR: .*no-such-parent\/state does not exist, nor does its parent directory/);
    expect(fs.existsSync(path.dirname(typo))).toBe(false);
    expect(writeCalls(site.sim)).toEqual([]);
  });

  it('pending, status and ProcessPrefix run by a user who cannot read the state fail loudly, never "no pending events"', async () => {
    // A pending event, stored by root: oned refuses the copy.
    const img = cacheImage(site, 'qcow2', 'alpha-v1');
    site.sim.failNextCopy('Error copying image in the datastore: disk full');
    expect((await runHook(site, availableEvent(site, img))).code).toBe(2);
    expect(stateFiles(site, 'spool')).toHaveLength(1);
    fs.chmodSync(site.stateDir, 0o700);

    const pending = await runAsNobody(site, {}, ['pending']);
    expect(pending.code).toBe(3);
    expect(pending.stdout).not.toMatch(/no pending events/);
    expect(pending.stderr).toMatch(/VMCHNDL_ON_STATE_DIR: .* is not readable by nobody/);
    const status = await runAsNobody(site, {}, ['status']);
    expect(status.code).toBe(3);
    expect(status.stderr).toMatch(/VMCHNDL_ON_STATE_DIR: /);
    const prefix = await runAsNobody(site, eventEnv(site, '01-ProcessPrefix.env'));
    expect(prefix.code).toBe(3);
    expect(prefix.stderr).toMatch(/VMCHNDL_ON_STATE_DIR: .*Events kept there cannot be retried until then/);
    for (const r of [pending, status, prefix]) noStackTrace(r.stderr);
    // Root still sees it.
    const asRoot = await runHook(site, {}, { args: ['pending'] });
    expect(asRoot.code).toBe(0);
    expect(asRoot.stdout).toMatch(new RegExp(`${ALPHA}\\s+AvailablePostfix`));
  });
});

describe('6. a settings-file typo keeps the event until the file is fixed', () => {
  const getSite = useSite();
  let site: Site;
  let conf: string;
  beforeEach(() => {
    site = getSite();
    conf = site.baseEnv.VMCHNDL_ON_CONFIG;
  });

  for (const node of NODES) {
    it(`VMCHNDL_ON_READY_TIMEOUT=4h: exit 3 naming the key, the event spooled; processed at the next ProcessPrefix once fixed (${node})`, async () => {
      fs.writeFileSync(conf, '# settings\nVMCHNDL_ON_READY_TIMEOUT=4h\n');
      const img = cacheImage(site, 'qcow2', 'alpha-v1');
      const r = await runHook(site, availableEvent(site, img), { node });
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/VMCHNDL_ON_READY_TIMEOUT: expected a positive number of seconds \(found "4h"\)/);
      expect(r.stderr).toMatch(/kept in .*spool and will be processed once the configuration is fixed/);
      expect(stateFiles(site, 'spool')).toHaveLength(1);
      expect(writeCalls(site.sim)).toEqual([]);

      // Still broken at the next vmcatcher run: kept, exit 3.
      expect((await runHook(site, eventEnv(site, '01-ProcessPrefix.env'), { node })).code).toBe(3);
      expect(stateFiles(site, 'spool')).toHaveLength(1);

      fs.writeFileSync(conf, '# settings\nVMCHNDL_ON_READY_TIMEOUT=4 # hours would be 14400\n');
      const fixed = await runHook(site, eventEnv(site, '01-ProcessPrefix.env'), { node });
      expect({ code: fixed.code, stderr: fixed.stderr.slice(-2000) }).toMatchObject({ code: 0 });
      expect(currentImages(site).map((i) => i.stateName)).toEqual(['READY']);
      expect(stateFiles(site, 'spool')).toEqual([]);
    });
  }

  it('an ExpirePostfix is kept too, and `retry` processes it once the file is fixed', async () => {
    const id = site.sim.addImage({ name: ALPHA, template: { VMCATCHER_EVENT_DC_IDENTIFIER: ALPHA, VMCATCHER_EVENT_SL_CHECKSUM_SHA512: '0'.repeat(128) } });
    fs.writeFileSync(conf, 'VMCHNDL_ON_RETIRED_OWNER=oneadmin\nVMCHNDL_ON_LOCK_TIMOUT=60\n');
    const r = await runHook(site, Object.assign(expireEvent(site), imageListSays(0)));
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/VMCHNDL_ON_LOCK_TIMOUT: unknown setting/);
    expect(stateFiles(site, 'spool')).toHaveLength(1);
    fs.writeFileSync(conf, 'VMCHNDL_ON_RETIRED_OWNER=oneadmin\n');
    const retried = await runHook(site, imageListSays(0), { args: ['retry'] });
    expect({ code: retried.code, stderr: retried.stderr.slice(-2000) }).toMatchObject({ code: 0 });
    expect(site.sim.images().filter((i) => i.id === id)[0].template.VMCHNDL_ON_RETIRED).toBeTruthy();
    expect(stateFiles(site, 'spool')).toEqual([]);
  });

  it('" 700" is refused when the settings are read, not at chmod after the new image became current', async () => {
    site.sim.addImage({ name: ALPHA, template: { VMCATCHER_EVENT_DC_IDENTIFIER: ALPHA, VMCATCHER_EVENT_SL_CHECKSUM_SHA512: '0'.repeat(128) } });
    fs.writeFileSync(conf, 'VMCHNDL_ON_RETIRED_MODE=" 700"\n');
    const img = cacheImage(site, 'qcow2', 'alpha-v2');
    const r = await runHook(site, availableEvent(site, img));
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/VMCHNDL_ON_RETIRED_MODE: expected three octal digits, e.g. 600 \(found " 700"\)/);
    expect(writeCalls(site.sim)).toEqual([]);
    expect(stateFiles(site, 'spool')).toHaveLength(1);
  });

  it('`KEY=value # comment` means value, as in /etc/sysconfig/vmcatcher read by sh', async () => {
    fs.writeFileSync(conf, 'VMCHNDL_ON_NEW_MODE=640 # the admin publishes\nVMCHNDL_ON_DATASTORE=default\t# by name\nexport VMCHNDL_ON_FORMAT="raw" # as 0.0.8\n');
    const img = cacheImage(site, 'qcow2', 'alpha-v1');
    const r = await runHook(site, availableEvent(site, img));
    expect({ code: r.code, stderr: r.stderr.slice(-2000) }).toMatchObject({ code: 0 });
    expect(currentImages(site).map((i) => i.permissions.join(''))).toEqual(['110100000']);
  });
});

describe('12. setup problems only an administrator can fix: exit 3, the event kept, the setting named', () => {
  const getSite = useSite();
  let site: Site;
  beforeEach(() => {
    site = getSite();
  });

  for (const node of NODES) {
    it(`qemu-img missing (a path, then a name not in PATH): found at spawn, exit 3 naming VMCHNDL_ON_QEMU_IMG; fixed, the next run registers it (${node})`, async () => {
      const img = cacheImage(site, 'qcow2', 'alpha-v1');
      const started = Date.now();
      const byPath = await runHook(site, Object.assign(availableEvent(site, img), { VMCHNDL_ON_QEMU_IMG: '/nonexistent/qemu-img' }), { node });
      // Not a speed target: the run must not wait for the 30 s version-check timer of a program that never started.
      expect(Date.now() - started).toBeLessThan(15000);
      expect(byPath.code).toBe(3);
      expect(byPath.stderr).toMatch(/VMCHNDL_ON_QEMU_IMG: \/nonexistent\/qemu-img not found: install it .*name the qemu-img program in VMCHNDL_ON_QEMU_IMG/);
      expect(byPath.stderr).not.toMatch(/took longer than/);
      const byName = await runHook(site, Object.assign(availableEvent(site, img), { VMCHNDL_ON_QEMU_IMG: 'qemu-img-not-installed' }), { node });
      expect(byName.code).toBe(3);
      expect(byName.stderr).toMatch(/VMCHNDL_ON_QEMU_IMG: qemu-img-not-installed not found in PATH \(/);
      expect(writeCalls(site.sim)).toEqual([]);
      expect(stateFiles(site, 'spool')).toHaveLength(1);

      const fixed = await runHook(site, eventEnv(site, '17-ProcessPostfix.env'), { node });
      expect({ code: fixed.code, stderr: fixed.stderr.slice(-2000) }).toMatchObject({ code: 0 });
      expect(currentImages(site).map((i) => i.stateName)).toEqual(['READY']);
    });
  }

  it('a staging directory owned by another user: exit 3 naming VMCHNDL_ON_STAGING_DIR, nothing changed, the event kept', async () => {
    site.sim.addImage({ name: ALPHA, template: { VMCATCHER_EVENT_DC_IDENTIFIER: ALPHA, VMCATCHER_EVENT_SL_CHECKSUM_SHA512: '0'.repeat(128) } });
    fs.mkdirSync(site.stagingDir, { mode: 0o700 });
    fs.chownSync(site.stagingDir, 65534, 65534);
    const img = cacheImage(site, 'qcow2', 'alpha-v2');
    const r = await runHook(site, availableEvent(site, img));
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(new RegExp(`VMCHNDL_ON_STAGING_DIR: staging directory ${site.stagingDir} belongs to uid 65534, not to root \\(uid 0\\).*chown root`));
    expect(writeCalls(site.sim)).toEqual([]);
    expect(stateFiles(site, 'spool')).toHaveLength(1);
    expect(stateFiles(site, 'journal')).toEqual([]);
  });

  it('a staging directory nobody cannot write (run as nobody): exit 3 naming VMCHNDL_ON_STAGING_DIR', async () => {
    openSiteToOthers(site);
    for (const d of [site.stateDir, site.stagingDir]) {
      fs.mkdirSync(d, { mode: 0o700 });
      fs.chownSync(d, 65534, 65534);
    }
    fs.chmodSync(site.stagingDir, 0o500);
    fs.chmodSync(site.authFile, 0o644);
    const img = cacheImage(site, 'qcow2', 'alpha-v1');
    fs.chmodSync(img.file, 0o644);
    const r = await runAsNobody(site, availableEvent(site, img));
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/VMCHNDL_ON_STAGING_DIR: staging directory .* is not writable by nobody \(EACCES, mode 500\): run chmod 700/);
    expect(writeCalls(site.sim)).toEqual([]);
    expect(stateFiles(site, 'spool')).toHaveLength(1);
  });

  it('vmcatcher_image missing at an expiry: exit 3 naming VMCHNDL_ON_VMCATCHER_IMAGE, the image and the event kept', async () => {
    const id = site.sim.addImage({ name: ALPHA, template: { VMCATCHER_EVENT_DC_IDENTIFIER: ALPHA, VMCATCHER_EVENT_SL_CHECKSUM_SHA512: '0'.repeat(128) } });
    const started = Date.now();
    const r = await runHook(site, Object.assign(expireEvent(site), imageListSays(0), { VMCHNDL_ON_VMCATCHER_IMAGE: '/opt/vmcatcher/bin/vmcatcher_image' }));
    // Not a speed target: the run must not wait for the 300 s timer of a program that never started.
    expect(Date.now() - started).toBeLessThan(15000);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/VMCHNDL_ON_VMCATCHER_IMAGE: \/opt\/vmcatcher\/bin\/vmcatcher_image not found/);
    expect(writeCalls(site.sim)).toEqual([]);
    expect(site.sim.images().filter((i) => i.id === id)[0].name).toBe(ALPHA);
    expect(stateFiles(site, 'spool')).toHaveLength(1);
  });
});
