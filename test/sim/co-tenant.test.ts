// What ordinary users can do to images, as oned 6.10 allows it (RequestManagerAllocate, Clone,
// UpdateTemplate, Chown; ImagePool::allocate; Template::check_restricted): allocate their own images
// with any name their own images do not hold and any attribute but IMAGE_RESTRICTED_ATTR, update
// images they may MANAGE, clone images they may USE (every attribute copied), never give an image away.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, Simulator } from './index';
import { admin, Answer, call, i, ok, parseDoc, s } from './rpc';

let sim: Simulator;
let ursula: number;
let mallory: number;
const ID = '1e2b8099-febf-444f-8078-8942ca3e5210';

async function boot(opts: { imageRestrictedAttrs?: string[] } = {}): Promise<void> {
  sim = await startSimulator(Object.assign({ version: '6.10' as const, copyDelayMs: 5 }, opts));
  ursula = sim.addUser({ name: 'ursula', password: 'u' });
  mallory = sim.addUser({ name: 'mallory', password: 'm' });
}
afterEach(async () => sim.close());

const as = (who: string, method: string, ...args: ReturnType<typeof i>[]): Promise<Answer> => call(sim.url, method, s(who), ...args);
const text = (a: Answer): unknown => (a.items[0].v ? 'OK' : a.items[1].v);
const tmpl = (id: number): Record<string, string> => sim.image(id)!.template;

describe('an ordinary user', () => {
  beforeEach(async () => boot());

  it("allocates an image named after another owner's image, with the identifier and our own markers", async () => {
    const official = sim.addImage({ name: ID, uid: ursula, mode: '644', template: { VMCATCHER_EVENT_DC_IDENTIFIER: ID } });
    const t = `NAME = "${ID}"\nSIZE = "1"\nTYPE = "DATABLOCK"\nVMCATCHER_EVENT_DC_IDENTIFIER = "${ID}"\nVMCHNDL_ON_RETIRED = "2099-01-01T00:00:00Z"\nVMCHNDL_ON_RUN = "x"`;
    const id = ok(await as('mallory:m', 'one.image.allocate', s(t), i(1))) as number;
    expect(sim.image(id)).toMatchObject({ uid: mallory, name: ID });
    expect(tmpl(id)).toMatchObject({ VMCATCHER_EVENT_DC_IDENTIFIER: ID, VMCHNDL_ON_RETIRED: '2099-01-01T00:00:00Z', VMCHNDL_ON_RUN: 'x' });
    expect(sim.image(official)!.uid).toBe(ursula);
    // Names are unique per owner only: the same name again is refused for mallory.
    expect(text(await as('mallory:m', 'one.image.allocate', s(t), i(1)))).toBe(`[one.image.allocate] Error allocating a new image. NAME is already taken by IMAGE ${id}.`);
  });

  it('updates its own images (merge and replace) but not an image it may only use', async () => {
    const own = sim.addImage({ name: 'mine', uid: mallory, mode: '600' });
    const official = sim.addImage({ name: ID, uid: ursula, mode: '644', template: { VMCATCHER_EVENT_DC_IDENTIFIER: ID } });
    expect(text(await as('mallory:m', 'one.image.update', i(own), s(`VMCATCHER_EVENT_DC_IDENTIFIER = "${ID}"\nVMCHNDL_ON_RETIRED_FROM_UID = "${mallory}"`), i(1)))).toBe('OK');
    expect(tmpl(own)).toMatchObject({ VMCATCHER_EVENT_DC_IDENTIFIER: ID, VMCHNDL_ON_RETIRED_FROM_UID: String(mallory) });
    expect(text(await as('mallory:m', 'one.image.update', i(official), s('DESCRIPTION = "mine now"'), i(1)))).toBe(
      `[one.image.update] User [${mallory}] : Not authorized to perform MANAGE IMAGE [${official}].`,
    );
    // The owner the admin chose edits its description.
    expect(text(await as('ursula:u', 'one.image.update', i(official), s('DESCRIPTION = "notes"'), i(1)))).toBe('OK');
    expect(tmpl(official).DESCRIPTION).toBe('notes');
  });

  it('cannot give its image to oneadmin or to another user', async () => {
    const own = sim.addImage({ name: 'mine', uid: mallory, mode: '600' });
    for (const uid of [0, ursula]) {
      expect(text(await as('mallory:m', 'one.image.chown', i(own), i(uid), i(-1)))).toBe(`[one.image.chown] User [${mallory}] : Not authorized to perform MANAGE USER [${uid}].`);
    }
    expect(sim.image(own)!.uid).toBe(mallory);
  });

  it('clones an image it may use: every attribute copied, owned by the cloner, LOCKED then READY, the source in CLONE meanwhile', async () => {
    const official = sim.addImage({ name: ID, uid: 0, mode: '644', template: { VMCATCHER_EVENT_DC_IDENTIFIER: ID, VMCHNDL_ON_RUN: 'r1', VCENTER_IMPORTED: 'YES' } });
    const id = ok(await as('mallory:m', 'one.image.clone', i(official), s(ID))) as number;
    expect(sim.image(id)).toMatchObject({ uid: mallory, gid: 1, name: ID, stateName: 'LOCKED', permissions: [1, 1, 0, 0, 0, 0, 0, 0, 0] });
    expect(sim.image(official)!.state).toBe(6);
    expect(tmpl(id)).toMatchObject({ VMCATCHER_EVENT_DC_IDENTIFIER: ID, VMCHNDL_ON_RUN: 'r1' });
    expect(tmpl(id).VCENTER_IMPORTED).toBeUndefined();
    await sim.settle();
    expect(sim.image(id)!.stateName).toBe('READY');
    expect(sim.image(official)!.stateName).toBe('READY');
    const doc = parseDoc(ok(await admin(sim.url, 'one.image.info', i(id))) as string).IMAGE[0];
    expect(doc.PATH).toBe(sim.image(official)!.source);
  });

  it('cannot clone an image it may not use, nor one that is disabled', async () => {
    const retired = sim.addImage({ name: `${ID} old`, uid: 0, mode: '700' });
    expect(text(await as('mallory:m', 'one.image.clone', i(retired), s('copy')))).toBe(`[one.image.clone] User [${mallory}] : Not authorized to perform USE IMAGE [${retired}].`);
    const off = sim.addImage({ name: 'off', uid: 0, mode: '644', state: 'DISABLED' });
    expect(text(await as('mallory:m', 'one.image.clone', i(off), s('copy')))).toBe('[one.image.clone] Error allocating a new image. Cannot clone image in state: DISABLED');
    expect(text(await as('mallory:m', 'one.image.clone', i(999), s('copy')))).toBe('[one.image.clone] Error getting image [999].');
  });
});

