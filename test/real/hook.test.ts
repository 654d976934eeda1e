// The hook end to end against a real oned (built from ../shared/opennebula-src/, every version
// there): the bundled command under /bin/sh -c, real images, the real qemu-img, oned's own
// datastore drivers copying and deleting asynchronously; under Node 20 and Node 10.
import * as fs from 'fs';
import * as path from 'path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { sameImageContent } from '../helpers/images';
import { imageListSays } from '../e2e/scenario';
import type { NodeKind } from '../e2e/site';
import { availableReal, cacheReal, currentReal, expireReal, imagesOfReal, newIdentifier, publishReal } from './scenario';
import { startProxy } from './proxy';
import { deleteVm, onedInstalls, openRealSite, RealSite, realEventEnv, runReal, settleReal, useImageInVm, useRealOned } from './site';

// A real oned copies with its own drivers: minutes, not milliseconds, on a busy 2-core machine.
vi.setConfig({ testTimeout: 600000, hookTimeout: 600000 });

const STATE = { READY: 1, USED: 2, DISABLED: 3, ERROR: 5 };

describe.each(onedInstalls())('real oned $version', (install) => {
  const getOned = useRealOned(install);

  describe.each<NodeKind>(['node20', 'node10'])('hook under %s', (node) => {
    let site: RealSite;
    let alice: number;
    beforeEach(async () => {
      site = await openRealSite(getOned());
      alice = await getOned().addUser(`alice-${node}-${Date.now()}`, 'alice-pw', 1);
    });
    const hook = (env: Record<string, string>, args: string[] = []) => runReal(site, env, { node, args });
    const retiredName = (id: string) => new RegExp(`^${id} \\d{4}-\\d{2}-\\d{2}_\\d{2}-\\d{2}-\\d{2}_\\+0[12]00-CES?T$`);

    it('registers a first image: converted to raw, copied by oned, private to oneadmin; the same event again changes nothing', async () => {
      const id = newIdentifier();
      const img = cacheReal(site, id, 'qcow2', 'v1');
      const r = await hook(availableReal(site, img));
      expect(r.code, r.stderr).toBe(0);
      const [im] = await currentReal(site, id);
      expect(im.state).toBe(STATE.READY);
      expect([im.uid, im.gid]).toEqual([0, 0]);
      expect(im.permissions).toEqual([1, 1, 0, 0, 0, 0, 0, 0, 0]);
      expect(im.template.VMCATCHER_EVENT_SL_CHECKSUM_SHA512).toBe(img.sha512);
      expect(im.type).toBe(0);
      // oned's own copy, in its datastore, is the raw conversion of the cached qcow2.
      expect(path.normalize(im.source).indexOf(path.join(getOned().root, 'var/datastores/1/')), im.source).toBe(0);
      expect(sameImageContent(im.source, img.file)).toBe(true);
      expect(fs.readdirSync(site.stagingDir)).toEqual([]);

      const again = await hook(availableReal(site, img));
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).toMatch(/already holds this version/);
      expect(await imagesOfReal(site, id)).toHaveLength(1);
    });

    it('rotates a user-owned, disabled image: owner, group, mode and state carried over; the old one retired', async () => {
      const id = newIdentifier();
      const v1 = cacheReal(site, id, 'qcow2', 'v1');
      expect((await hook(availableReal(site, v1))).code).toBe(0);
      const [old] = await currentReal(site, id);
      await publishReal(site, old.id, { uid: alice, gid: 1, mode: '644', disabled: true });

      const exp = await hook(Object.assign(expireReal(site, id), imageListSays(3, id)));
      expect(exp.code, exp.stderr).toBe(0);
      expect(exp.stderr).toMatch(/still subscribed/);
      const v2 = cacheReal(site, id, 'qcow2', 'v2');
      const r = await hook(availableReal(site, v2, { VMCATCHER_EVENT_HV_VERSION: '2.0' }));
      expect(r.code, r.stderr).toBe(0);

      const [now] = await currentReal(site, id);
      expect(now.id).not.toBe(old.id);
      expect([now.uid, now.gid]).toEqual([alice, 1]);
      expect(now.permissions).toEqual([1, 1, 0, 1, 0, 0, 1, 0, 0]);
      expect(now.state).toBe(STATE.DISABLED);
      expect(sameImageContent(now.source, v2.file)).toBe(true);
      const retired = await site.one.imageInfo(old.id);
      expect(retired.name).toMatch(retiredName(id));
      expect([retired.uid, retired.gid]).toEqual([0, 0]);
      expect(retired.permissions).toEqual([1, 1, 1, 0, 0, 0, 0, 0, 0]);
      expect(retired.state).toBe(STATE.DISABLED);
      expect(retired.template).toMatchObject({
        VMCHNDL_ON_RETIRED_FROM_UID: String(alice),
        VMCHNDL_ON_RETIRED_FROM_GID: '1',
        VMCHNDL_ON_RETIRED_FROM_MODE: '644',
        VMCHNDL_ON_RETIRED_FROM_STATE: 'DISABLED',
        VMCHNDL_ON_RETIRED_FROM_NAME: id,
      });
    });

    it('rotates an image a VM uses: it cannot be disabled, a warning says so, the rest is done', async () => {
      const id = newIdentifier();
      const v1 = cacheReal(site, id, 'qcow2', 'v1');
      expect((await hook(availableReal(site, v1))).code).toBe(0);
      const [old] = await currentReal(site, id);
      const vm = await useImageInVm(site, old.id);
      expect((await site.one.imageInfo(old.id)).state).toBe(STATE.USED);
      const v2 = cacheReal(site, id, 'qcow2', 'v2');
      const r = await hook(availableReal(site, v2));
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/WARNING.*could not be disabled/);
      const retired = await site.one.imageInfo(old.id);
      expect(retired.name).toMatch(retiredName(id));
      expect(retired.state).toBe(STATE.USED);
      expect(retired.template.VMCHNDL_ON_RETIRED).toBeTruthy();
      expect((await currentReal(site, id))[0].state).toBe(STATE.READY);
      await deleteVm(site, vm);
    });

    it('expiry: kept while still subscribed, retired when no longer endorsed, restored when it comes back', async () => {
      const id = newIdentifier();
      const v1 = cacheReal(site, id, 'qcow2', 'v1');
      expect((await hook(availableReal(site, v1))).code).toBe(0);
      const [first] = await currentReal(site, id);
      await publishReal(site, first.id, { uid: alice, gid: 1, mode: '604' });

      const kept = await hook(Object.assign(expireReal(site, id), imageListSays(3, id)));
      expect(kept.code, kept.stderr).toBe(0);
      expect((await currentReal(site, id)).map((i) => i.id)).toEqual([first.id]);

      const gone = await hook(Object.assign(expireReal(site, id), imageListSays(1, id)));
      expect(gone.code, gone.stderr).toBe(0);
      expect(await currentReal(site, id)).toHaveLength(0);
      const retired = await site.one.imageInfo(first.id);
      expect(retired.name).toMatch(retiredName(id));
      expect(retired.state).toBe(STATE.DISABLED);

      const back = await hook(availableReal(site, v1));
      expect(back.code, back.stderr).toBe(0);
      const [im] = await currentReal(site, id);
      expect(im.id).not.toBe(first.id);
      expect([im.uid, im.gid]).toEqual([alice, 1]);
      expect(im.permissions).toEqual([1, 1, 0, 0, 0, 0, 1, 0, 0]);
      expect(im.state).toBe(STATE.READY);
    });

    it('registers a raw image without converting it: in place where SAFE_DIRS allow the cache, else by a hard link', async () => {
      for (const cacheSafe of [true, false]) {
        site = await openRealSite(getOned(), { cacheSafe });
        const id = newIdentifier();
        const img = cacheReal(site, id, 'raw', `raw-${cacheSafe}`);
        const r = await hook(availableReal(site, img));
        expect(r.code, r.stderr).toBe(0);
        expect(r.stderr).not.toMatch(/qemu-img convert/);
        const [im] = await currentReal(site, id);
        expect(im.state).toBe(STATE.READY);
        expect(sameImageContent(im.source, img.file)).toBe(true);
        // What oned was given to copy: the cached file itself, or a link to it in our staging dir.
        expect(im.path === img.file || im.path.indexOf(site.stagingDir + '/') === 0, im.path).toBe(true);
        if (!cacheSafe) expect(im.path.indexOf(site.stagingDir + '/')).toBe(0);
        expect(fs.existsSync(site.stagingDir) ? fs.readdirSync(site.stagingDir) : []).toEqual([]);
      }
    });

    it('a staging dir the datastore refuses: oned puts the new image in ERROR; a first registration leaves nothing', async () => {
      // The admin narrows SAFE_DIRS while the event is handled: only oned's own driver can refuse.
      const proxy = await startProxy(getOned().url);
      try {
        site = await openRealSite(getOned(), { endpoint: proxy.url });
        proxy.beforeCall('one.image.allocate', () => getOned().setDatastoreDirs(1, { safeDirs: '/nonexistent-safe', restrictedDirs: '/' }));
        const id = newIdentifier();
        const img = cacheReal(site, id, 'qcow2', 'refused');
        const r = await hook(availableReal(site, img));
        expect(r.code, r.stderr).toBe(2);
        expect(r.stderr).toMatch(/RESTRICTED_DIRS/);
        await settleReal(site);
        expect(await imagesOfReal(site, id)).toEqual([]);
        expect(fs.readdirSync(path.join(site.stateDir, 'spool')).filter((f) => f.endsWith('.json'))).toHaveLength(1);
      } finally {
        await proxy.close();
      }
    });

    it('an ERROR rollback of a oneadmin-owned image: the old image gets its name back although oned deletes slowly', async () => {
      const proxy = await startProxy(getOned().url);
      try {
        site = await openRealSite(getOned(), { endpoint: proxy.url });
        const id = newIdentifier();
        const v1 = cacheReal(site, id, 'qcow2', 'v1');
        expect((await hook(availableReal(site, v1))).code).toBe(0);
        const [old] = await currentReal(site, id);
        proxy.beforeCall('one.image.allocate', () => getOned().setDatastoreDirs(1, { safeDirs: '/nonexistent-safe', restrictedDirs: '/' }));
        const v2 = cacheReal(site, id, 'qcow2', 'v2');
        const r = await hook(availableReal(site, v2));
        expect(r.code, r.stderr).toBe(2);
        expect(r.stderr).toMatch(/RESTRICTED_DIRS/);
        await settleReal(site);
        const after = await imagesOfReal(site, id);
        expect(after.map((i) => [i.id, i.name, i.state, i.uid])).toEqual([[old.id, id, STATE.READY, 0]]);
        // Fixed by the admin: the pending event goes through at the next vmcatcher run.
        await getOned().setDatastoreDirs(1, { safeDirs: site.stagingDir, restrictedDirs: '/' });
        const next = await hook(realEventEnv(site, '01-ProcessPrefix.env'));
        expect(next.code, next.stderr).toBe(0);
        const [now] = await currentReal(site, id);
        expect(now.template.VMCATCHER_EVENT_SL_CHECKSUM_SHA512).toBe(v2.sha512);
      } finally {
        await proxy.close();
      }
    });
  });
});
