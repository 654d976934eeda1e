// VMCHNDL_ON_VO_GROUPS end to end: a mapped VO's first registration lands in its group, an unmapped one
// stays private, a mapping to a group oned does not have stops the event (exit 3) with nothing changed.
import { describe, expect, it } from 'vitest';
import { availableEvent, cacheImage, currentImages, publish } from './scenario';
import { NodeKind, runHook, stateFiles, writeCalls } from './site';
import { useSite } from './use-site';

const VO = 'vo.vmc-lab.test';

describe.each<NodeKind>(['node20', 'node10'])('VO groups, under %s', (node) => {
  const getSite = useSite();

  it('registers a mapped VO\'s first image in its group (by name) with VMCHNDL_ON_VO_MODE; a rotation keeps the admin\'s later group', async () => {
    const site = getSite();
    const gid = site.sim.addGroup('vmclab');
    const other = site.sim.addGroup('elsewhere');
    const settings = { VMCHNDL_ON_VO_GROUPS: `other.vo=nosuchgroup,${VO}=vmclab`, VMCHNDL_ON_VO_MODE: '640' };
    const v1 = cacheImage(site, 'raw', 'v1', undefined, 1);
    const ev1 = Object.assign(availableEvent(site, v1), settings);
    const plan = await runHook(site, ev1, { node, args: ['plan'] });
    expect(plan.stdout).toContain(`VO ${VO} is mapped to group vmclab (VMCHNDL_ON_VO_GROUPS): group ${gid}, mode 640`);
    const r = await runHook(site, ev1, { node });
    expect(r.code).toBe(0);
    const [img] = currentImages(site);
    expect(img).toMatchObject({ uid: 0, gid, permissions: [1, 1, 0, 1, 0, 0, 0, 0, 0] });

    // The admin moves it elsewhere: the next version follows the admin, not the mapping.
    await publish(site, img.id, { gid: other, mode: '644' });
    const v2 = cacheImage(site, 'raw', 'v2', undefined, 1);
    expect((await runHook(site, Object.assign(availableEvent(site, v2), settings), { node })).code).toBe(0);
    const [next] = currentImages(site);
    expect(next.id).not.toBe(img.id);
    expect(next).toMatchObject({ gid: other, permissions: [1, 1, 0, 1, 0, 0, 1, 0, 0] });
  });

  it('maps by group id too, and keeps an unmapped VO private (VMCHNDL_ON_NEW_MODE)', async () => {
    const site = getSite();
    const gid = site.sim.addGroup('vmclab');
    const v1 = cacheImage(site, 'raw', 'v1', undefined, 1);
    expect((await runHook(site, Object.assign(availableEvent(site, v1), { VMCHNDL_ON_VO_GROUPS: `other.vo=${gid}` }), { node })).code).toBe(0);
    expect(currentImages(site)[0]).toMatchObject({ uid: 0, gid: 0, permissions: [1, 1, 0, 0, 0, 0, 0, 0, 0] });

    const BETA = '2f3c9a10-0b1e-4c6a-9d7e-5a4b3c2d1e0f';
    const b1 = cacheImage(site, 'raw', 'b1', BETA, 1);
    const evB = availableEvent(site, b1, { VMCATCHER_EVENT_DC_IDENTIFIER: BETA, VMCATCHER_EVENT_FILENAME: BETA });
    expect((await runHook(site, Object.assign(evB, { VMCHNDL_ON_VO_GROUPS: `${VO}=${gid}`, VMCHNDL_ON_VO_MODE: '604' }), { node })).code).toBe(0);
    expect(currentImages(site, BETA)[0]).toMatchObject({ gid, permissions: [1, 1, 0, 0, 0, 0, 1, 0, 0] });
  });

  it('stops at a mapped group that does not exist: exit 3, the event kept, nothing changed in OpenNebula', async () => {
    const site = getSite();
    const v1 = cacheImage(site, 'raw', 'v1', undefined, 1);
    site.sim.clearCalls();
    const r = await runHook(site, Object.assign(availableEvent(site, v1), { VMCHNDL_ON_VO_GROUPS: `${VO}=fedcloud` }), { node });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(new RegExp(`VMCHNDL_ON_VO_GROUPS: VO "${VO.replace(/\./g, '\\.')}" is mapped to group "fedcloud", which does not exist`));
    expect(writeCalls(site.sim)).toEqual([]);
    expect(site.sim.images()).toEqual([]);
    expect(stateFiles(site, 'spool').length).toBe(1);

    // Fixed: the kept event goes through.
    const gid = site.sim.addGroup('fedcloud');
    expect((await runHook(site, Object.assign(availableEvent(site, v1), { VMCHNDL_ON_VO_GROUPS: `${VO}=fedcloud` }), { node })).code).toBe(0);
    expect(stateFiles(site, 'spool')).toEqual([]);
    expect(currentImages(site)[0].gid).toBe(gid);
    const v2 = cacheImage(site, 'raw', 'v2', undefined, 1);
    // A mapping gone stale stops a rotation too (the admin hears of it at once), and changes nothing.
    const before = site.sim.images();
    site.sim.clearCalls();
    const r2 = await runHook(site, Object.assign(availableEvent(site, v2), { VMCHNDL_ON_VO_GROUPS: `${VO}=nosuchgroup` }), { node });
    expect(r2.code, r2.stderr).toBe(3);
    expect(r2.stderr).toMatch(/VMCHNDL_ON_VO_GROUPS: VO .* is mapped to group "nosuchgroup", which does not exist/);
    expect(writeCalls(site.sim)).toEqual([]);
    expect(site.sim.images()).toEqual(before);
    expect(stateFiles(site, 'spool').length).toBe(1);
    const r3 = await runHook(site, Object.assign(availableEvent(site, v2), { VMCHNDL_ON_VO_GROUPS: `${VO}=fedcloud` }), { node });
    expect(r3.code, r3.stderr).toBe(0);
    expect(currentImages(site)[0]).toMatchObject({ gid });
    expect(currentImages(site)[0].template.VMCATCHER_EVENT_SL_CHECKSUM_SHA512).toBe(v2.sha512);
  });
});
