// Co-tenants against a real oned: an ordinary user clones the official image, names the clone after
// the identifier and dresses another one up as a newer retirement; the handler goes by its own
// record, under Node 20 and Node 10.
import { describe, expect, it, vi } from 'vitest';
import { imageListSays } from '../e2e/scenario';
import type { NodeKind } from '../e2e/site';
import { i, ok, s } from '../sim/rpc';
import { availableReal, cacheReal, currentReal, expireReal, newIdentifier, publishReal } from './scenario';
import { onedInstalls, openRealSite, runReal, settleReal, useRealOned } from './site';

// A real oned copies with its own drivers: minutes, not milliseconds, on a busy 2-core machine.
vi.setConfig({ testTimeout: 600000, hookTimeout: 600000 });

describe.each(onedInstalls())('real oned $version: co-tenants', (install) => {
  const getOned = useRealOned(install);

  it.each<NodeKind>(['node20', 'node10'])('a clone named after the identifier and a forged retirement steer nothing (%s)', async (node) => {
    const oned = getOned();
    const site = await openRealSite(oned);
    const hook = (env: Record<string, string>) => runReal(site, env, { node });
    const tag = `${node}-${Date.now()}`;
    const user = await oned.addUser(`user-${tag}`, 'u-pw', 1);
    const mallory = await oned.addUser(`mallory-${tag}`, 'm-pw', 1);
    const asMallory = `mallory-${tag}:m-pw`;

    const id = newIdentifier();
    expect((await hook(availableReal(site, cacheReal(site, id, 'qcow2', 'v1')))).code).toBe(0);
    const [official] = await currentReal(site, id);
    // The admin publishes it to a user, readable by everybody.
    await publishReal(site, official.id, { uid: user, gid: 1, mode: '644' });

    // Mallory clones it (every attribute comes along), names the clone after the identifier, makes it
    // public, and later dresses it up as a newer retirement that was hers.
    const clone = ok(await oned.rpcAs(asMallory, 'one.image.clone', i(official.id), s(id), i(1))) as number;
    await settleReal(site);
    ok(await oned.rpcAs(asMallory, 'one.image.chmod', i(clone), ...[1, 1, 0, 1, 1, 0, 1, 1, 0].map(i)));
    expect((await site.one.imageInfo(clone)).template.VMCATCHER_EVENT_DC_IDENTIFIER).toBe(id);

    // The next version: the recorded image is rotated, the new one goes to the admin's choice.
    const v2 = cacheReal(site, id, 'qcow2', 'v2');
    const r = await hook(availableReal(site, v2, { VMCATCHER_EVENT_HV_VERSION: '2.0' }));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`image ${clone} .*not in the handler's record: ignored`));
    const now = (await currentReal(site, id)).filter((img) => img.uid !== mallory);
    expect(now).toHaveLength(1);
    expect([now[0].uid, now[0].permissions.join('')]).toEqual([user, '110100100']);
    expect(now[0].template.VMCATCHER_EVENT_SL_CHECKSUM_SHA512).toBe(v2.sha512);
    const theClone = await site.one.imageInfo(clone);
    expect([theClone.name, theClone.uid, theClone.permissions.join(''), theClone.template.VMCHNDL_ON_RETIRED || '']).toEqual([id, mallory, '110110110', '']);

    // Mallory forges a retirement newer than any, recording herself and mode 666.
    ok(
      await oned.rpcAs(
        asMallory,
        'one.image.update',
        i(clone),
        s(`VMCHNDL_ON_RETIRED="2099-01-01T00:00:00.000Z"\nVMCHNDL_ON_RETIRED_FROM_UID="${mallory}"\nVMCHNDL_ON_RETIRED_FROM_GID="1"\nVMCHNDL_ON_RETIRED_FROM_MODE="666"\nVMCHNDL_ON_RETIRED_FROM_STATE="ENABLED"`),
        i(1),
      ),
    );
    ok(await oned.rpcAs(asMallory, 'one.image.rename', i(clone), s(`${id} 2099-01-01_00-00-00_+0100-CET`)));
    // The list expires, then is endorsed again: the image comes back as the admin had it.
    const gone = await hook(Object.assign(expireReal(site, id), imageListSays(1, id)));
    expect(gone.code, gone.stderr).toBe(0);
    const back = await hook(availableReal(site, v2, { VMCATCHER_EVENT_HV_VERSION: '2.0' }));
    expect(back.code, back.stderr).toBe(0);
    const [returned] = (await currentReal(site, id)).filter((img) => img.uid !== mallory);
    expect([returned.uid, returned.gid, returned.permissions.join('')]).toEqual([user, 1, '110100100']);
    // Mallory's image is as she left it: not renamed, chowned, chmodded, disabled or deleted.
    const after = await site.one.imageInfo(clone);
    expect([after.uid, after.permissions.join(''), after.state]).toEqual([mallory, '110110110', 1]);
  });
});
