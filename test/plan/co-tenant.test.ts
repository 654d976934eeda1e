// The planner decides by the handler's own record: what other users put on their images never chooses
// the current image, its new owner, or the metadata a returning image gets.
import { describe, expect, it } from 'vitest';
import { AdminDecisionError } from '../../src/errors';
import { chooseImages } from '../../src/plan/choose-images';
import { plan } from '../../src/plan/plan';
import type { Observed, Step } from '../../src/plan/types';
import type { HandlerRecord } from '../../src/record/record';
import { ID, RUN, SUM1, SUM2, bits, config, event, image, observed } from '../helpers/records';

const U = 5;
const M = 6;
const kinds = (steps: readonly Step[]) => steps.map((s) => s.kind);
const touched = (steps: readonly Step[]) => steps.map((s) => (s as { image?: unknown }).image).filter((i) => typeof i === 'number');

function recorded(id: number | null, retired: HandlerRecord['retired'] = []): HandlerRecord {
  return { v: 1, identifier: ID, current: id === null ? null : { id, how: 'registered', at: '2026-01-01T00:00:00.000Z' }, retired };
}

/** The image the admin published to U. */
const published = image({ id: 7, name: ID, uid: U, gid: 100, uname: 'ursula', gname: 'users', permissions: bits('644'), regtime: 1000, template: { VMCATCHER_EVENT_DC_IDENTIFIER: ID, VMCATCHER_EVENT_SL_CHECKSUM_SHA512: SUM1 } });
/** M's look-alike: same name (names are unique per owner only), the identifier, a newer REGTIME. */
const lookAlike = image({ id: 9, name: ID, uid: M, gid: 100, uname: 'mallory', gname: 'users', permissions: bits('666'), regtime: 5000, template: { VMCATCHER_EVENT_DC_IDENTIFIER: ID, VMCATCHER_EVENT_SL_CHECKSUM_SHA512: SUM1 } });
/** M's forged retirement, newer than the real one, recording M as the owner with mode 666. */
const forgedRetired = image({
  id: 10,
  name: `${ID} 2026-11-01_00-00-00_+0000-UTC`,
  uid: M,
  gid: 100,
  uname: 'mallory',
  permissions: bits('600'),
  regtime: 5001,
  template: {
    VMCATCHER_EVENT_DC_IDENTIFIER: ID,
    VMCHNDL_ON_RETIRED: '2026-11-01T00:00:00.000Z',
    VMCHNDL_ON_RETIRED_FROM_UID: String(M),
    VMCHNDL_ON_RETIRED_FROM_GID: '100',
    VMCHNDL_ON_RETIRED_FROM_MODE: '666',
    VMCHNDL_ON_RETIRED_FROM_STATE: 'ENABLED',
  },
});
/** The handler's real retirement of the image it had published to U. */
function realRetired(id = 3, at = '2026-06-01T00:00:00.000Z') {
  return image({
    id,
    name: `${ID} ${at.slice(0, 10)}_00-00-00_+0000-UTC`,
    permissions: bits('700'),
    state: 3,
    template: {
      VMCATCHER_EVENT_DC_IDENTIFIER: ID,
      VMCHNDL_ON_RETIRED: at,
      VMCHNDL_ON_RETIRED_FROM_UID: String(U),
      VMCHNDL_ON_RETIRED_FROM_GID: '100',
      VMCHNDL_ON_RETIRED_FROM_MODE: '644',
      VMCHNDL_ON_RETIRED_FROM_STATE: 'ENABLED',
    },
  });
}
const retirement = { id: 3, at: '2026-06-01T00:00:00.000Z', from: { name: ID, uid: U, gid: 100, mode: '644', state: 'ENABLED' as const } };

function ownerSteps(p: ReturnType<typeof plan>) {
  return {
    chown: p.steps.filter((s) => s.kind === 'chown' && s.image === 'new')[0],
    chmod: p.steps.filter((s) => s.kind === 'chmod' && s.image === 'new')[0],
  };
}

