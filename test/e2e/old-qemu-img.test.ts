// The qemu-img of EL7 (1.5.3) and EL6 (0.12.1). We cannot run them here: fixtures answer as they
// would where they differ from today's qemu-img (version, options they lack) and leave the real work
// to the real one. With 1.5.3 a conversion works without -U and -W; an OVA, which needs 2.9, and
// qemu-img 0.12, which has no JSON output, are refused naming VMCHNDL_ON_QEMU_IMG, exit 3, with the
// event kept and nothing changed in OpenNebula.
import * as fs from 'fs';
import * as path from 'path';
import { beforeEach, describe, expect, it } from 'vitest';
import { makeOva, sameImageContent, sha512 } from '../helpers/images';
import { ALPHA, availableEvent, cacheImage, currentImages } from './scenario';
import { NodeKind, REPO, runHook, Site, stateFiles, writeCalls } from './site';
import { useSite } from './use-site';

/** A copy of the fixture in the site, so that its call log is the site's. */
function oldQemuImg(site: Site, version: '1.5.3' | '0.12.1'): { bin: string; calls: () => string[] } {
  const bin = path.join(site.root, `qemu-img-${version}`);
  fs.copyFileSync(path.join(REPO, 'test/fixtures/old-qemu-img', `qemu-img-${version}`), bin);
  fs.chmodSync(bin, 0o755);
  const log = path.join(site.root, 'calls.log');
  return { bin, calls: () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').filter(Boolean) : []) };
}

describe.each<NodeKind>(['node20', 'node10'])('an old qemu-img, under %s', (node) => {
  const getSite = useSite();
  let site: Site;
  beforeEach(() => {
    site = getSite();
  });

  it("converts with EL7's 1.5.3, without the options it lacks", async () => {
    const q = oldQemuImg(site, '1.5.3');
    const img = cacheImage(site, 'qcow2', 'alpha-v1');
    const r = await runHook(site, Object.assign(availableEvent(site, img), { VMCHNDL_ON_QEMU_IMG: q.bin }), { node });
    expect(r.code, r.stderr).toBe(0);
    expect(sameImageContent(currentImages(site)[0].source, img.file)).toBe(true);
    const calls = q.calls();
    expect(calls.filter((c) => /^(info|check|convert) /.test(c)).map((c) => c.split(' ')[0])).toEqual(['info', 'check', 'convert']);
    expect(calls.filter((c) => / -U | -W /.test(` ${c} `))).toEqual([]);
    // Asked once per run, whatever the number of qemu-img calls.
    expect(calls.filter((c) => c === '--version')).toHaveLength(1);
  });

  it('refuses an OVA with 1.5.3 (its disk is read in place, which needs 2.9): exit 3, the event kept', async () => {
    const q = oldQemuImg(site, '1.5.3');
    const work = path.join(site.root, 'work');
    fs.mkdirSync(work);
    const ova = makeOva(path.join(work, 'x.ova'), { diskFormat: 'vmdk', diskName: 'alpha-disk1.vmdk' });
    const file = path.join(site.cacheDir, ALPHA);
    fs.copyFileSync(ova.ova, file);
    const r = await runHook(site, Object.assign(availableEvent(site, { file, sha512: sha512(file) }, { VMCATCHER_EVENT_HV_FORMAT: 'OVA' }), { VMCHNDL_ON_QEMU_IMG: q.bin }), { node });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/VMCHNDL_ON_QEMU_IMG: .*qemu-img-1\.5\.3 is qemu-img 1\.5\.3; reading an OVA's disk in place .* needs qemu-img 2\.9 or newer/);
    expect(writeCalls(site.sim)).toEqual([]);
    expect(stateFiles(site, 'spool')).toHaveLength(1);
  });

  it("refuses EL6's 0.12.1, which has no JSON output: exit 3, the event kept, OpenNebula untouched", async () => {
    const q = oldQemuImg(site, '0.12.1');
    const img = cacheImage(site, 'qcow2', 'alpha-v1');
    const r = await runHook(site, Object.assign(availableEvent(site, img), { VMCHNDL_ON_QEMU_IMG: q.bin }), { node });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/VMCHNDL_ON_QEMU_IMG: .*qemu-img-0\.12\.1 is qemu-img 0\.12\.1; qemu-img info and check with --output=json needs qemu-img 1\.5 or newer/);
    expect(r.stderr).toMatch(/stays pending/);
    expect(writeCalls(site.sim)).toEqual([]);
    expect(currentImages(site)).toEqual([]);
    expect(stateFiles(site, 'spool')).toHaveLength(1);
    // It was only asked its version: nothing was given options it does not know.
    expect(q.calls().every((c) => c === '--version' || c === '-h')).toBe(true);
  });
});
