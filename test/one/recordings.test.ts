// The client against real oned 5.2 answers (recorded byte for byte), and what it sends compared with
// the Ruby client's recorded requests: same method, parameter types and values.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OneError } from '../../src/errors';
import { createOneClient } from '../../src/one/client';
import { IMAGE_STATE, type OneApi } from '../../src/one/types';
import { recording, sendXml, startStub, type Stub } from './stub-server';
import { readMethodCall, readTextTemplate, readXmlTemplate, type WireCall } from './wire-helpers';

let stub: Stub;
let admin: OneApi;
let user: OneApi;

beforeAll(async () => {
  stub = await startStub();
  admin = createOneClient({ endpoint: stub.url, session: 'oneadmin:opennebula', timeoutMs: 5000 });
  user = createOneClient({ endpoint: stub.url, session: 'user:opennebula', timeoutMs: 5000 });
});
afterAll(() => stub.close());

/** Serves one recording for the next call; returns what the client sent. */
function answerWith(file: string): () => WireCall {
  const before = stub.requests.length;
  stub.handle((_req, res) => sendXml(res, recording(file)));
  return () => {
    expect(stub.requests.length).toBe(before + 1);
    return readMethodCall(stub.requests[before].body);
  };
}

function recordedRequest(file: string): WireCall {
  return readMethodCall(recording(file).toString('utf8'));
}

describe('image.info against recorded answers', () => {
  it('parses a READY image and sends what the Ruby client sent', async () => {
    const sent = answerWith('one.image.info.ready.xml');
    const image = await admin.imageInfo(32);
    expect(sent()).toEqual(recordedRequest('one.image.info.ready.request.xml'));
    expect(image).toMatchObject({
      id: 32,
      uid: 0,
      gid: 0,
      uname: 'oneadmin',
      gname: 'oneadmin',
      name: 'qwerty123@spec',
      permissions: [1, 1, 0, 0, 0, 0, 0, 0, 0],
      type: 0,
      persistent: false,
      regtime: 1488732267,
      source: '/var/lib/one//datastores/100/af925bc35591df9e67a4f00f2c45a155',
      path: '/tmp/cloudkeeper-spec-register-image/image.ext',
      format: 'raw',
      size: 1,
      state: IMAGE_STATE.READY,
      runningVms: 0,
      datastoreId: 100,
      datastore: 'spec',
      vms: [],
    });
    expect(image.lock).toBeUndefined();
    expect(Object.keys(image.template)).toHaveLength(23);
    expect(image.template.CLOUDKEEPER_APPLIANCE_TITLE).toBe('Spec!');
    expect(image.template.CLOUDKEEPER_APPLIANCE_CORE).toBe('');
    expect(image.template.CLOUDKEEPER_APPLIANCE_ATTRIBUTES).toBe('eyJhbnN3ZXIiOjQyfQ==');
  });

  it('parses LOCKED, ERROR, DISABLED and USED images', async () => {
    answerWith('one.image.info.locked.xml');
    const locked = await admin.imageInfo(14);
    expect(locked).toMatchObject({ id: 14, state: IMAGE_STATE.LOCKED, source: '', template: { DEV_PREFIX: 'hd' } });

    answerWith('one.image.info.error.xml');
    expect(await admin.imageInfo(14)).toMatchObject({ state: IMAGE_STATE.ERROR, path: '/var/tmp/file.img', size: 1 });

    answerWith('one.image.info.disabled.xml');
    const disabled = await admin.imageInfo(7);
    expect(disabled).toMatchObject({ id: 7, name: 'EXPIRED_1487517413_ttylinux07', state: IMAGE_STATE.DISABLED, regtime: 1487507044 });
    expect(disabled.template).toEqual({
      CLOUDKEEPER_APPLIANCE_ID: '777',
      CLOUDKEEPER_EXPIRED: 'yes',
      CLOUDKEEPER_ID: 'cloudkeeper-spec',
      DEV_PREFIX: 'hd',
      FSTYPE: 'raw',
      SPEC_ATTRIBUTE: 'test',
    });

    answerWith('one.image.info.used.xml');
    expect(await admin.imageInfo(3)).toMatchObject({ id: 3, state: IMAGE_STATE.USED, runningVms: 1, vms: [3] });
  });

  it('turns NO_EXISTS and AUTHORIZATION failures into OneError with oned message', async () => {
    const sent = answerWith('one.image.info.fail-no-exists.xml');
    const err = await user.imageInfo(42).catch((e: unknown) => e);
    expect(sent()).toEqual(recordedRequest('one.image.info.fail-no-exists.request.xml'));
    expect(err).toBeInstanceOf(OneError);
    expect(err).toMatchObject({ method: 'one.image.info', oneCode: 1024, oneClass: 'NO_EXISTS', oneMessage: '[ImageInfo] Error getting image [42].' });
    expect((err as OneError).objectId).toBeUndefined();
    expect((err as Error).message).toContain('[ImageInfo] Error getting image [42].');

    answerWith('one.image.info.fail-authorization.xml');
    await expect(user.imageInfo(5)).rejects.toMatchObject({
      oneCode: 512,
      oneClass: 'AUTHORIZATION',
      oneMessage: '[ImageInfo] User [2] : Not authorized to perform USE IMAGE [5].',
    });
  });
});