describe('plan with the handler record: co-tenants cannot steer', () => {
  it("rotates the recorded image, not a newer look-alike, and gives the new version to the recorded image's owner", () => {
    const p = plan(event(), observed({ images: [lookAlike, published], record: recorded(7) }), config(), RUN);
    expect(p.action).toBe('rotate');
    expect(touched(p.steps).every((id) => id === 7)).toBe(true);
    expect(ownerSteps(p).chown).toMatchObject({ uid: U, gid: 100 });
    expect(ownerSteps(p).chmod).toMatchObject({ mode: '644' });
    expect(p.warnings.join('\n')).toMatch(/image 9 .*owner mallory.*not in the handler's record: ignored/);
  });

  it('keeps the recorded image current when its owner removed the identifier or marked it retired', () => {
    const edited = Object.assign({}, published, { template: { DESCRIPTION: 'my notes', VMCHNDL_ON_RETIRED: '2027-01-01T00:00:00Z' } });
    const c = chooseImages([edited, lookAlike], ID, '{identifier} {timestamp}', { record: recorded(7), adminUids: [0] });
    expect(c.current && c.current.id).toBe(7);
    expect(c.lookAlikes.map((i) => i.id)).toEqual([9]);
  });

  it('restores a returning image from the record, never from a forged retired image', () => {
    const p = plan(event(), observed({ images: [forgedRetired, realRetired()], record: recorded(null, [retirement]) }), config(), RUN);
    expect(p.action).toBe('register');
    expect(ownerSteps(p).chown).toMatchObject({ uid: U, gid: 100 });
    expect(ownerSteps(p).chmod).toMatchObject({ mode: '644' });
    expect(p.summary).toMatch(/retired image 3 had, as the handler recorded it/);
  });

  it('without a record, restores only from a retired image no ordinary user could have written', () => {
    const p = plan(event(), observed({ images: [forgedRetired, realRetired()] }), config(), RUN);
    expect(ownerSteps(p).chown).toMatchObject({ uid: U });
    expect(ownerSteps(p).chmod).toMatchObject({ mode: '644' });
    // Only the forgery: a first registration, private.
    const q = plan(event(), observed({ images: [forgedRetired] }), config(), RUN);
    expect(ownerSteps(q).chown).toBeUndefined();
    expect(ownerSteps(q).chmod).toMatchObject({ mode: '600' });
  });

  it('compares retirement times as times, not as strings', () => {
    // 09:00+10:00 is 23:00Z the day before: older, although it sorts after as a string.
    const older = Object.assign({}, realRetired(3, '2026-05-01T00:00:00.000Z'), {});
    const olderTpl = Object.assign({}, older.template, { VMCHNDL_ON_RETIRED: '2026-05-01T09:00:00+10:00', VMCHNDL_ON_RETIRED_FROM_MODE: '600' });
    const a = Object.assign({}, older, { template: olderTpl });
    const b = realRetired(4, '2026-05-01T00:00:00.000Z');
    const c = chooseImages([a, b], ID, '{identifier} {timestamp}', { adminUids: [0] });
    expect(c.retired.map((i) => i.id)).toEqual([4, 3]);
    expect(c.restore).toMatchObject({ imageId: 4, from: { mode: '644' } });
    const r = chooseImages([], ID, '{identifier} {timestamp}', {
      adminUids: [0],
      record: recorded(null, [Object.assign({}, retirement, { id: 3, at: '2026-05-01T09:00:00+10:00', from: Object.assign({}, retirement.from, { mode: '600' }) }), Object.assign({}, retirement, { id: 4, at: '2026-05-01T00:00:00.000Z' })]),
    });
    expect(r.restore).toMatchObject({ imageId: 4, source: 'record', from: { mode: '644' } });
  });

  it("refuses, before any change, when a leftover of the caller's holds the name, and says how to adopt it", () => {
    const leftover = image({ id: 12, name: ID, regtime: 6000, template: { VMCATCHER_EVENT_DC_IDENTIFIER: ID } });
    // oned would refuse the new image its name (names are unique per owner): say so before renaming anything.
    expect(() => plan(event(), observed({ images: [published, leftover], record: recorded(7) }), config(), RUN)).toThrow(
      new RegExp(`image 12 owned by oneadmin is already named "${ID}" but is not the handler's current image of ${ID}: rename it, or make it the current image with \`vmcatcher_eventHndl_ON adopt ${ID} 12\``),
    );
    expect(() => plan(event(), observed({ images: [leftover], record: recorded(null) }), config(), RUN)).toThrow(
      new RegExp(`image 12 owned by oneadmin is already named "${ID}" but is not the handler's current image of ${ID}: rename it, or make it the current image with \`vmcatcher_eventHndl_ON adopt ${ID} 12\``),
    );
  });

  it('expires the recorded image only, and records the retirement', () => {
    const expire = event({ kind: 'expire', type: 'ExpirePostfix' });
    const p = plan(expire, observed({ images: [lookAlike, published], record: recorded(7), subscriptionState: undefined }), config(), RUN);
    expect(touched(p.steps).every((id) => id === 7)).toBe(true);
    expect(p.steps[p.steps.length - 1]).toMatchObject({ kind: 'record', current: null, retire: { id: 7, from: { uid: U, mode: '644' } }, before: recorded(7) });
  });
});

describe('plan without a record: adopt one candidate, refuse several', () => {
  const since = 2000;
  const obs = (p: Partial<Observed>) => observed(Object.assign({ recordsSince: since }, p));

  it('adopts a single candidate older than the records with a warning, and records it with the rotation', () => {
    const p = plan(event(), obs({ images: [published] }), config(), RUN);
    expect(p.action).toBe('rotate');
    expect(p.warnings.join('\n')).toMatch(/no record of .*adopting image 7/);
    const rec = p.steps.filter((s) => s.kind === 'record')[0];
    expect(rec).toMatchObject({ current: 'new', retire: { id: 7, from: { uid: U, mode: '644' } }, before: null });
  });

  it('records an adopted image even when the event has nothing else to do', () => {
    const same = Object.assign({}, published, { template: Object.assign({}, published.template, { VMCATCHER_EVENT_SL_CHECKSUM_SHA512: SUM2 }) });
    const p = plan(event(), obs({ images: [same], file: undefined }), config(), RUN);
    expect(p.action).toBe('nothing');
    expect(kinds(p.steps)).toEqual(['record']);
    expect(p.steps[0]).toMatchObject({ current: 7, how: 'adopted' });
  });

  it('ignores a look-alike an ordinary user registered after the records began: a first registration, private', () => {
    const p = plan(event(), obs({ images: [lookAlike] }), config(), RUN);
    expect(p.action).toBe('register');
    expect(touched(p.steps)).toEqual([]);
    expect(ownerSteps(p).chmod).toMatchObject({ mode: '600' });
    expect(p.warnings.join('\n')).toMatch(/image 9 .*registered after the handler started keeping records: ignored/);
  });

  it('adopts an image only an admin could have made, whenever it was registered, beside a later look-alike', () => {
    const ours = image({ id: 8, name: ID, regtime: 4000, template: { VMCATCHER_EVENT_DC_IDENTIFIER: ID } });
    const c = chooseImages([ours, lookAlike], ID, '{identifier} {timestamp}', { recordsSince: since, adminUids: [0] });
    expect(c.adopt && c.adopt.id).toBe(8);
    expect(c.lookAlikes.map((i) => i.id)).toEqual([9]);
    // A published image (mode 666: others may manage it) is not one only an admin could have made.
    const open = Object.assign({}, ours, { permissions: bits('666') });
    expect(chooseImages([open], ID, '{identifier} {timestamp}', { recordsSince: since, adminUids: [0] }).adopt).toBeUndefined();
  });

  it('refuses several candidates, listing id, owner and registration time and the adopt command, changing nothing', () => {
    const old = Object.assign({}, lookAlike, { regtime: 1500 });
    let err: unknown;
    try {
      plan(event(), obs({ images: [published, old] }), config(), RUN);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AdminDecisionError);
    const msg = (err as Error).message;
    expect(msg).toMatch(/image 7 \("1e2b.*owner ursula.*registered 1970-01-01T00:16:40\.000Z/);
    expect(msg).toMatch(/image 9 .*owner mallory/);
    expect(msg).toContain(`vmcatcher_eventHndl_ON adopt ${ID} <image id>`);
    // With a record the same images are no longer ambiguous: the look-alike is ignored.
    expect(plan(event(), obs({ images: [published, old], record: recorded(7) }), config(), RUN).action).toBe('rotate');
  });
});