describe('IMAGE_RESTRICTED_ATTR', () => {
  it("refuses oned's defaults to ordinary users at allocate", async () => {
    await boot();
    expect(text(await as('mallory:m', 'one.image.allocate', s('NAME = "x"\nSOURCE = "/etc/passwd"\nSIZE = "1"'), i(1)))).toBe(
      `[one.image.allocate] User [${mallory}] : Template includes a restricted attribute SOURCE.`,
    );
  });

  it("with the handler's attributes listed: no new value from ordinary users, but a clone still carries them", async () => {
    await boot({ imageRestrictedAttrs: ['SOURCE', 'VCENTER_IMPORTED', 'VMCATCHER_EVENT_DC_IDENTIFIER', 'VMCHNDL_ON_RETIRED'] });
    expect(text(await as('mallory:m', 'one.image.allocate', s(`NAME = "x"\nSIZE = "1"\nTYPE = "DATABLOCK"\nVMCATCHER_EVENT_DC_IDENTIFIER = "${ID}"`), i(1)))).toBe(
      `[one.image.allocate] User [${mallory}] : Template includes a restricted attribute VMCATCHER_EVENT_DC_IDENTIFIER.`,
    );
    const own = sim.addImage({ name: 'mine', uid: mallory, mode: '600' });
    expect(text(await as('mallory:m', 'one.image.update', i(own), s(`VMCHNDL_ON_RETIRED = "2099"`), i(1)))).toBe(
      `[one.image.update] Cannot update template. User Template includes a restricted attribute VMCHNDL_ON_RETIRED`,
    );
    expect(text(await as('mallory:m', 'one.image.update', i(own), s(`VMCHNDL_ON_RETIRED = "2099"`), i(0)))).toBe(
      `[one.image.update] Cannot update template. Tried to change restricted attribute: VMCHNDL_ON_RETIRED`,
    );
    // The owner the admin chose may still edit the rest; a replace keeps the restricted attribute.
    const official = sim.addImage({ name: ID, uid: ursula, mode: '644', template: { VMCATCHER_EVENT_DC_IDENTIFIER: ID } });
    expect(text(await as('ursula:u', 'one.image.update', i(official), s('DESCRIPTION = "notes"'), i(0)))).toBe('OK');
    expect(tmpl(official)).toMatchObject({ DESCRIPTION: 'notes', VMCATCHER_EVENT_DC_IDENTIFIER: ID });
    const copy = ok(await as('mallory:m', 'one.image.clone', i(official), s(ID))) as number;
    expect(tmpl(copy).VMCATCHER_EVENT_DC_IDENTIFIER).toBe(ID);
  });
});
