// What changes between 5.2, 5.8 and 6.10: failure array shapes, message prefixes, IMAGE elements,
// the version string and the force flag of one.image.delete.
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, Simulator, SimVersion } from './index';
import { admin, b, call, i, ok, parseDoc, s } from './rpc';

let sim: Simulator;
afterEach(async () => sim?.close());

const cases: Array<[SimVersion, string, string[], string]> = [
  ['5.2', '[ImageInfo]', ['boolean', 'string', 'i4'], '5.2.1'],
  ['5.8', '[one.image.info]', ['boolean', 'string', 'i4', 'i4'], '5.8.5'],
  ['6.10', '[one.image.info]', ['boolean', 'string', 'i4', 'i4', 'i8'], '6.10.0'],
];

describe.each(cases)('oned %s', (version, prefix, failureTypes, versionString) => {
  it('shapes failure and success arrays like that version', async () => {
    sim = await startSimulator({ version });
    const fail = await admin(sim.url, 'one.image.info', i(42));
    expect(fail.items.map((x) => x.t)).toEqual(failureTypes);
    expect(fail.items[1].v).toBe(`${prefix} Error getting image [42].`);
    expect(fail.items[2].v).toBe(0x400);
    if (version !== '5.2') expect(fail.items[3].v).toBe(42);
    if (version === '6.10') expect(fail.items[4].v).toBe(-1);
    const success = await admin(sim.url, 'one.system.version');
    expect(success.items).toEqual([
      { t: 'boolean', v: true },
      { t: 'string', v: versionString },
      { t: 'i4', v: 0 },
    ]);
  });

  it('writes the IMAGE elements of that version', async () => {
    sim = await startSimulator({ version });
    const id = sim.addImage({ name: 'x', runningVms: 2 });
    const xml = ok(await admin(sim.url, 'one.image.info', i(id))) as string;
    const img = parseDoc(xml).IMAGE[0];
    expect(img.STATE).toBe('2');
    expect(img.VMS.ID).toEqual(['0', '1']);
    expect('FSTYPE' in img).toBe(version !== '6.10');
    expect('FORMAT' in img && 'FS' in img && 'PREV_STATE' in img && 'BACKUP_INCREMENTS' in img).toBe(version === '6.10');
    if (version === '5.2') expect(xml).toContain('<SNAPSHOTS></SNAPSHOTS>');
    else expect(xml).toContain('<SNAPSHOTS><ALLOW_ORPHANS><![CDATA[NO]]></ALLOW_ORPHANS><CURRENT_BASE><![CDATA[-1]]></CURRENT_BASE>');
  });
});

describe('deleting a LOCKED image', () => {
  it('is refused on 6.10 without force, and done with force by oneadmin', async () => {
    sim = await startSimulator({ version: '6.10' });
    const id = sim.addImage({ name: 'x', state: 'LOCKED' });
    const refused = await admin(sim.url, 'one.image.delete', i(id));
    expect(refused.items.slice(1, 4).map((x) => x.v)).toEqual([
      '[one.image.delete] Image locked, use --force flag to remove the image. Force delete may leave some files on Datastore',
      0x2000,
      id,
    ]);
    expect(ok(await admin(sim.url, 'one.image.delete', i(id), b(true)))).toBe(id);
    await sim.settle();
    expect(sim.image(id)).toBeUndefined();
  });

  it('is done on 5.8 by oneadmin, the force flag being ignored, and refused to an owner without ADMIN', async () => {
    sim = await startSimulator({ version: '5.8' });
    const uid = sim.addUser({ name: 'u', password: 'p' });
    const mine = sim.addImage({ name: 'mine', uid, state: 'LOCKED' });
    const theirs = sim.addImage({ name: 'x', state: 'LOCKED' });
    expect(ok(await admin(sim.url, 'one.image.delete', i(theirs), b(false)))).toBe(theirs);
    const refused = await call(sim.url, 'one.image.delete', s('u:p'), i(mine));
    expect(refused.items[1].v).toBe(`[one.image.delete] User [${uid}] : Not authorized to perform ADMIN IMAGE [${mine}].`);
    expect(sim.image(mine)?.stateName).toBe('LOCKED');
  });
});
