// Only the admin decides: what ordinary users do to their own images (a look-alike current image, a
// forged retirement, a clone) and harmless leftovers never steer a rotation. The bundled command against
// the oned simulator, the users acting over XML-RPC as oned lets them, under Node 20 and Node 10.
import * as fs from 'fs';
import * as path from 'path';
import { beforeEach, describe, expect, it } from 'vitest';
import { createOneClient } from '../../src/one/client';
import type { OneApi } from '../../src/one/types';
import { runUntilKilled } from '../reliability/helpers-a/crash';
import { call, i as int, ok, s as str } from '../sim/rpc';
import { ALPHA, availableEvent, cacheImage, expireEvent, imageListSays, publish } from './scenario';
import { NodeKind, runHook, Site, stateFiles, writeCalls } from './site';
import { useSite } from './use-site';

/** An ordinary user's own session to oned. */
function userClient(site: Site, session: string): OneApi {
  return createOneClient({ endpoint: site.sim.url, session });
}

/** An image an ordinary user registers (an empty disk: oned's mkfs), with the attributes it likes. */
async function allocateAs(site: Site, session: string, name: string, attrs: Record<string, string>): Promise<number> {
  return userClient(site, session).imageAllocate(Object.assign({ NAME: name, TYPE: 'OS', SIZE: '1' }, attrs), 1);
}

function record(site: Site, id = ALPHA): { current: { id: number; how: string } | null; retired: Array<{ id: number; from: { uid: number; mode: string } }> } {
  return JSON.parse(fs.readFileSync(path.join(site.stateDir, 'records', `${id}.json`), 'utf8'));
}

/** The images another user owns, exactly as they were (a rotation must leave them alone). */
function snapshot(site: Site, ids: number[]) {
  return site.sim.images().filter((i) => ids.indexOf(i.id) >= 0).map((i) => ({ id: i.id, uid: i.uid, gid: i.gid, name: i.name, permissions: i.permissions, state: i.stateName, template: i.template }));
}

