// OpenNebula's rules for who may do what: sessions, owner/group/other bits, ADMIN for ADMIN bits,
// the oneadmin group, the default ACLs, and what imagepool.info(-2) lists.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, Simulator } from './index';
import { Answer, call, i, ok, parseDoc, s } from './rpc';

let sim: Simulator;
let alice: number;
let bob: number;
let eve: number;
beforeEach(async () => {
  sim = await startSimulator({ version: '5.8' });
  alice = sim.addUser({ name: 'alice', password: 'a' });
  bob = sim.addUser({ name: 'bob', password: 'b' });
  eve = sim.addUser({ name: 'eve', password: 'e', gid: sim.addGroup('outsiders') });
});
afterEach(async () => sim.close());

const as = (who: string, method: string, ...args: ReturnType<typeof i>[]): Promise<Answer> => call(sim.url, method, s(who), ...args);
const text = (a: Answer): unknown => (a.items[0].v ? 'OK' : a.items[1].v);

describe('sessions', () => {
  it('refuses a wrong password or an unknown user with AUTHENTICATION', async () => {
    for (const session of ['alice:x', 'nobody:a', 'alice', '']) {
      const res = await call(sim.url, 'one.imagepool.info', s(session), i(-2), i(-1), i(-1));
      expect(res.items.slice(0, 4).map((x) => x.v)).toEqual([false, "[one.imagepool.info] User couldn't be authenticated, aborting call.", 0x100, -1]);
    }
  });
});

describe('permissions', () => {
  it('lists in pool -2 only what the caller owns or may use', async () => {
    const own = sim.addImage({ name: 'own', uid: alice, mode: '000' });
    const groupUse = sim.addImage({ name: 'g', uid: bob, mode: '640' });
    sim.addImage({ name: 'private', uid: bob, mode: '600' });
    const otherUse = sim.addImage({ name: 'o', uid: 0, gid: 0, mode: '604' });
    const xml = ok(await as('alice:a', 'one.imagepool.info', i(-2), i(-1), i(-1))) as string;
    // Newest first, as oned lists pools (API_LIST_ORDER=DESC).
    expect(parseDoc(xml).IMAGE_POOL.IMAGE.map((x: { ID: string }) => Number(x.ID))).toEqual([otherUse, groupUse, own]);
    const mine = parseDoc(ok(await as('alice:a', 'one.imagepool.info', i(-3), i(-1), i(-1))) as string).IMAGE_POOL.IMAGE;
    expect(mine.map((x: { ID: string }) => Number(x.ID))).toEqual([own]);
    // the owner is listed, yet without OWNER_U may not even read it
    expect(text(await as('alice:a', 'one.image.info', i(own)))).toBe(`[one.image.info] User [${alice}] : Not authorized to perform USE IMAGE [${own}].`);
  });

  it('needs MANAGE for rename/update/enable/delete and ADMIN to change ADMIN bits', async () => {
    const img = sim.addImage({ name: 'n', uid: bob, mode: '640' });
    const refused = `[one.image.rename] User [${alice}] : Not authorized to perform MANAGE IMAGE [${img}].`;
    expect(text(await as('alice:a', 'one.image.rename', i(img), s('x')))).toBe(refused);
    ok(await call(sim.url, 'one.image.chmod', s('bob:b'), ...[img, -1, -1, -1, -1, 1, -1, -1, -1, -1].map(i)));
    expect(text(await as('alice:a', 'one.image.rename', i(img), s('x')))).toBe('OK');
    expect(text(await as('bob:b', 'one.image.chmod', ...[img, -1, -1, 1, -1, -1, -1, -1, -1, -1].map(i)))).toBe(
      `[one.image.chmod] User [${bob}] : Not authorized to perform ADMIN IMAGE [${img}].`,
    );
  });

  it('needs MANAGE on the new owner and USE on the new group to chown, and reports every refusal', async () => {
    const img = sim.addImage({ name: 'n', uid: alice, mode: '600' });
    const res = await as('alice:a', 'one.image.chown', i(img), i(bob), i(1));
    expect(text(res)).toBe(`[one.image.chown] User [${alice}] : Not authorized to perform MANAGE USER [${bob}].`);
    const gid = sim.addGroup('closed');
    expect(text(await as('alice:a', 'one.image.chown', i(img), i(eve), i(gid)))).toBe(
      `[one.image.chown] User [${alice}] : Not authorized to perform MANAGE USER [${eve}]; Not authorized to perform USE GROUP [${gid}].`,
    );
    expect(text(await as('alice:a', 'one.image.chown', i(img), i(-1), i(1)))).toBe('OK');
  });

  it('lets the oneadmin group do anything, and only it', async () => {
    const img = sim.addImage({ name: 'n', uid: alice, mode: '000' });
    expect(text(await as('serveradmin:serveradmin', 'one.image.chmod', ...[img, 1, 1, 1, 1, 1, 1, 1, 1, 1].map(i)))).toBe('OK');
    sim.addUser({ name: 'ops', password: 'o', gid: 0 });
    expect(text(await as('ops:o', 'one.image.delete', i(img)))).toBe('OK');
    expect(text(await as('bob:b', 'one.image.info', i(sim.addImage({ name: 'm', uid: alice, mode: '600' }))))).toMatch(/Not authorized to perform USE IMAGE/);
  });

  it('lets the users group create images in the default datastore, and no one else', async () => {
    expect(text(await as('alice:a', 'one.image.allocate', s('NAME="x"\nSIZE="1"'), i(1)))).toBe('OK');
    expect(text(await as('eve:e', 'one.image.allocate', s('NAME="x"\nSIZE="1"'), i(1)))).toBe(
      `[one.image.allocate] User [${eve}] : Not authorized to perform CREATE IMAGE; Not authorized to perform USE DATASTORE [1].`,
    );
  });

  it('answers user.info for oneself (-1) and refuses other users to non-admins', async () => {
    const me = parseDoc(ok(await as('alice:a', 'one.user.info', i(-1))) as string).USER[0];
    expect([me.ID, me.NAME, me.GNAME, me.GROUPS.ID]).toEqual([[String(alice)], 'alice', 'users', ['1']]);
    expect(text(await as('alice:a', 'one.user.info', i(bob)))).toBe(`[one.user.info] User [${alice}] : Not authorized to perform USE USER [${bob}].`);
    expect(text(await as('alice:a', 'one.user.info', i(99)))).toBe('[one.user.info] Error getting user [99].');
  });
});
