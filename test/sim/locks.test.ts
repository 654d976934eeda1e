// one.image.lock / one.image.unlock over XML-RPC, as oned 6.10.5 answered them (recordings 59-89).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, Simulator } from './index';
import { Answer, b, call, i, ok, parseDoc, s } from './rpc';

let sim: Simulator;
let alice: number;
let img: number;
beforeEach(async () => {
  sim = await startSimulator({ version: '6.10' });
  alice = sim.addUser({ name: 'alice', password: 'a', gid: 1 });
  img = sim.addImage({ name: 'disk', uid: alice, gid: 1, mode: '660' });
});
afterEach(async () => sim.close());

const as = (who: string, method: string, ...args: Parameters<typeof call>[2][]): Promise<Answer> => call(sim.url, method, s(who), ...args);
const text = (a: Answer): unknown => (a.items[0].v ? 'OK' : a.items[1].v);
const ADMIN = 'oneadmin:opennebula';

describe('one.image.lock and one.image.unlock', () => {
  it('locks at a level: USE refuses the owner MANAGE and tells oneadmin it is locked; info shows LOCK', async () => {
    expect(ok(await as(ADMIN, 'one.image.lock', i(img), i(1), b(false)))).toBe(img);
    expect(text(await as('alice:a', 'one.image.enable', i(img), b(false)))).toBe(`[one.image.enable] User [${alice}] : Not authorized to perform MANAGE IMAGE [${img}].`);
    expect(text(await as(ADMIN, 'one.image.enable', i(img), b(false)))).toBe(`[one.image.enable] User [0] : IMAGE is locked. [${img}].`);
    const doc = parseDoc(ok(await as(ADMIN, 'one.image.info', i(img), b(false))) as string).IMAGE[0];
    expect(doc.LOCK.LOCKED).toBe('1');
    expect(doc.LOCK.OWNER).toBe('0');
  });

  it('locks again without test (OK), refuses with test, and keeps ALL (4) as USE', async () => {
    expect(ok(await as(ADMIN, 'one.image.lock', i(img), i(3), b(false)))).toBe(img);
    expect(ok(await as(ADMIN, 'one.image.lock', i(img), i(4), b(false)))).toBe(img);
    const refused = await as(ADMIN, 'one.image.lock', i(img), i(4), b(true));
    expect(refused.items[2].v).toBe(0x800);
    expect(String(refused.items[1].v)).toMatch(/^\[one\.image\.lock\] \d{10}$/);
    expect(parseDoc(ok(await as(ADMIN, 'one.image.info', i(img), b(false))) as string).IMAGE[0].LOCK.LOCKED).toBe('1');
  });

  it('unlocks: only the locker (or oneadmin); an unlocked image unlocks fine', async () => {
    expect(ok(await as('alice:a', 'one.image.lock', i(img), i(2), b(false)))).toBe(img);
    expect(ok(await as(ADMIN, 'one.image.unlock', i(img)))).toBe(img);
    expect(ok(await as(ADMIN, 'one.image.lock', i(img), i(3), b(false)))).toBe(img);
    const refused = await as('alice:a', 'one.image.unlock', i(img));
    expect([refused.items[1].v, refused.items[2].v]).toEqual(['[one.image.unlock] Cannot unlock: Lock is owned by another user', 0x800]);
    expect(ok(await as(ADMIN, 'one.image.unlock', i(img)))).toBe(img);
    expect(ok(await as(ADMIN, 'one.image.unlock', i(img)))).toBe(img);
    expect(parseDoc(ok(await as(ADMIN, 'one.image.info', i(img), b(false))) as string).IMAGE[0].LOCK).toBeUndefined();
  });
});
