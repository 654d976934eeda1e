// The simulator's VM templates over the wire, through the project's real client (createOneClient):
// allocate, info, update replace/merge (vectors, two DISKs), chown, chmod, rename, delete (never an
// image unless recursive), the pool's filters, per-owner names, permissions, locks, restricted attributes.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OneError } from '../../src/errors';
import { createOneClient } from '../../src/one/client';
import type { OneApi, TemplateNode } from '../../src/one/types';
import { startSimulator, Simulator, SimVersion } from './index';
import { b, call, i, ok, s } from './rpc';

let sim: Simulator;
let admin: OneApi;
let ursula: number;
let mallory: number;
let tenants: number;

const clientAs = (session: string): OneApi => createOneClient({ endpoint: sim.url, session });
async function boot(version: SimVersion = '6.10'): Promise<void> {
  sim = await startSimulator({ version, copyDelayMs: 0, deleteDelayMs: 0 });
  admin = clientAs('oneadmin:opennebula');
  tenants = sim.addGroup('tenants');
  ursula = sim.addUser({ name: 'ursula', password: 'u', groups: [tenants] });
  mallory = sim.addUser({ name: 'mallory', password: 'm' });
}
afterEach(async () => sim?.close());

async function failure(p: Promise<unknown>): Promise<OneError> {
  const e = await p.then(
    () => new Error('expected a failure'),
    (err: Error) => err,
  );
  if (!(e instanceof OneError)) throw e;
  return e;
}

const APPLIANCE: TemplateNode[] = [
  { name: 'NAME', value: 'CentOS 7 [x86_64]' },
  { name: 'MEMORY', value: '1024' },
  { name: 'CPU', value: '1' },
  { name: 'DISK', vector: { IMAGE_ID: '3' } },
  { name: 'OS', vector: { ARCH: 'x86_64' } },
  { name: 'CLOUDKEEPER_APPLIANCE_MPURI', value: 'https://appdb.example/store/vo/image/1:2/' },
];

