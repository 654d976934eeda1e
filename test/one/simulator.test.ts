// The client against the oned simulator (test/sim) in each simulated version: every OneApi method,
// each error class and failure-array shape, injected faults, https, and hostile template values
// that must come back exactly through allocate + image.info.

import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OneError, OneTransportError } from '../../src/errors';
import { createOneClient } from '../../src/one/client';
import { IMAGE_STATE, type OneApi } from '../../src/one/types';
import { startSimulator, type Simulator, type SimVersion } from '../sim/index';
import { HOSTILE } from './hostile-values';
import { makeCert } from './tls-cert';

let dir: string;
beforeAll(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'one-sim-')));
  writeFileSync(join(dir, 'disk.img'), Buffer.alloc(64 * 1024));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function rejection(p: Promise<unknown>): Promise<Error> {
  return p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: Error) => e,
  );
}

async function waitReady(api: OneApi, sim: Simulator, id: number): Promise<void> {
  await sim.settle();
  expect((await api.imageInfo(id)).state).toBe(IMAGE_STATE.READY);
}

describe.each(['5.2', '5.8', '6.10'] as SimVersion[])('oned %s', (version) => {
  let sim: Simulator;
  let api: OneApi;
  let ds: number;

  beforeAll(async () => {
    sim = await startSimulator({ version, copyDelayMs: 5 });
    api = createOneClient({ endpoint: sim.url, session: 'oneadmin:opennebula', timeoutMs: 5000 });
    ds = sim.addDatastore({ name: 'test', safeDirs: dir });
  });
  afterAll(() => sim.close());

  it('answers system, user, group and datastore calls', async () => {
    expect(typeof (await api.systemVersion())).toBe('string');
    expect(await api.userInfo(-1)).toMatchObject({ id: 0, name: 'oneadmin', gid: 0, groups: [0] });
    const bob = sim.addUser({ name: 'bob', password: 'pw' });
    expect((await api.userPool()).map((u) => u.name)).toEqual(expect.arrayContaining(['oneadmin', 'bob']));
    expect(await api.userInfo(bob)).toMatchObject({ id: bob, name: 'bob' });
    expect((await api.groupPool()).map((g) => g.name)).toEqual(expect.arrayContaining(['oneadmin', 'users']));
    const pool = await api.datastorePool();
    expect(pool.map((d) => d.id)).toContain(ds);
    expect(await api.datastoreInfo(ds)).toMatchObject({ id: ds, name: 'test', type: 0, template: { SAFE_DIRS: dir } });
  });

  it('allocates, changes and deletes an image', async () => {
    const id = await api.imageAllocate({ NAME: `img-${version}`, PATH: join(dir, 'disk.img'), TYPE: 'OS', COLOR: 'blue' }, ds);
    await waitReady(api, sim, id);
    expect((await api.imagePool()).map((i) => i.id)).toContain(id);

    const group = sim.addGroup('team');
    const alice = sim.addUser({ name: 'alice', password: 'pw', gid: group });
    await api.imageChown(id, alice, group);
    await api.imageChmod(id, [1, 1, 0, 1, 0, 0, -1, -1, -1]);
    await api.imageRename(id, `renamed-${version}`);
    await api.imageEnable(id, false);
    await api.imageUpdate(id, { SHAPE: 'round' }, true);
    let img = await api.imageInfo(id);
    expect(img).toMatchObject({ uid: alice, gid: group, name: `renamed-${version}`, state: IMAGE_STATE.DISABLED, permissions: [1, 1, 0, 1, 0, 0, 0, 0, 0] });
    expect(img.template).toMatchObject({ COLOR: 'blue', SHAPE: 'round' });
    expect(sim.image(id)).toMatchObject({ uid: alice, name: `renamed-${version}`, stateName: 'DISABLED' });

    await api.imageUpdate(id, { ONLY: 'this' }, false);
    img = await api.imageInfo(id);
    expect(img.template.ONLY).toBe('this');
    expect(img.template.COLOR).toBeUndefined();

    await api.imageEnable(id, true);
    await api.imageDelete(id);
    await sim.settle();
    const gone = await rejection(api.imageInfo(id));
    expect(gone).toBeInstanceOf(OneError);
    expect(gone).toMatchObject({ oneClass: 'NO_EXISTS' });
  });

  it('carries hostile template values through allocate and image.info exactly', async () => {
    const id = await api.imageAllocate({ NAME: `hostile-${version}`, PATH: join(dir, 'disk.img'), ...HOSTILE, EMPTY2: '', CLOSER: 'x]]>y' }, ds);
    await waitReady(api, sim, id);
    const { template } = await api.imageInfo(id);
    for (const [name, value] of Object.entries(HOSTILE)) expect([name, template[name]]).toEqual([name, value]);
    expect(template.CLOSER).toBe('x]] >y');
    expect(template.EMPTY2).toBe('');
    const fromPool = (await api.imagePool()).find((i) => i.id === id);
    expect(fromPool?.template).toEqual(template);
  });

  it('maps oned failures to OneError in this version shape', async () => {
    const missing = (await rejection(api.imageInfo(424242))) as OneError;
    expect(missing).toMatchObject({ oneClass: 'NO_EXISTS', oneCode: 0x400 });
    expect(missing.oneMessage).toMatch(/424242/);
    if (version === '5.2') expect(missing.objectId).toBeUndefined();
    else expect(missing.objectId).toBe(424242);

    const stranger = createOneClient({ endpoint: sim.url, session: 'oneadmin:wrong' });
    expect(await rejection(stranger.imagePool())).toMatchObject({ oneClass: 'AUTHENTICATION', oneCode: 0x100 });

    const carol = sim.addUser({ name: 'carol', password: 'pw' });
    const secret = sim.addImage({ name: `secret-${version}`, mode: '600' });
    expect(carol).toBeGreaterThan(0);
    const asCarol = createOneClient({ endpoint: sim.url, session: 'carol:pw' });
    expect(await rejection(asCarol.imageInfo(secret))).toMatchObject({ oneClass: 'AUTHORIZATION', oneCode: 0x200 });

    const used = sim.addImage({ name: `used-${version}`, state: 'USED' });
    expect(await rejection(api.imageDelete(used))).toMatchObject({ oneClass: 'ACTION', oneCode: 0x800 });

    sim.inject({ method: 'one.image.rename', fault: { type: 'error', code: 0x8000, message: 'The resource is locked.' } });
    expect(await rejection(api.imageRename(used, 'x'))).toMatchObject({ oneClass: 'LOCKED', oneCode: 0x8000 });
  });

  it('maps injected transport faults to their reasons', async () => {
    const quick = createOneClient({ endpoint: sim.url, session: 'oneadmin:opennebula', timeoutMs: 300 });
    sim.inject({ method: 'one.system.version', fault: { type: 'http500' } });
    expect(await rejection(quick.systemVersion())).toMatchObject({ reason: 'http' });
    sim.inject({ method: 'one.system.version', fault: { type: 'drop' } });
    expect(await rejection(quick.systemVersion())).toMatchObject({ reason: 'connection' });
    sim.inject({ method: 'one.system.version', fault: { type: 'body', body: '<html>proxy error</html>', contentType: 'text/html' } });
    expect(await rejection(quick.systemVersion())).toMatchObject({ reason: 'malformed' });
    sim.inject({ method: 'one.image.info', fault: { type: 'hang' } });
    const started = Date.now();
    const hung = await rejection(quick.imageInfo(0));
    expect(hung).toBeInstanceOf(OneTransportError);
    expect(hung).toMatchObject({ reason: 'timeout' });
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('https simulator with a self-signed certificate', () => {
  let sim: Simulator;
  let certFile: string;
  beforeAll(async () => {
    const cert = makeCert(dir, 'sim', 'IP:127.0.0.1');
    certFile = cert.certFile;
    sim = await startSimulator({ version: '6.10', tls: { key: cert.key, cert: cert.cert } });
  });
  afterAll(() => sim.close());

  it('is refused by default, accepted with caFile or insecure', async () => {
    expect(sim.url.startsWith('https://')).toBe(true);
    const session = 'oneadmin:opennebula';
    expect(await rejection(createOneClient({ endpoint: sim.url, session }).systemVersion())).toMatchObject({ reason: 'connection' });
    expect(typeof (await createOneClient({ endpoint: sim.url, session, caFile: certFile }).systemVersion())).toBe('string');
    expect(typeof (await createOneClient({ endpoint: sim.url, session, insecure: true }).systemVersion())).toBe('string');
  });
});
