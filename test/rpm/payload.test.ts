// The installed payload runs on Node 10 (the SL6 runtime): the RPM unpacked with rpm2cpio | cpio into
// a temporary root, its own launcher and bundle run by /bin/sh -c as vmcatcher does, against the
// oned simulator with real images and the real qemu-img.
import * as fs from 'fs';
import * as path from 'path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { requireQemuImg, sameImageContent } from '../helpers/images';
import { ALPHA, availableEvent, cacheImage, expireEvent, imageListSays } from '../e2e/scenario';
import { eventEnv, makeSite, runHook, Site, writeCalls } from '../e2e/site';
import { buildRpm, BuiltRpm, extractRpm, NAME, VERSION } from './rpm-tools';

const RETIRED_NAME = new RegExp(`^${ALPHA} \\d{4}-\\d{2}-\\d{2}_\\d{2}-\\d{2}-\\d{2}_\\+0[12]00-CES?T$`);

let built: BuiltRpm;
let root: string;
let launcher: string;
beforeAll(async () => {
  requireQemuImg();
  built = await buildRpm();
  root = path.join(built.out, 'root');
  extractRpm(built.rpm, root);
  launcher = path.join(root, 'usr/bin', NAME);
});
afterAll(() => {
  if (built) fs.rmSync(built.out, { recursive: true, force: true });
});

describe('the unpacked RPM under Node 10', () => {
  let site: Site;
  beforeEach(async () => {
    site = await makeSite();
  });
  afterEach(async () => {
    await site.close();
  });
  // The shipped configuration file, all commented out, is the one in force.
  const hook = (env: Record<string, string>, command = `'${launcher}'`) =>
    runHook(site, Object.assign({ VMCHNDL_ON_CONFIG: path.join(root, 'etc', `${NAME}.conf`) }, env), { node: 'node10', command });
  const current = () => site.sim.images().filter((i) => i.name === ALPHA);

  it('runs its launcher with Node 10 from PATH, as cron would find it', async () => {
    expect((await hook({}, 'node --version')).stdout).toBe('v10.24.1');
    expect(fs.statSync(launcher).mode & 0o777).toBe(0o755);
    const r = await hook({}, `'${launcher}' --version`);
    expect(r).toEqual({ code: 0, stdout: VERSION, stderr: '' });
  });

  it('registers a first image: converted to raw, private, READY', async () => {
    const img = cacheImage(site, 'qcow2', 'alpha-v1');
    const r = await hook(availableEvent(site, img));
    expect(r.code).toBe(0);
    const [im] = current();
    expect(im.stateName).toBe('READY');
    expect(im.permissions).toEqual([1, 1, 0, 0, 0, 0, 0, 0, 0]);
    expect(im.template.VMCATCHER_EVENT_SL_CHECKSUM_SHA512).toBe(img.sha512);
    expect(sameImageContent(im.source, img.file)).toBe(true);
  });

  it('rotates an updated image: the new one current, the old one retired', async () => {
    const v1 = cacheImage(site, 'qcow2', 'alpha-v1');
    expect((await hook(availableEvent(site, v1))).code).toBe(0);
    const oldId = current()[0].id;
    expect((await hook(Object.assign(expireEvent(site), imageListSays(3)))).code).toBe(0);
    const v2 = cacheImage(site, 'qcow2', 'alpha-v2');
    const r = await hook(availableEvent(site, v2, { VMCATCHER_EVENT_HV_VERSION: '2.0' }));
    expect(r.code).toBe(0);
    const [now] = current();
    expect(now.id).not.toBe(oldId);
    expect(sameImageContent(now.source, v2.file)).toBe(true);
    expect(site.sim.image(oldId)!.name).toMatch(RETIRED_NAME);
  });

  it('ignores an event it has nothing to do for, without calling oned', async () => {
    const r = await hook(eventEnv(site, '01-ProcessPrefix.env'));
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/event ProcessPrefix.*nothing to do/);
    expect(writeCalls(site.sim)).toEqual([]);
    expect(site.sim.calls).toEqual([]);
  });

  it('runs through a symlink to the launcher (its real path finds the bundle)', async () => {
    const link = path.join(site.root, 'vmcatcher_eventHndl_ON');
    fs.symlinkSync(launcher, link);
    expect(await hook({}, `'${link}' --version`)).toEqual({ code: 0, stdout: VERSION, stderr: '' });
  });

  it('fails loudly when the payload lacks the bundle the launcher needs', async () => {
    const copy = path.join(site.root, 'copy');
    fs.cpSync(root, copy, { recursive: true });
    const copied = path.join(copy, 'usr/bin', NAME);
    expect((await hook({}, `'${copied}' --version`)).stdout).toBe(VERSION);
    fs.unlinkSync(path.join(copy, 'usr/lib', NAME, `${NAME}.js`));
    const r = await hook({}, `'${copied}' --version`);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${NAME}.js is missing`);
    expect(r.stdout).toBe('');
  });
});