describe.each(['5.2', '5.8', '6.10'] as SimVersion[])('oned %s', (version) => {
  beforeEach(async () => boot(version));

  it('allocates in the XML form; info gives the VMTEMPLATE our parser reads, NAME outside TEMPLATE', async () => {
    const before = Math.floor(Date.now() / 1000);
    const id = await admin.templateAllocate(APPLIANCE);
    const t = await admin.templateInfo(id);
    expect(t).toMatchObject({ id, uid: 0, gid: 0, uname: 'oneadmin', gname: 'oneadmin', name: 'CentOS 7 [x86_64]', permissions: [1, 1, 0, 0, 0, 0, 0, 0, 0] });
    expect(t.regtime).toBeGreaterThanOrEqual(before);
    expect(t.lock).toBeUndefined();
    expect(t.template).toEqual({ CLOUDKEEPER_APPLIANCE_MPURI: 'https://appdb.example/store/vo/image/1:2/', CPU: '1', MEMORY: '1024' });
    // oned sorts the attributes by name
    expect(t.nodes).toEqual([
      { name: 'CLOUDKEEPER_APPLIANCE_MPURI', value: 'https://appdb.example/store/vo/image/1:2/' },
      { name: 'CPU', value: '1' },
      { name: 'DISK', vector: { IMAGE_ID: '3' } },
      { name: 'MEMORY', value: '1024' },
      { name: 'OS', vector: { ARCH: 'x86_64' } },
    ]);
    expect(sim.template(id)).toMatchObject({ name: 'CentOS 7 [x86_64]', template: { MEMORY: '1024' } });
  });

  it('allocates the text form too, keeping two DISKs in order', async () => {
    const id = ok(await call(sim.url, 'one.template.allocate', s('oneadmin:opennebula'), s('NAME = "two"\nDISK = [ IMAGE_ID = "4" ]\nDISK = [ IMAGE_ID = "2", DEV_PREFIX = "vd" ]\nMEMORY = 512'))) as number;
    expect((await admin.templateInfo(id)).nodes).toEqual([
      { name: 'DISK', vector: { IMAGE_ID: '4' } },
      { name: 'DISK', vector: { DEV_PREFIX: 'vd', IMAGE_ID: '2' } },
      { name: 'MEMORY', value: '512' },
    ]);
  });

  it('refuses a name its owner already holds, an empty or invalid name, and a malformed template', async () => {
    const first = await admin.templateAllocate(APPLIANCE);
    const label = version === '5.2' ? 'TemplateAllocate' : 'one.template.allocate';
    const dup = await failure(admin.templateAllocate(APPLIANCE));
    expect([dup.oneMessage, dup.oneClass]).toEqual([`[${label}] NAME is already taken by TEMPLATE ${first}.`, 'INTERNAL']);
    expect((await failure(admin.templateAllocate([{ name: 'MEMORY', value: '1' }]))).oneMessage).toBe(`[${label}] Invalid NAME, it cannot be empty`);
    expect((await failure(admin.templateAllocate([{ name: 'NAME', value: 'a/b' }]))).oneMessage).toBe(`[${label}] Invalid NAME, char '/' is not allowed`);
    const bad = await call(sim.url, 'one.template.allocate', s('oneadmin:opennebula'), s('<TEMPLATE><NAME>x</TEMPLATE>'));
    expect(bad.items[1].v).toBe(`[${label}] Parse error: XML Template malformed.`);
    // another owner may use the same name
    const theirs = await clientAs('ursula:u').templateAllocate(APPLIANCE);
    expect(sim.template(theirs)).toMatchObject({ uid: ursula, gid: 1, name: 'CentOS 7 [x86_64]' });
  });

  it('update merge replaces every attribute of each name sent (all DISKs), keeps the rest; an empty vector erases', async () => {
    const id = sim.addTemplate({ name: 'app', template: { MEMORY: '512', NIC: { NETWORK_ID: '0' }, DISK: [{ IMAGE_ID: '1' }, { IMAGE_ID: '2' }] } });
    await admin.templateUpdate(id, [{ name: 'DISK', vector: { IMAGE_ID: '9' } }, { name: 'VMCATCHER_EVENT_HV_VERSION', value: '2.0' }], true);
    expect((await admin.templateInfo(id)).nodes).toEqual([
      { name: 'DISK', vector: { IMAGE_ID: '9' } },
      { name: 'MEMORY', value: '512' },
      { name: 'NIC', vector: { NETWORK_ID: '0' } },
      { name: 'VMCATCHER_EVENT_HV_VERSION', value: '2.0' },
    ]);
    ok(await call(sim.url, 'one.template.update', s('oneadmin:opennebula'), i(id), s('NIC = [ ]\nDISK = [ IMAGE_ID = 5 ]\nDISK = [ IMAGE_ID = 6 ]'), i(1)));
    expect(sim.template(id)?.nodes.map((n) => ('vector' in n ? `${n.name}:${n.vector.IMAGE_ID}` : n.name))).toEqual(['DISK:5', 'DISK:6', 'MEMORY', 'VMCATCHER_EVENT_HV_VERSION']);
  });

  it('addTemplate takes the text form too; removeTemplate deletes only the template', async () => {
    const img = sim.addImage({ name: 'disk' });
    const id = sim.addTemplate({ name: 'admin-made', template: `MEMORY = 2048\nDISK = [ IMAGE_ID = "${img}" ]\nNIC = [ NETWORK = "public" ]\nEMPTY = [ ]` });
    expect((await admin.templateInfo(id)).nodes).toEqual([
      { name: 'DISK', vector: { IMAGE_ID: String(img) } },
      { name: 'MEMORY', value: '2048' },
      { name: 'NIC', vector: { NETWORK: 'public' } },
    ]);
    expect(() => sim.addTemplate({ name: 'bad', template: 'A = [' })).toThrow(/Parse error/);
    sim.removeTemplate(id);
    expect([sim.templates(), sim.images().map((x) => x.id)]).toEqual([[], [img]]);
  });

  it('update replace sets the whole template; NAME is not touched; a wrong type is refused', async () => {
    const id = sim.addTemplate({ name: 'app', template: { MEMORY: '512', DISK: { IMAGE_ID: '1' } } });
    await admin.templateUpdate(id, [{ name: 'CPU', value: '2' }], false);
    expect(sim.template(id)).toMatchObject({ name: 'app', nodes: [{ name: 'CPU', value: '2' }] });
    const label = version === '5.2' ? 'TemplateUpdateTemplate' : 'one.template.update';
    const wrong = await call(sim.url, 'one.template.update', s('oneadmin:opennebula'), i(id), s('A=1'), i(2));
    expect(wrong.items[1].v).toBe(`[${label}] Wrong update type`);
    expect((await failure(admin.templateUpdate(77, [], true))).oneMessage).toBe(`[${label}] Error getting virtual machine template [77].`);
  });

  it('chown and chmod as oned: names per owner, -1 keeps, the group may then use it', async () => {
    const id = await admin.templateAllocate(APPLIANCE);
    await admin.templateChown(id, -1, tenants);
    await admin.templateChmod(id, [-1, -1, -1, 1, 0, 0, -1, -1, -1]);
    expect(sim.template(id)).toMatchObject({ uid: 0, gid: tenants, gname: 'tenants', permissions: [1, 1, 0, 1, 0, 0, 0, 0, 0] });
    // ursula (in tenants) now sees and may use it, mallory does not
    expect((await clientAs('ursula:u').templatePool()).map((t) => t.id)).toEqual([id]);
    expect(await clientAs('mallory:m').templatePool()).toEqual([]);
    const label = version === '5.2' ? 'TemplateInfo' : 'one.template.info';
    expect((await failure(clientAs('mallory:m').templateInfo(id))).oneMessage).toBe(`[${label}] User [${mallory}] : Not authorized to perform USE TEMPLATE [${id}].`);
    // ursula may use but not manage it (she may manage herself, the new owner)
    const chownLabel = version === '5.2' ? 'TemplateChown' : 'one.template.chown';
    expect((await failure(clientAs('ursula:u').templateChown(id, ursula, -1))).oneMessage).toBe(`[${chownLabel}] User [${ursula}] : Not authorized to perform MANAGE TEMPLATE [${id}].`);
    expect((await failure(clientAs('ursula:u').templateChown(id, mallory, -1))).oneMessage).toBe(
      `[${chownLabel}] User [${ursula}] : Not authorized to perform MANAGE TEMPLATE [${id}]; Not authorized to perform MANAGE USER [${mallory}].`,
    );
    // giving it to a user who owns one of that name fails as oned words it
    const theirs = sim.addTemplate({ name: 'CentOS 7 [x86_64]', uid: ursula });
    expect((await failure(admin.templateChown(id, ursula, -1))).oneMessage).toBe(`[${chownLabel}] user [${ursula}] already owns virtual machine template [${theirs}] with NAME CentOS 7 [x86_64]`);
    const chmodLabel = version === '5.2' ? 'TemplateChmod' : 'one.template.chmod';
    const wrong = await call(sim.url, 'one.template.chmod', s('oneadmin:opennebula'), i(id), ...[2, -1, -1, -1, -1, -1, -1, -1, -1].map(i));
    expect(wrong.items[1].v).toBe(`[${chmodLabel}] New permission values must be -1, 0 or 1`);
  });

  it('rename: same name is a no-op, a name the owner holds collides, an invalid one is refused', async () => {
    const a = sim.addTemplate({ name: 'a' });
    const b2 = sim.addTemplate({ name: 'b' });
    sim.addTemplate({ name: 'c', uid: ursula });
    await admin.templateRename(a, 'a');
    const label = version === '5.2' ? 'TemplateRename' : 'one.template.rename';
    expect((await failure(admin.templateRename(a, 'b'))).oneMessage).toBe(`[${label}] virtual machine template cannot be renamed to b because it collides with virtual machine template ${b2}`);
    expect((await failure(admin.templateRename(a, 'x#y'))).oneMessage).toBe(`[${label}] Invalid NAME, char '#' is not allowed`);
    await admin.templateRename(a, 'c');
    expect(sim.template(a)?.name).toBe('c');
  });

  it('delete never deletes images unless recursive is true; recursive deletes the images it may', async () => {
    const img = sim.addImage({ name: 'disk' });
    const used = sim.addImage({ name: 'used', runningVms: 1 });
    const id = sim.addTemplate({ name: 'app', template: { DISK: [{ IMAGE_ID: String(img) }, { IMAGE: 'used' }] } });
    await admin.templateDelete(id);
    expect(sim.templates()).toEqual([]);
    expect(sim.images().map((x) => x.id)).toEqual([img, used]);
    const label = version === '5.2' ? 'TemplateDelete' : 'one.template.delete';
    expect((await failure(admin.templateDelete(id))).oneMessage).toBe(`[${label}] Error getting virtual machine template [${id}].`);
    const again = sim.addTemplate({ name: 'app', template: { DISK: [{ IMAGE_ID: String(img) }, { IMAGE: 'used' }] } });
    // the image a VM uses is refused and only logged: the answer is still success
    ok(await call(sim.url, 'one.template.delete', s('oneadmin:opennebula'), i(again), b(true)));
    await sim.settle();
    expect(sim.images().map((x) => x.id)).toEqual([used]);
  });
});