describe('image pool against recorded answers', () => {
  it('parses six images and sends the -2, -1, -1 filter', async () => {
    const sent = answerWith('one.imagepool.info.success.xml');
    const images = await admin.imagePool();
    expect(sent()).toEqual(recordedRequest('one.imagepool.info.success.request.xml'));
    expect(images.map((i) => [i.id, i.name, i.state])).toEqual([
      [3, 'ttylinux03', IMAGE_STATE.USED],
      [5, 'ttylinux05', IMAGE_STATE.READY],
      [6, 'ttylinux06', IMAGE_STATE.READY],
      [7, 'EXPIRED_1487517413_ttylinux07', IMAGE_STATE.DISABLED],
      [8, 'ttylinux08', IMAGE_STATE.READY],
      [11, 'cloudkeeper-spec-image', IMAGE_STATE.READY],
    ]);
    expect(images[0].template.CLOUDKEEPER_ID).toBe('cloudkeeper-nospec');
    expect(images[5].template).toEqual({ DEV_PREFIX: 'hd' });
  });

  it('gives [] for an empty pool', async () => {
    answerWith('one.imagepool.info.empty.xml');
    expect(await admin.imagePool()).toEqual([]);
  });

  it('turns an AUTHENTICATION failure into OneError', async () => {
    answerWith('one.imagepool.info.fail-authentication.xml');
    await expect(user.imagePool()).rejects.toMatchObject({
      oneCode: 256,
      oneClass: 'AUTHENTICATION',
      oneMessage: "[ImagePoolInfo] User couldn't be authenticated, aborting call.",
    });
  });
});

