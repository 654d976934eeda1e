import { describe, expect, it } from 'vitest';
import { InvalidConfigError } from '../../src/errors';
import { plan } from '../../src/plan/plan';
import type { Step } from '../../src/plan/types';
import type { HandlerRecord } from '../../src/record/record';
import { describeStep } from '../../src/steps';
import { DATASTORE, ID, RUN, SUM1, SUM2, bits, config, event, file, image, observed } from '../helpers/records';

/** The handler's record with `id` as the current image. */
function recorded(id: number, retired: HandlerRecord['retired'] = []): HandlerRecord {
  return { v: 1, identifier: ID, current: { id, how: 'registered', at: '2026-01-01T00:00:00.000Z' }, retired };
}

const kinds = (steps: readonly Step[]) => steps.map((s) => s.kind);

describe('plan: AvailablePostfix', () => {
  it('registers a first image privately (mode 600, owned by the caller) after checking and converting', () => {
    const p = plan(event(), observed(), config(), RUN);
    expect(p.action).toBe('register');
    expect(kinds(p.steps)).toEqual(['convert', 'allocate', 'wait-ready', 'remove-staging', 'chmod', 'record']);
    // The checksum is checked while converting: one read of the file's time.
    expect(p.steps[0]).toMatchObject({ kind: 'convert', inputFormat: 'qcow2', outputFormat: 'raw', expectedSha512: SUM2 });
    expect(p.commitIndex).toBe(p.steps.length);
    const alloc = p.steps[1] as Extract<Step, { kind: 'allocate' }>;
    expect(alloc.template.NAME).toBe(ID);
    expect(alloc.template.TYPE).toBe('OS');
    expect(alloc.template.DESCRIPTION).toBe('Alpha Linux base image');
    expect(alloc.template.VMCATCHER_EVENT_SL_CHECKSUM_SHA512).toBe(SUM2);
    expect(alloc.template.PATH).toBe(`/var/tmp/vmcatcher_eventHndl_ON/${ID}.${RUN.runId}/${ID}.raw`);
    expect(p.steps[4]).toMatchObject({ kind: 'chmod', image: 'new', mode: '600' });
  });

  it('does nothing when the current image already holds this checksum', () => {
    const cur = image({ id: 7, name: ID, template: { VMCATCHER_EVENT_DC_IDENTIFIER: ID, VMCATCHER_EVENT_SL_CHECKSUM_SHA512: SUM2.toUpperCase() } });
    const p = plan(event(), observed({ images: [cur], file: undefined, record: recorded(7) }), config(), RUN);
    expect(p.action).toBe('nothing');
    expect(p.steps).toEqual([]);
  });

  it('rotates: rename old, register, carry over owner/group/mode/disabled, then retire the old one', () => {
    const cur = image({
      id: 7,
      name: ID,
      uid: 5,
      gid: 100,
      uname: 'alice',
      gname: 'users',
      permissions: bits('644'),
      state: 3,
      template: { VMCATCHER_EVENT_DC_IDENTIFIER: ID, VMCATCHER_EVENT_SL_CHECKSUM_SHA512: SUM1 },
    });
    const p = plan(event(), observed({ images: [cur] }), config(), RUN);
    expect(p.action).toBe('rotate');
    expect(kinds(p.steps)).toEqual([
      'convert',
      'rename',
      'allocate',
      'wait-ready',
      'remove-staging',
      'chown',
      'chmod',
      'enable',
      'record',
      'chown',
      'chmod',
      'mark-retired',
    ]);
    expect(p.steps[1]).toMatchObject({ image: 7, from: ID, to: `${ID} ${RUN.stamp}` });
    expect(p.steps[5]).toMatchObject({ image: 'new', uid: 5, gid: 100 });
    expect(p.steps[6]).toMatchObject({ image: 'new', mode: '644' });
    expect(p.steps[7]).toMatchObject({ image: 'new', enable: false });
    // The new image and the retirement enter the handler's record with the commit.
    expect(p.steps[8]).toMatchObject({
      kind: 'record',
      current: 'new',
      how: 'registered',
      retire: { id: 7, at: new Date(RUN.now).toISOString(), from: { name: ID, uid: 5, gid: 100, mode: '644', state: 'DISABLED' } },
      before: null,
    });
    expect(p.commitIndex).toBe(9);
    expect(p.steps[9]).toMatchObject({ image: 7, uid: 0, gid: 0, fromUid: 5, fromGid: 100 });
    expect(p.steps[10]).toMatchObject({ image: 7, mode: '700', fromMode: '644' });
    expect(p.steps[11]).toMatchObject({
      image: 7,
      attrs: { VMCHNDL_ON_RETIRED_FROM_UID: '5', VMCHNDL_ON_RETIRED_FROM_GID: '100', VMCHNDL_ON_RETIRED_FROM_MODE: '644', VMCHNDL_ON_RETIRED_FROM_STATE: 'DISABLED' },
    });
  });

  it('disables the retired image only when it is enabled, best effort', () => {
    const cur = image({ id: 7, name: ID, template: { VMCATCHER_EVENT_DC_IDENTIFIER: ID } });
    const p = plan(event(), observed({ images: [cur] }), config(), RUN);
    expect(p.steps[p.steps.length - 1]).toEqual({ kind: 'enable', image: 7, enable: false, bestEffort: true });
  });

  it('picks a free retired name for both owners and names the look-alikes it ignores', () => {
    const cur = image({ id: 7, name: ID, uid: 5, regtime: 10, template: { VMCATCHER_EVENT_DC_IDENTIFIER: ID } });
    const dup = image({ id: 9, name: 'copy', uid: 5, regtime: 99, template: { VMCATCHER_EVENT_DC_IDENTIFIER: ID } });
    const taken = image({ id: 3, name: `${ID} ${RUN.stamp}`, uid: 0 });
    const p = plan(event(), observed({ images: [dup, taken, cur], record: recorded(7) }), config(), RUN);
    expect(p.steps.filter((s) => s.kind === 'rename')[0]).toMatchObject({ image: 7, to: `${ID} ${RUN.stamp} 2` });
    expect(p.warnings.join()).toMatch(/image 9 \("copy".*not in the handler's record: ignored/);
  });

  it('ignores retired images, ours and 0.0.8 ones, when looking for the current image', () => {
    const imgs = [
      image({ id: 1, name: `${ID} 2014-06-04_12-54-44`, template: { VMCATCHER_EVENT_DC_IDENTIFIER: ID } }),
      image({ id: 2, name: `${ID}_EXPIRED_2014-06-04`, template: { VMCATCHER_EVENT_DC_IDENTIFIER: ID } }),
      image({ id: 3, name: 'x', template: { VMCATCHER_EVENT_DC_IDENTIFIER: ID, VMCHNDL_ON_RETIRED: '2026-01-01T00:00:00Z' } }),
    ];
    expect(plan(event(), observed({ images: imgs }), config(), RUN).action).toBe('register');
  });

  it('gives a returning image what its retired predecessor recorded', () => {
    const old = image({
      id: 3,
      name: `${ID} 2026-01-01_00-00-00_+0000-UTC`,
      template: {
        VMCATCHER_EVENT_DC_IDENTIFIER: ID,
        VMCHNDL_ON_RETIRED: '2026-01-01T00:00:00.000Z',
        VMCHNDL_ON_RETIRED_FROM_UID: '5',
        VMCHNDL_ON_RETIRED_FROM_GID: '100',
        VMCHNDL_ON_RETIRED_FROM_MODE: '640',
        VMCHNDL_ON_RETIRED_FROM_STATE: 'DISABLED',
      },
    });
    const p = plan(event(), observed({ images: [old] }), config(), RUN);
    expect(kinds(p.steps).slice(-4)).toEqual(['chown', 'chmod', 'enable', 'record']);
    expect(p.steps[p.steps.length - 4]).toMatchObject({ uid: 5, gid: 100 });
    expect(p.steps[p.steps.length - 3]).toMatchObject({ mode: '640' });
    const q = plan(event(), observed({ images: [old] }), config({ restoreRetired: 'no' }), RUN);
    expect(q.steps[q.steps.length - 2]).toMatchObject({ kind: 'chmod', mode: '600' });
  });

  it('hard-links a raw file into staging and checks the link, never the cached name, even where the datastore allows the cache', () => {
    for (const datastore of [DATASTORE, { ...DATASTORE, template: { SAFE_DIRS: '/var/lib/vmcatcher /var/tmp' } }]) {
      const linked = plan(event(), observed({ file: file('raw'), datastore }), config(), RUN);
      expect(kinds(linked.steps)).toEqual(['link', 'verify-checksum', 'allocate', 'wait-ready', 'remove-staging', 'chmod', 'record']);
      const link = linked.steps[0] as Extract<Step, { kind: 'link' }>;
      expect(link.input).toBe(`/var/lib/vmcatcher/cache/${ID}`);
      expect(linked.steps[1]).toEqual({ kind: 'verify-checksum', file: link.output, expected: SUM2, cached: link.input });
      expect((linked.steps[2] as Extract<Step, { kind: 'allocate' }>).template.PATH).toBe(link.output);
      expect(linked.warnings.join()).toMatch(/says format "qcow2", but qemu-img finds raw/);
    }
  });

  it('refuses before converting when the datastore would not copy from the staging directory, naming the setting and the fix', () => {
    const refusing = { ...DATASTORE, template: { SAFE_DIRS: '/var/tmp', RESTRICTED_DIRS: '/' } };
    let err: unknown;
    try {
      plan(event(), observed({ datastore: refusing }), config({ stagingDir: '/srv/staging' }), RUN);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidConfigError);
    expect((err as Error).message).toMatch(/VMCHNDL_ON_STAGING_DIR: oned would refuse to copy from \/srv\/staging: datastore default has SAFE_DIRS="\/var\/tmp", RESTRICTED_DIRS="\/"/);
    expect((err as Error).message).toMatch(/Add \/srv\/staging to SAFE_DIRS \(onedatastore update default\)/);
    // A staging dir inside RESTRICTED_DIRS but also under SAFE_DIRS is allowed; one under oned's own directories never is.
    expect(plan(event(), observed({ datastore: refusing }), config({ stagingDir: '/var/tmp/x' }), RUN).action).toBe('register');
    expect(() => plan(event(), observed({ datastore: { ...DATASTORE, template: { SAFE_DIRS: '/' } } }), config({ stagingDir: '/var/lib/one/tmp' }), RUN)).toThrow(/VMCHNDL_ON_STAGING_DIR/);
    // A raw file goes through staging too (a hard link, checked through itself): refused alike, even
    // where the datastore would copy from vmcatcher's cache.
    const cacheAllowed = { ...DATASTORE, template: { SAFE_DIRS: '/var/lib/vmcatcher', RESTRICTED_DIRS: '/' } };
    expect(() => plan(event(), observed({ file: file('raw'), datastore: cacheAllowed }), config({ stagingDir: '/srv/staging' }), RUN)).toThrow(/VMCHNDL_ON_STAGING_DIR/);
  });

  it('disables retired images left enabled because they were in use, once no VM uses them; leaves others alone', () => {
    const retired = (id: number, over: Partial<Parameters<typeof image>[0]>) =>
      image(Object.assign({ id, name: `${ID} 2026-01-0${id}_00-00-00_+0100-CET`, template: { VMCATCHER_EVENT_DC_IDENTIFIER: ID, VMCHNDL_ON_RETIRED: `2026-01-0${id}T00:00:00.000Z`, VMCHNDL_ON_DISABLE_WHEN_UNUSED: '2026-01-01T00:00:00.000Z' } }, over));
    const cur = image({ id: 9, name: ID, template: { VMCATCHER_EVENT_DC_IDENTIFIER: ID, VMCATCHER_EVENT_SL_CHECKSUM_SHA512: SUM2 } });
    const unused = retired(1, {});
    const used = retired(2, { state: 2, runningVms: 1 });
    const reEnabled = retired(3, { template: { VMCATCHER_EVENT_DC_IDENTIFIER: ID, VMCHNDL_ON_RETIRED: '2026-01-03T00:00:00.000Z' } });
    // Another user's image dressed up as retired, with the note: never touched.
    const forged = retired(4, { uid: 5, gid: 1, uname: 'mallory', permissions: [1, 1, 0, 0, 0, 0, 1, 0, 0] });
    const p = plan(event(), observed({ images: [cur, unused, used, reEnabled, forged], file: undefined, record: recorded(9) }), config(), RUN);
    expect(p.action).toBe('nothing');
    expect(p.summary).toMatch(/nothing to do; disable retired image 1, no longer in use$/);
    expect(p.steps).toEqual([
      { kind: 'mark-retired', image: 1, attrs: { VMCHNDL_ON_DISABLE_WHEN_UNUSED: '' } },
      { kind: 'enable', image: 1, enable: false, bestEffort: true },
    ]);
    // After a rotation's own steps, rolled forward.
    const q = plan(event(), observed({ images: [image({ id: 9, name: ID, template: { VMCATCHER_EVENT_DC_IDENTIFIER: ID } }), unused], record: recorded(9) }), config(), RUN);
    expect(q.steps.slice(-2).map((s) => s.kind)).toEqual(['mark-retired', 'enable']);
    expect(q.commitIndex).toBeLessThan(q.steps.length - 2);
  });

  it('refuses before any change when an unrelated image holds the name', () => {
    const other = image({ id: 4, name: ID, template: {} });
    expect(() => plan(event(), observed({ images: [other] }), config(), RUN)).toThrow(/image 4 owned by oneadmin is already named/);
  });

  it('skips checksum verification when configured off, and converts to qcow2 when asked', () => {
    const p = plan(event(), observed({ file: file('raw') }), config({ verifyChecksum: 'no', format: 'qcow2' }), RUN);
    expect(kinds(p.steps)[0]).toBe('convert');
    expect(p.steps[0]).not.toHaveProperty('expectedSha512');
    expect((p.steps[1] as Extract<Step, { kind: 'allocate' }>).template.DRIVER).toBe('qcow2');
  });
});

describe('plan: ExpirePostfix', () => {
  const cur = image({ id: 7, name: ID, uid: 5, gid: 100, permissions: bits('644'), template: { VMCATCHER_EVENT_DC_IDENTIFIER: ID } });
  const expire = event({ kind: 'expire', type: 'ExpirePostfix' });

  it('retires the current image when it is no longer subscribed; every step can be undone', () => {
    const p = plan(expire, observed({ images: [cur], subscriptionState: undefined }), config(), RUN);
    expect(p.action).toBe('retire');
    expect(kinds(p.steps)).toEqual(['rename', 'chown', 'chmod', 'mark-retired', 'enable', 'record']);
    expect(p.steps[5]).toMatchObject({ current: null, retire: { id: 7, from: { uid: 5, gid: 100, mode: '644', state: 'ENABLED' } } });
    expect(p.commitIndex).toBe(p.steps.length);
  });

  it("names the users and groups of a chown where observation knew them, and says the id alone where not", () => {
    const names = { users: { 0: 'oneadmin', 5: 'alice' }, groups: { 0: 'oneadmin' } };
    const p = plan(expire, observed({ images: [cur], subscriptionState: undefined, names }), config(), RUN);
    const chown = p.steps.filter((s) => s.kind === 'chown')[0];
    expect(chown).toMatchObject({ uid: 0, gid: 0, uname: 'oneadmin', gname: 'oneadmin', fromUname: 'alice' });
    expect(chown).not.toHaveProperty('fromGname');
    expect(describeStep(chown)).toBe('give image 7 to user oneadmin (0), group oneadmin (0) (one.image.chown; was user alice (5), group 100)');
    // Without names (an older journal), the ids.
    const bare = plan(expire, observed({ images: [cur], subscriptionState: undefined }), config(), RUN).steps.filter((s) => s.kind === 'chown')[0];
    expect(describeStep(bare)).toBe('give image 7 to user 0, group 0 (one.image.chown; was user 5, group 100)');
  });

  it('keeps the image while vmcatcher_image says 3 (an update follows)', () => {
    const p = plan(expire, observed({ images: [cur], subscriptionState: 3 }), config(), RUN);
    expect(p.action).toBe('nothing');
    expect(p.summary).toMatch(/AvailablePostfix will rotate/);
  });

  it('retires on any other state, and does nothing without a current image', () => {
    expect(plan(expire, observed({ images: [cur], subscriptionState: 1 }), config(), RUN).action).toBe('retire');
    expect(plan(expire, observed({ images: [] }), config(), RUN).action).toBe('nothing');
  });

  it('refuses to retire a locked image (one.image.lock): an expiry at any level, a rotation when the lock forbids the rename', () => {
    const locked = (level: number) => Object.assign({}, cur, { lock: level });
    for (const level of [1, 2, 3]) {
      expect(() => plan(expire, observed({ images: [locked(level)] }), config(), RUN)).toThrow(/image 7 .* is locked \(one.image.lock level \d\).*oneimage unlock 7/);
    }
    for (const level of [1, 2]) expect(() => plan(event(), observed({ images: [locked(level)] }), config(), RUN)).toThrow(/oneimage unlock 7/);
    expect(plan(event(), observed({ images: [locked(3)] }), config(), RUN).action).toBe('rotate');
  });
});