describe.each<NodeKind>(['node20', 'node10'])('co-tenants under %s', (node) => {
  const getSite = useSite();
  let site: Site;
  let ursula: number;
  let mallory: number;
  beforeEach(() => {
    site = getSite();
    ursula = site.sim.addUser({ name: 'ursula', password: 'u', gid: 1 });
    mallory = site.sim.addUser({ name: 'mallory', password: 'm', gid: 1 });
  });
  const hook = (env: Record<string, string>, args?: string[]) => runHook(site, env, { node, args });
  const cmd = (args: string[]) => runHook(site, {}, { node, args });

  /** v1 registered by the handler and published by the admin to ursula (644). */
  async function published(): Promise<number> {
    const v1 = cacheImage(site, 'qcow2', 'alpha-v1');
    expect((await hook(availableEvent(site, v1))).code).toBe(0);
    const id = site.sim.images().filter((i) => i.name === ALPHA)[0].id;
    await publish(site, id, { uid: ursula, gid: 1, mode: '644' });
    return id;
  }

  /** The image serving ALPHA for ursula after an update: v2, owned by ursula, 644; the old one retired. */
  function expectRotatedFor(oldId: number, sha: string) {
    const mine = site.sim.images().filter((i) => i.name === ALPHA && i.uid === ursula);
    expect(mine).toHaveLength(1);
    expect(mine[0].id).not.toBe(oldId);
    expect(mine[0].template.VMCATCHER_EVENT_SL_CHECKSUM_SHA512).toBe(sha);
    expect(mine[0].permissions).toEqual([1, 1, 0, 1, 0, 0, 1, 0, 0]);
    const old = site.sim.image(oldId)!;
    expect([old.uid, old.stateName, old.template.VMCHNDL_ON_RETIRED_FROM_UID]).toEqual([0, 'DISABLED', String(ursula)]);
    expect(record(site).current!.id).toBe(mine[0].id);
    return mine[0];
  }

  it('ignores a look-alike current image with a newer REGTIME and the identifier, and flags it in status', async () => {
    const oldId = await published();
    // The owner the admin chose edits its description, as before.
    await userClient(site, 'ursula:u').imageUpdate(oldId, { DESCRIPTION: "ursula's notes" }, true);
    const fake = await allocateAs(site, 'mallory:m', ALPHA, { VMCATCHER_EVENT_DC_IDENTIFIER: ALPHA, VMCATCHER_EVENT_HV_VERSION: '9.9', DESCRIPTION: 'totally official' });
    await site.sim.settle();
    const before = snapshot(site, [fake]);
    const v2 = cacheImage(site, 'qcow2', 'alpha-v2');
    const r = await hook(availableEvent(site, v2));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`image ${fake} .*owner mallory.*not in the handler's record: ignored`));
    expectRotatedFor(oldId, v2.sha512);
    expect(snapshot(site, [fake])).toEqual(before);
    expect(site.sim.images().filter((i) => i.uid === mallory)).toHaveLength(1);

    const st = await cmd(['status', '--json']);
    const a = JSON.parse(st.stdout).identifiers.filter((x: { identifier: string }) => x.identifier === ALPHA)[0];
    expect(a.lookAlikes.map((v: { id: number; owner: string; role: string }) => [v.id, v.owner, v.role])).toEqual([[fake, 'mallory', 'look-alike']]);
    expect([a.current.recorded, a.retired[0].recorded]).toEqual([true, true]);
    expect((await cmd(['status'])).stdout).toContain(`look-alike: image ${fake} (owner mallory) carries the identifier but is not the handler's`);
  });

  it('restores a returning image from its own record, not from a newer forged retirement', async () => {
    const oldId = await published();
    expect((await hook(Object.assign(expireEvent(site), imageListSays(1)))).code).toBe(0);
    expect(record(site).retired[0]).toMatchObject({ id: oldId, from: { uid: ursula, mode: '644' } });
    const forged = await allocateAs(site, 'mallory:m', `${ALPHA} 2099-01-01_00-00-00_+0000-UTC`, {
      VMCATCHER_EVENT_DC_IDENTIFIER: ALPHA,
      VMCHNDL_ON_RETIRED: '2099-01-01T00:00:00.000Z',
      VMCHNDL_ON_RETIRED_FROM_UID: String(mallory),
      VMCHNDL_ON_RETIRED_FROM_GID: '1',
      VMCHNDL_ON_RETIRED_FROM_MODE: '666',
      VMCHNDL_ON_RETIRED_FROM_STATE: 'ENABLED',
    });
    await site.sim.settle();
    const before = snapshot(site, [forged]);
    const v2 = cacheImage(site, 'qcow2', 'alpha-v2');
    const r = await hook(availableEvent(site, v2));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`restoring what retired image ${oldId} had, as the handler recorded it: owner ${ursula}, group 1, mode 644`));
    const back = site.sim.images().filter((i) => i.name === ALPHA);
    expect(back.map((i) => [i.uid, i.permissions.join('')])).toEqual([[ursula, '110100100']]);
    expect(snapshot(site, [forged])).toEqual(before);
  });

  it("leaves a user's clone of the current image alone", async () => {
    const oldId = await published();
    const clone = ok(await call(site.sim.url, 'one.image.clone', str('mallory:m'), int(oldId), str(ALPHA))) as number;
    await site.sim.settle();
    expect(site.sim.image(clone)!.template.VMCATCHER_EVENT_DC_IDENTIFIER).toBe(ALPHA);
    const before = snapshot(site, [clone]);
    const v2 = cacheImage(site, 'qcow2', 'alpha-v2');
    const r = await hook(availableEvent(site, v2));
    expect(r.code, r.stderr).toBe(0);
    expectRotatedFor(oldId, v2.sha512);
    expect(snapshot(site, [clone])).toEqual(before);
  });

  it('an orphan left by a timed-out allocate never becomes current; the retry rotates the recorded image', async () => {
    const oldId = await published();
    const v2 = cacheImage(site, 'qcow2', 'alpha-v2');
    // oned registers the image, but the answer never comes back within the call timeout.
    site.sim.inject({ method: 'one.image.allocate', fault: { type: 'hang' }, after: true });
    const r = await hook(Object.assign(availableEvent(site, v2), { VMCHNDL_ON_CALL_TIMEOUT: '1' }));
    expect(r.code).toBe(2);
    await site.sim.settle();
    expect(record(site).current!.id).toBe(oldId);
    expect(site.sim.image(oldId)).toMatchObject({ name: ALPHA, uid: ursula });
    site.sim.clearFaults();
    const again = await hook({}, ['retry']);
    expect(again.code, again.stderr).toBe(0);
    expectRotatedFor(oldId, v2.sha512);
    // Nothing named after the identifier is left but the current image and what ursula could not own.
    expect(site.sim.images().filter((i) => i.name === ALPHA).map((i) => i.uid)).toEqual([ursula]);
  });

  it('a crash after oned registered the new image, before its id was journalled, ends with the record holding it after recover', async () => {
    const oldId = await published();
    const v2 = cacheImage(site, 'qcow2', 'alpha-v2');
    await runUntilKilled(site, availableEvent(site, v2), { method: 'one.image.allocate', nth: 1, after: true }, { node });
    expect(record(site).current!.id).toBe(oldId);
    const r = await cmd(['recover']);
    expect(r.code, r.stderr).toBe(0);
    await site.sim.settle();
    expectRotatedFor(oldId, v2.sha512);
    expect(record(site).retired[0]).toMatchObject({ id: oldId, from: { uid: ursula, mode: '644' } });
    expect(stateFiles(site, 'journal')).toEqual([]);
  });

  it('without a record, refuses an extra look-alike owned by another user once, then adopt decides', async () => {
    // As 0.0.8 left the site: the current image published to ursula; mallory's look-alike beside it.
    const real = site.sim.addImage({ name: ALPHA, uid: ursula, gid: 1, mode: '644', regtime: 1430000000, template: { VMCATCHER_EVENT_DC_IDENTIFIER: ALPHA } });
    const fake = await allocateAs(site, 'mallory:m', ALPHA, { VMCATCHER_EVENT_DC_IDENTIFIER: ALPHA });
    await site.sim.settle();
    const before = snapshot(site, [real, fake]);
    site.sim.clearCalls();
    const v2 = cacheImage(site, 'qcow2', 'alpha-v2');
    const r = await hook(availableEvent(site, v2));
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(new RegExp(`image ${real} \\("${ALPHA}", owner ursula, mode 644, registered 2015-04-25T22:13:20\\.000Z\\)`));
    expect(r.stderr).toMatch(new RegExp(`image ${fake} \\("${ALPHA}", owner mallory`));
    expect(r.stderr).toContain(`vmcatcher_eventHndl_ON adopt ${ALPHA} <image id>`);
    expect(writeCalls(site.sim)).toEqual([]);
    expect(snapshot(site, [real, fake])).toEqual(before);
    expect(stateFiles(site, 'spool')).toHaveLength(1);

    const bad = await cmd(['adopt', ALPHA, '424242']);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toContain('there is no image 424242');
    const unrelated = site.sim.addImage({ name: 'ubuntu', template: { DESCRIPTION: 'by hand' } });
    const wrong = await cmd(['adopt', ALPHA, String(unrelated)]);
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).toContain(`does not carry VMCATCHER_EVENT_DC_IDENTIFIER=${ALPHA}`);
    expect(stateFiles(site, 'spool')).toHaveLength(1);
    const a = await cmd(['adopt', ALPHA, String(real)]);
    expect(a.code, a.stderr).toBe(0);
    expect(a.stderr).toMatch(new RegExp(`recorded image ${real} .* as the current image of ${ALPHA}`));
    expect(stateFiles(site, 'spool')).toEqual([]);
    expect(site.sim.image(real)).toMatchObject({ uid: 0, stateName: 'DISABLED' });
    const now = site.sim.images().filter((i) => i.name === ALPHA && i.uid === ursula)[0];
    expect(now.template.VMCATCHER_EVENT_SL_CHECKSUM_SHA512).toBe(v2.sha512);
    expect(snapshot(site, [fake])).toEqual(before.filter((x) => x.id === fake));
  });

  it('migrates from 0.0.8: adopts its single current image, keeps its retired ones, records from then on', async () => {
    const tpl = { VMCATCHER_EVENT_DC_IDENTIFIER: ALPHA, VMCATCHER_EVENT_HV_VERSION: '1.0' };
    const old1 = site.sim.addImage({ name: `${ALPHA}_EXPIRED_2014-06-04_10-54-44`, mode: '600', state: 'DISABLED', regtime: 1401000000, template: tpl });
    const old2 = site.sim.addImage({ name: `${ALPHA} 2015-01-02_03-04-05`, mode: '600', state: 'DISABLED', regtime: 1420000000, template: tpl });
    const cur = site.sim.addImage({ name: ALPHA, uid: ursula, gid: 1, mode: '640', runningVms: 1, regtime: 1430000000, template: tpl });
    const v2 = cacheImage(site, 'qcow2', 'alpha-v2');
    const r = await hook(availableEvent(site, v2));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`no record of ${ALPHA} .*adopting image ${cur}`));
    const now = site.sim.images().filter((i) => i.name === ALPHA)[0];
    expect([now.uid, now.permissions.join('')]).toEqual([ursula, '110100000']);
    expect(record(site)).toMatchObject({ current: { id: now.id, how: 'registered' }, retired: [{ id: cur, from: { uid: ursula, mode: '640' } }] });
    expect([site.sim.image(old1)!.name, site.sim.image(old2)!.name]).toEqual([`${ALPHA}_EXPIRED_2014-06-04_10-54-44`, `${ALPHA} 2015-01-02_03-04-05`]);
    // From now on a look-alike registered by another user is ignored.
    const fake = await allocateAs(site, 'mallory:m', ALPHA, { VMCATCHER_EVENT_DC_IDENTIFIER: ALPHA });
    await site.sim.settle();
    const v3 = cacheImage(site, 'qcow2', 'alpha-v3');
    const r3 = await hook(availableEvent(site, v3));
    expect(r3.code, r3.stderr).toBe(0);
    expect(site.sim.images().filter((i) => i.name === ALPHA && i.uid === ursula)[0].template.VMCATCHER_EVENT_SL_CHECKSUM_SHA512).toBe(v3.sha512);
    expect(site.sim.image(fake)!.uid).toBe(mallory);
  });

  it('after a lost state directory, adopts the single current image again and carries on', async () => {
    const oldId = await published();
    fs.rmSync(site.stateDir, { recursive: true, force: true });
    const v2 = cacheImage(site, 'qcow2', 'alpha-v2');
    const r = await hook(availableEvent(site, v2));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/lost state directory\): adopting image/);
    expectRotatedFor(oldId, v2.sha512);
  });
});