describe('image changes against recorded answers', () => {
  it('chown, chmod, rename, enable, delete send what the Ruby client sent', async () => {
    let sent = answerWith('one.image.chown.success.xml');
    await admin.imageChown(6, -1, 100);
    expect(sent()).toEqual(recordedRequest('one.image.chown.success.request.xml'));

    sent = answerWith('one.image.chmod.success.xml');
    await admin.imageChmod(16, [1, 1, 0, 0, 0, 0, 0, 0, 0]);
    expect(sent()).toEqual(recordedRequest('one.image.chmod.success.request.xml'));

    sent = answerWith('one.image.rename.success.xml');
    await admin.imageRename(16, 'EXPIRED_1488299622_ttylinux01');
    expect(sent()).toEqual(recordedRequest('one.image.rename.success.request.xml'));

    sent = answerWith('one.image.enable.success.xml');
    await admin.imageEnable(16, false);
    expect(sent()).toEqual(recordedRequest('one.image.enable.success.request.xml'));

    sent = answerWith('one.image.delete.success.xml');
    await admin.imageDelete(16);
    expect(sent()).toEqual(recordedRequest('one.image.delete.success.request.xml'));
  });

  it('delete with force sends a boolean 2nd parameter; without, none', async () => {
    let sent = answerWith('one.image.delete.success.xml');
    await admin.imageDelete(16, true);
    expect(sent().params.slice(1)).toEqual([
      { type: 'i4', value: '16' },
      { type: 'boolean', value: '1' },
    ]);
    sent = answerWith('one.image.delete.success.xml');
    await admin.imageDelete(16, false);
    expect(sent().params).toHaveLength(2);
  });

  it('a failed delete keeps oned ACTION message', async () => {
    const sent = answerWith('one.image.delete.fail-action.xml');
    await expect(user.imageDelete(0)).rejects.toMatchObject({
      oneCode: 2048,
      oneClass: 'ACTION',
      oneMessage: '[ImageDelete] Cannot delete image. There are 1 VMs using it.',
    });
    expect(sent()).toEqual(recordedRequest('one.image.delete.fail-action.request.xml'));
  });

  it('allocate sends the same attributes (XML form) and datastore, and returns the new id', async () => {
    const recorded = recordedRequest('one.image.allocate.success.request.xml');
    const attrs = readTextTemplate(recorded.params[1].value);
    expect(Object.keys(attrs)).toHaveLength(25);
    const sent = answerWith('one.image.allocate.success.xml');
    expect(await admin.imageAllocate(attrs, 100)).toBe(32);
    const call = sent();
    expect(call.method).toBe(recorded.method);
    expect(call.params.map((p) => p.type)).toEqual(recorded.params.map((p) => p.type));
    expect(call.params[0]).toEqual(recorded.params[0]);
    expect(call.params[2]).toEqual(recorded.params[2]);
    expect(call.params[1].value.startsWith('<TEMPLATE>')).toBe(true);
    expect(readXmlTemplate(call.params[1].value)).toEqual(attrs);
  });

  it('update sends id, the attributes and merge as i4 1 / 0', async () => {
    const recorded = recordedRequest('one.image.update.success.request.xml');
    let sent = answerWith('one.image.update.success.xml');
    await admin.imageUpdate(16, readTextTemplate(recorded.params[2].value), true);
    let call = sent();
    expect(call.method).toBe(recorded.method);
    expect(call.params.map((p) => p.type)).toEqual(['string', 'i4', 'string', 'i4']);
    expect([call.params[1], call.params[3]]).toEqual([recorded.params[1], recorded.params[3]]);
    expect(readXmlTemplate(call.params[2].value)).toEqual({ CLOUDKEEPER_EXPIRED: 'yes' });

    sent = answerWith('one.image.update.success.xml');
    await admin.imageUpdate(16, { A: 'b' }, false);
    call = sent();
    expect(call.params[3]).toEqual({ type: 'i4', value: '0' });
  });
});

describe('datastores and groups against recorded answers', () => {
  it('parses the datastore pool', async () => {
    const sent = answerWith('one.datastorepool.info.success.xml');
    const pool = await admin.datastorePool();
    expect(sent()).toEqual(recordedRequest('one.datastorepool.info.success.request.xml'));
    expect(pool.map((d) => [d.id, d.name, d.type, d.dsMad, d.tmMad, d.basePath])).toEqual([
      [0, 'system', 1, '-', 'ssh', '/var/lib/one//datastores/0'],
      [1, 'default', 0, 'fs', 'ssh', '/var/lib/one//datastores/1'],
      [2, 'files', 2, 'fs', 'ssh', '/var/lib/one//datastores/2'],
      [100, 'spec', 0, 'fs', 'ssh', '/var/lib/one//datastores/100'],
    ]);
    expect(pool[3].template).toMatchObject({ SAFE_DIRS: '/tmp', RESTRICTED_DIRS: '/', TYPE: 'IMAGE_DS' });
  });

  it('parses the group pool, skipping QUOTAS and DEFAULT_GROUP_QUOTAS', async () => {
    const sent = answerWith('one.grouppool.info.success.xml');
    expect(await admin.groupPool()).toEqual([
      { id: 0, name: 'oneadmin' },
      { id: 1, name: 'users' },
      { id: 100, name: 'rspec-group' },
    ]);
    expect(sent()).toEqual(recordedRequest('one.grouppool.info.success.request.xml'));
  });
});
