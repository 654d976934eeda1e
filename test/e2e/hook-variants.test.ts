// Formats, paths, expiry decisions, ignored events: the hook end to end, under Node 20 and Node 10.
import * as fs from 'fs';
import * as path from 'path';
import { beforeEach, describe, expect, it } from 'vitest';
import { makeOva, sameImageContent, sha512 } from '../helpers/images';
import { ALPHA, availableEvent, cacheImage, currentImages, expireEvent, imageListSays } from './scenario';
import { eventEnv, NodeKind, runHook, Site, writeCalls } from './site';
import { useSite } from './use-site';


function allocatedPath(site: Site): string {
  const call = site.sim.calls.filter((c) => c.method === 'one.image.allocate')[0];
  const tpl = String(call.params[1]);
  const m = /<PATH>([^<]*)<\/PATH>/.exec(tpl);
  if (!m) throw new Error(`no PATH in ${tpl}`);
  return m[1];
}

describe.each<NodeKind>(['node20', 'node10'])('hook variants under %s', (node) => {
  const getSite = useSite();
  let site: Site;
  beforeEach(() => {
    site = getSite();
  });
  const hook = (env: Record<string, string>, opts: { cwd?: string } = {}) => runHook(site, env, Object.assign({ node }, opts));

  it('hard-links a raw file into staging even when the datastore allows the cache directory (never the cached name, no bytes copied by us)', async () => {
    site.sim.setDatastoreDirs(1, { safeDirs: `${site.stagingDir} ${site.cacheDir}`, restrictedDirs: '/' });
    const img = cacheImage(site, 'raw', 'beta-v1');
    const r = await hook(availableEvent(site, img, { VMCATCHER_EVENT_HV_FORMAT: 'raw' }));
    expect(r.code).toBe(0);
    expect(path.dirname(path.dirname(allocatedPath(site)))).toBe(site.stagingDir);
    expect(r.stderr).toMatch(/hard-linked/);
    expect(r.stderr).toMatch(/sha512 of .* \(the hard link to .* that oned copies\) matches the image list/);
    expect(sameImageContent(currentImages(site)[0].source, img.file)).toBe(true);
  });

  it('hard-links a raw file into staging when the datastore does not allow the cache directory', async () => {
    const img = cacheImage(site, 'raw', 'beta-v1');
    const r = await hook(availableEvent(site, img, { VMCATCHER_EVENT_HV_FORMAT: 'raw' }));
    expect(r.code).toBe(0);
    expect(path.dirname(path.dirname(allocatedPath(site)))).toBe(site.stagingDir);
    expect(r.stderr).toMatch(/hard-linked/);
    expect(sameImageContent(currentImages(site)[0].source, img.file)).toBe(true);
    expect(fs.readdirSync(site.stagingDir)).toEqual([]);
    expect(fs.statSync(img.file).nlink).toBe(1);
  });

  it('registers the disk of an OVA without unpacking it', async () => {
    const work = path.join(site.root, 'work');
    fs.mkdirSync(work);
    const ova = makeOva(path.join(work, 'x.ova'), { diskFormat: 'vmdk', diskName: 'alpha-disk1.vmdk' });
    const file = path.join(site.cacheDir, ALPHA);
    fs.copyFileSync(ova.ova, file);
    const r = await hook(availableEvent(site, { file, sha512: sha512(file) }, { VMCATCHER_EVENT_HV_FORMAT: 'OVA' }));
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/OVA/);
    expect(sameImageContent(currentImages(site)[0].source, ova.diskImage)).toBe(true);
  });

  it('converts to qcow2 when VMCHNDL_ON_FORMAT=qcow2', async () => {
    const img = cacheImage(site, 'raw', 'beta-v1');
    const r = await hook(Object.assign(availableEvent(site, img, { VMCATCHER_EVENT_HV_FORMAT: 'raw' }), { VMCHNDL_ON_FORMAT: 'qcow2' }));
    expect(r.code).toBe(0);
    const [im] = currentImages(site);
    expect(fs.readFileSync(im.source).subarray(0, 3).toString('latin1')).toBe('QFI');
    expect(im.template.DRIVER).toBe('qcow2');
    expect(sameImageContent(im.source, img.file)).toBe(true);
  });

  it('resolves cache directories relative to the working directory vmcatcher runs in', async () => {
    const img = cacheImage(site, 'qcow2', 'alpha-v1');
    const env = availableEvent(site, img, {
      VMCATCHER_CACHE_DIR_CACHE: 'vmcatcher/cache',
      VMCATCHER_CACHE_DIR_EXPIRE: 'vmcatcher/cache/expired',
      VMCATCHER_CACHE_DIR_DOWNLOAD: 'vmcatcher/cache/partial',
    });
    const r = await hook(env, { cwd: site.root });
    expect(r.code).toBe(0);
    expect(currentImages(site)).toHaveLength(1);
  });

  it('keeps a description with quotes, backslashes, newlines, brackets and template syntax exactly', async () => {
    const img = cacheImage(site, 'qcow2', 'alpha-v1');
    const desc = 'He said "hi" \\ back\\\nline two ] ]]> $NAME {x} <b>&amp; NAME = "evil"\ttab';
    const r = await hook(availableEvent(site, img, { VMCATCHER_EVENT_DC_DESCRIPTION: desc }));
    expect(r.code).toBe(0);
    const [im] = currentImages(site);
    expect(im.template.VMCATCHER_EVENT_DC_DESCRIPTION).toBe(desc.replace(']]>', ']] >'));
    expect(im.template.NAME).toBeUndefined();
    expect(im.name).toBe(ALPHA);
    expect(r.stderr).toMatch(/WARNING.*\]\]>/);
  });

  it('on expiry keeps the image while vmcatcher_image says 3, retires it on 1, and changes nothing when it fails', async () => {
    const img = cacheImage(site, 'qcow2', 'alpha-v1');
    expect((await hook(availableEvent(site, img))).code).toBe(0);
    const id = currentImages(site)[0].id;
    const log = path.join(site.root, 'vmcatcher_image.log');

    site.sim.clearCalls();
    const keep = await hook(Object.assign(expireEvent(site), imageListSays(3), { FAKE_VMCATCHER_IMAGE_LOG: log }));
    expect(keep.code).toBe(0);
    expect(writeCalls(site.sim)).toEqual([]);
    expect(fs.readFileSync(log, 'utf8')).toContain('-l sqlite:////var/lib/vmcatcher/vmcatcher.db');

    const broken = await hook(Object.assign(expireEvent(site), { FAKE_VMCATCHER_IMAGE_EXIT: '1', FAKE_VMCATCHER_IMAGE_STDERR: 'database is locked' }));
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/vmcatcher_image -l .*database is locked.*nothing was changed/);
    expect(writeCalls(site.sim)).toEqual([]);

    const retire = await hook(Object.assign(expireEvent(site), imageListSays(1)));
    expect(retire.code).toBe(0);
    const old = site.sim.image(id)!;
    expect(old.name).toMatch(new RegExp(`^${ALPHA} `));
    expect(old.stateName).toBe('DISABLED');
    expect(old.permissions).toEqual([1, 1, 1, 0, 0, 0, 0, 0, 0]);
    expect(old.template.VMCHNDL_ON_RETIRED).toBeTruthy();

    // Nothing left to retire: said, exit 0.
    const none = await hook(Object.assign(expireEvent(site), imageListSays(1)));
    expect(none.code).toBe(0);
    expect(none.stderr).toMatch(/nothing to retire/);
  });

  it('an identifier missing from vmcatcher_image -l is not subscribed: retired', async () => {
    const img = cacheImage(site, 'qcow2', 'alpha-v1');
    expect((await hook(availableEvent(site, img))).code).toBe(0);
    const r = await hook(Object.assign(expireEvent(site), { FAKE_VMCATCHER_IMAGE_LIST: 'other-image\\t3\\tsub\\n' }));
    expect(r.code).toBe(0);
    expect(currentImages(site)).toHaveLength(0);
  });

  it.each(['ProcessPrefix', 'ProcessPostfix', 'AvailablePrefix', 'ExpirePrefix', 'SubscriptionImageNew', 'ImageNew', 'SomethingNew'])(
    'ignores %s: one log line, exit 0, no call to oned',
    async (type) => {
      const env = eventEnv(site, '02-AvailablePrefix.env', { VMCATCHER_EVENT_TYPE: type });
      const r = await hook(env);
      expect(r.code).toBe(0);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(new RegExp(`event ${type}.*nothing to do`));
      expect(site.sim.calls).toEqual([]);
    },
  );

  it('accepts the old spelling ExpirePosfix', async () => {
    const img = cacheImage(site, 'qcow2', 'alpha-v1');
    expect((await hook(availableEvent(site, img))).code).toBe(0);
    const r = await hook(Object.assign(expireEvent(site, { VMCATCHER_EVENT_TYPE: 'ExpirePosfix' }), imageListSays(0)));
    expect(r.code).toBe(0);
    expect(currentImages(site)).toHaveLength(0);
  });
});