describe('the pool and permissions (6.10)', () => {
  beforeEach(async () => boot());

  it('filters -2 (usable), -3 (mine), -1 (mine and group), a uid; newest first; start/end and pages', async () => {
    const mine = sim.addTemplate({ name: 'mine', uid: ursula });
    const shared = sim.addTemplate({ name: 'shared', uid: mallory, gid: tenants, mode: '640' });
    const hidden = sim.addTemplate({ name: 'hidden', uid: mallory });
    const pub = sim.addTemplate({ name: 'public', mode: '604' });
    const pool = async (session: string, ...args: number[]): Promise<number[]> => {
      const xml = ok(await call(sim.url, 'one.templatepool.info', s(session), ...args.map(i))) as string;
      return [...xml.matchAll(/<VMTEMPLATE><ID>(\d+)<\/ID>/g)].map((m) => Number(m[1]));
    };
    expect(await pool('ursula:u', -2, -1, -1)).toEqual([pub, shared, mine]);
    expect(await pool('ursula:u', -3, -1, -1)).toEqual([mine]);
    expect(await pool('ursula:u', -1, -1, -1)).toEqual([shared, mine]);
    expect(await pool('ursula:u', mallory, -1, -1)).toEqual([shared]);
    expect(await pool('oneadmin:opennebula', -2, -1, -1)).toEqual([pub, hidden, shared, mine]);
    expect(await pool('oneadmin:opennebula', -2, shared, hidden)).toEqual([hidden, shared]);
    expect(await pool('oneadmin:opennebula', -2, 1, -2)).toEqual([hidden, shared]);
    const bad = await call(sim.url, 'one.templatepool.info', s('oneadmin:opennebula'), i(-5), i(-1), i(-1));
    expect(bad.items[1].v).toBe('[one.templatepool.info] Incorrect filter_flag');
    expect((await admin.templatePool()).map((t) => t.name)).toEqual(['public', 'hidden', 'shared', 'mine']);
  });

  it('a lock refuses MANAGE (update, rename, delete) but not info, and shows in the document', async () => {
    const id = sim.addTemplate({ name: 'app', uid: ursula });
    sim.lockTemplate(id, 2);
    const u = clientAs('ursula:u');
    expect((await u.templateInfo(id)).lock).toBe(2);
    expect((await failure(u.templateUpdate(id, [{ name: 'A', value: '1' }], true))).oneMessage).toBe(`[one.template.update] User [${ursula}] : Not authorized to perform MANAGE TEMPLATE [${id}].`);
    expect((await failure(admin.templateDelete(id))).oneMessage).toBe(`[one.template.delete] User [0] : TEMPLATE is locked. [${id}].`);
    sim.unlockTemplate(id);
    // one.template.lock / unlock over XML-RPC, as the owner
    ok(await call(sim.url, 'one.template.lock', s('ursula:u'), i(id), i(4), b(false)));
    expect(sim.template(id)?.lock).toBe(1);
    expect((await call(sim.url, 'one.template.lock', s('ursula:u'), i(id), i(7), b(false))).items[1].v).toBe('[one.template.lock] Wrong lock level specified');
    // even a USE lock leaves info alone (USE_NO_LCK)
    expect((await u.templateInfo(id)).lock).toBe(1);
    expect((await failure(u.templateRename(id, 'other'))).oneMessage).toBe(`[one.template.rename] User [${ursula}] : Not authorized to perform MANAGE TEMPLATE [${id}].`);
    ok(await call(sim.url, 'one.template.unlock', s('ursula:u'), i(id)));
    await u.templateDelete(id);
    expect(sim.templates()).toEqual([]);
  });

  it('users outside oneadmin may not set or change VM_RESTRICTED_ATTR; 6.10 ignores a chown to the current owner', async () => {
    const u = clientAs('ursula:u');
    expect((await failure(u.templateAllocate([{ name: 'NAME', value: 'n' }, { name: 'NIC', vector: { NETWORK_ID: '0', MAC: '02:00:00:00:00:01' } }]))).oneMessage).toBe(
      `[one.template.allocate] User [${ursula}] : VM Template includes a restricted attribute MAC.`,
    );
    const id = sim.addTemplate({ name: 'n', uid: ursula, template: { CPU_COST: '1', DISK: { IMAGE_ID: '0', READ_BYTES_SEC: '100' } } });
    expect((await failure(u.templateUpdate(id, [{ name: 'CPU_COST', value: '2' }], true))).oneMessage).toBe(
      '[one.template.update] Cannot update template. User Template includes a restricted attribute CPU_COST',
    );
    expect((await failure(u.templateUpdate(id, [{ name: 'MEMORY', value: '2' }], false))).oneMessage).toBe(
      '[one.template.update] Cannot update template. Tried to change restricted attribute: DISK',
    );
    // merge without DISK keeps it; the restricted single attribute comes back after a replace that keeps DISK
    await u.templateUpdate(id, [{ name: 'MEMORY', value: '2' }], true);
    await u.templateUpdate(id, [{ name: 'DISK', vector: { IMAGE_ID: '5', READ_BYTES_SEC: '100' } }], false);
    expect(sim.template(id)?.template).toEqual({ CPU_COST: '1' });
    await u.templateChown(id, ursula, -1);
    expect(sim.template(id)?.uid).toBe(ursula);
  });
});
