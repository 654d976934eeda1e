// The vmcatcher hook end to end: the bundled command under /bin/sh -c, the oned simulator over HTTP,
// real images and the real qemu-img; under Node 20 and under Node 10 (the SL6 runtime).
import * as fs from 'fs';
import { beforeEach, describe, expect, it } from 'vitest';
import { sameImageContent } from '../helpers/images';
import { ALPHA, availableEvent, cacheImage, currentImages, expireEvent, imageListSays, publish } from './scenario';
import { NodeKind, PASSWORD, runHook, Site, writeCalls } from './site';
import { useSite } from './use-site';

const IDENTIFIER_ATTRS = { VMCATCHER_EVENT_DC_IDENTIFIER: ALPHA };
const RETIRED_NAME = new RegExp(`^${ALPHA} \\d{4}-\\d{2}-\\d{2}_\\d{2}-\\d{2}-\\d{2}_\\+0[12]00-CES?T$`);


describe.each<NodeKind>(['node20', 'node10'])('hook under %s', (node) => {
  const getSite = useSite();
  let site: Site;
  beforeEach(() => {
    site = getSite();
  });
  const hook = (env: Record<string, string>, opts: { cwd?: string; args?: string[] } = {}) => runHook(site, env, Object.assign({ node }, opts));

  it('registers a first image: converted to raw, every event variable kept, private to oneadmin', async () => {
    const img = cacheImage(site, 'qcow2', 'alpha-v1');
    const r = await hook(availableEvent(site, img));
    expect(r.stderr).toContain('register');
    expect(r.code).toBe(0);
    const [im] = currentImages(site);
    expect(im).toBeDefined();
    expect(im.stateName).toBe('READY');
    expect(im.uid).toBe(0);
    expect(im.permissions).toEqual([1, 1, 0, 0, 0, 0, 0, 0, 0]);
    expect(im.template.VMCATCHER_EVENT_DC_IDENTIFIER).toBe(ALPHA);
    expect(im.template.VMCATCHER_EVENT_SL_CHECKSUM_SHA512).toBe(img.sha512);
    expect(im.template.VMCATCHER_EVENT_HV_URI).toBe('https://images.example.org/images/alpha-v1.qcow2');
    expect(im.template.DESCRIPTION).toBe('Alpha Linux base image for the vmc lab (qcow2)');
    // TYPE goes into the IMAGE's own TYPE element: oned does not keep it in the template.
    const alloc = site.sim.calls.filter((c) => c.method === 'one.image.allocate')[0];
    expect(String(alloc.params[1])).toContain('<TYPE>OS</TYPE>');
    // oned's copy is the raw conversion of the cached qcow2.
    expect(sameImageContent(im.source, img.file)).toBe(true);
    expect(fs.readFileSync(im.source).subarray(0, 4).toString('latin1')).not.toBe('QFI\xfb');
    // vmcatcher's cache is untouched and our staging directory is gone.
    expect(fs.readdirSync(site.cacheDir).sort()).toEqual([ALPHA, 'expired', 'partial']);
    expect(fs.readdirSync(site.stagingDir)).toEqual([]);
    expect(r.stderr).not.toContain(PASSWORD);
  });

  it('changes nothing when the same event comes again', async () => {
    const img = cacheImage(site, 'qcow2', 'alpha-v1');
    expect((await hook(availableEvent(site, img))).code).toBe(0);
    site.sim.clearCalls();
    const again = await hook(availableEvent(site, img));
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/already holds this version/);
    expect(writeCalls(site.sim)).toEqual([]);
    expect(site.sim.images()).toHaveLength(1);
  });

  it('rotates an updated image owned by another user: owner, group, mode and DISABLED carried over; old one retired', async () => {
    const alice = site.sim.addUser({ name: 'alice', password: 'a', gid: 1 });
    const v1 = cacheImage(site, 'qcow2', 'alpha-v1');
    expect((await hook(availableEvent(site, v1))).code).toBe(0);
    const oldId = currentImages(site)[0].id;
    // The admin publishes it to alice's group, read-only for others, and disables it.
    await publish(site, oldId, { uid: alice, gid: 1, mode: '644', disabled: true });

    // vmcatcher: Expire(old) then Available(new) in the same run.
    const exp = await hook(Object.assign(expireEvent(site), imageListSays(3)));
    expect(exp.code).toBe(0);
    expect(exp.stderr).toMatch(/still subscribed/);
    const v2 = cacheImage(site, 'qcow2', 'alpha-v2');
    const r = await hook(availableEvent(site, v2, { VMCATCHER_EVENT_HV_VERSION: '2.0' }));
    expect(r.code).toBe(0);

    const [now] = currentImages(site);
    expect(now.id).not.toBe(oldId);
    expect(now.template.VMCATCHER_EVENT_SL_CHECKSUM_SHA512).toBe(v2.sha512);
    expect([now.uid, now.gid]).toEqual([alice, 1]);
    expect(now.permissions).toEqual([1, 1, 0, 1, 0, 0, 1, 0, 0]);
    expect(now.stateName).toBe('DISABLED');
    expect(sameImageContent(now.source, v2.file)).toBe(true);

    const old = site.sim.image(oldId)!;
    expect(old.name).toMatch(RETIRED_NAME);
    expect([old.uid, old.gid]).toEqual([0, 0]);
    expect(old.permissions).toEqual([1, 1, 1, 0, 0, 0, 0, 0, 0]);
    expect(old.stateName).toBe('DISABLED');
    expect(old.template.VMCHNDL_ON_RETIRED).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(old.template).toMatchObject({
      VMCHNDL_ON_RETIRED_FROM_UID: String(alice),
      VMCHNDL_ON_RETIRED_FROM_GID: '1',
      VMCHNDL_ON_RETIRED_FROM_MODE: '644',
      VMCHNDL_ON_RETIRED_FROM_STATE: 'DISABLED',
      VMCHNDL_ON_RETIRED_FROM_NAME: ALPHA,
    });
  });

  it('rotates an image in use: the old one cannot be disabled, a warning says so, the rest is done', async () => {
    const v1 = cacheImage(site, 'qcow2', 'alpha-v1');
    expect((await hook(availableEvent(site, v1))).code).toBe(0);
    const oldId = currentImages(site)[0].id;
    site.sim.setRunningVms(oldId, 2);
    const v2 = cacheImage(site, 'qcow2', 'alpha-v2');
    const r = await hook(availableEvent(site, v2));
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/WARNING.*could not be disabled/);
    const old = site.sim.image(oldId)!;
    expect(old.name).toMatch(RETIRED_NAME);
    expect(old.stateName).toBe('USED');
    expect(old.template.VMCHNDL_ON_RETIRED).toBeTruthy();
    expect(currentImages(site)[0].stateName).toBe('READY');
  });

  it('takes over images registered by 0.0.8, ignoring its retired ones', async () => {
    const legacyCurrent = site.sim.addImage({ name: ALPHA, mode: '640', template: Object.assign({ VMCATCHER_EVENT_SL_CHECKSUM_SHA512: 'c'.repeat(128) }, IDENTIFIER_ATTRS) });
    const legacyRetired = site.sim.addImage({ name: `${ALPHA} 2014-06-04_12-54-44`, mode: '700', state: 'DISABLED', template: IDENTIFIER_ATTRS });
    const legacyExpired = site.sim.addImage({ name: `${ALPHA}_EXPIRED_2014-06-04_12-54-44`, mode: '700', template: IDENTIFIER_ATTRS });
    const v2 = cacheImage(site, 'qcow2', 'alpha-v2');
    const r = await hook(availableEvent(site, v2));
    expect(r.code).toBe(0);
    expect(site.sim.image(legacyCurrent)!.name).toMatch(RETIRED_NAME);
    expect(site.sim.image(legacyRetired)!.name).toBe(`${ALPHA} 2014-06-04_12-54-44`);
    expect(site.sim.image(legacyExpired)!.name).toBe(`${ALPHA}_EXPIRED_2014-06-04_12-54-44`);
    expect(currentImages(site)[0].permissions).toEqual([1, 1, 0, 1, 0, 0, 0, 0, 0]);
  });

  it('re-registration after expiry gets back the owner, group, mode and state recorded at retirement', async () => {
    const bob = site.sim.addUser({ name: 'bob', password: 'b', gid: 1 });
    const v1 = cacheImage(site, 'qcow2', 'alpha-v1');
    expect((await hook(availableEvent(site, v1))).code).toBe(0);
    const firstId = currentImages(site)[0].id;
    await publish(site, firstId, { uid: bob, gid: 1, mode: '604', disabled: false });
    const exp = await hook(Object.assign(expireEvent(site), imageListSays(1)));
    expect(exp.code).toBe(0);
    expect(currentImages(site)).toHaveLength(0);
    // The list is endorsed again: the same identifier comes back.
    const back = await hook(availableEvent(site, v1));
    expect(back.code).toBe(0);
    const [im] = currentImages(site);
    expect(im.id).not.toBe(firstId);
    expect([im.uid, im.gid]).toEqual([bob, 1]);
    expect(im.permissions).toEqual([1, 1, 0, 0, 0, 0, 1, 0, 0]);
    expect(im.stateName).toBe('READY');
  });
});
