// The image life cycle: allocate (LOCKED, real copy, READY or ERROR), names, rename, chown,
// chmod, enable/disable, delete, update and running VMs.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, Simulator } from './index';
import { admin, Answer, b, call, i, ok, parseDoc, s } from './rpc';

let sim: Simulator;
let stage: string;
beforeEach(() => {
  stage = fs.mkdtempSync(path.join(os.tmpdir(), 'sim-stage-'));
});
afterEach(async () => {
  await sim?.close();
  fs.rmSync(stage, { recursive: true, force: true });
});

const fail = (a: Answer): [unknown, unknown] => {
  expect(a.items[0].v).toBe(false);
  return [a.items[1].v, a.items[2].v];
};
const info = async (id: number): Promise<Record<string, any>> => parseDoc(ok(await admin(sim.url, 'one.image.info', i(id))) as string).IMAGE[0];
const staged = (name: string, bytes: Buffer | string): string => {
  fs.writeFileSync(path.join(stage, name), bytes);
  return path.join(stage, name);
};

describe('allocate', () => {
  it('returns the id at once, stays LOCKED while copying, then is READY with a real copy', async () => {
    sim = await startSimulator({ copyDelayMs: 60 });
    sim.setDatastoreDirs(1, { safeDirs: stage });
    const file = staged('disk.raw', Buffer.alloc(3 * 1048576 + 1, 7));
    const id = ok(await admin(sim.url, 'one.image.allocate', s(`NAME = "disk"\nPATH = "${file}"\nTYPE = "OS"\nDRIVER = "raw"`), i(1))) as number;
    const locked = await info(id);
    expect([locked.STATE, locked.SOURCE, locked.SIZE, locked.PERMISSIONS.OWNER_M, locked.PERMISSIONS.GROUP_U]).toEqual(['4', '', '4', '1', '0']);
    await sim.settle();
    const ready = await info(id);
    expect(ready.STATE).toBe('1');
    expect(ready.SOURCE.startsWith(`${sim.root}/1/`)).toBe(true);
    expect(path.basename(ready.SOURCE)).toMatch(/^[0-9a-f]{32}$/);
    expect(fs.readFileSync(ready.SOURCE).equals(fs.readFileSync(file))).toBe(true);
    expect([ready.FORMAT, ready.PATH, ready.TEMPLATE.DEV_PREFIX, ready.TEMPLATE.DRIVER, ready.TEMPLATE.NAME]).toEqual(['raw', file, 'hd', 'raw', undefined]);
    expect(sim.image(id)?.fileBytes).toBe(3 * 1048576 + 1);
  });

  it('reports qcow2 format and virtual size from a real qemu-img image', async () => {
    sim = await startSimulator({ copyDelayMs: 1 });
    sim.setDatastoreDirs(1, { safeDirs: stage });
    const file = path.join(stage, 'disk.qcow2');
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', file, '40M']);
    const id = ok(await admin(sim.url, 'one.image.allocate', s(`NAME="q"\nPATH="${file}"`), i(1))) as number;
    await sim.settle();
    const img = await info(id);
    expect([img.FORMAT, img.SIZE, img.STATE]).toEqual(['qcow2', '40', '1']);
  });

  it('goes to ERROR when RESTRICTED_DIRS refuse the path (the default refuses /tmp)', async () => {
    sim = await startSimulator({ copyDelayMs: 1 });
    const file = staged('d.raw', 'data');
    const id = ok(await admin(sim.url, 'one.image.allocate', s(`NAME="d"\nPATH="${file}"`), i(1))) as number;
    await sim.settle();
    const img = await info(id);
    expect(img.STATE).toBe('5');
    expect(img.TEMPLATE.ERROR).toMatch(
      new RegExp(`^\\w{3} \\w{3} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d \\d{4} : Error copying image in the datastore: ERROR: cp: Not allowed to copy images from /var/lib/one/ /etc/one/ /var/lib/one/ / Not allowed to copy image from ${file}, check RESTRICTED_DIRS in your datastore$`),
    );
    expect(img.SOURCE).toBe('');
  });

  it('goes to ERROR with the injected copy failure', async () => {
    sim = await startSimulator({ copyDelayMs: 1 });
    sim.setDatastoreDirs(1, { safeDirs: stage });
    sim.failNextCopy('Error copying /x to /y');
    const id = ok(await admin(sim.url, 'one.image.allocate', s(`NAME="d"\nPATH="${staged('d', 'x')}"`), i(1))) as number;
    await sim.settle();
    expect(sim.image(id)?.stateName).toBe('ERROR');
    expect(sim.image(id)?.template.ERROR).toMatch(/ : Error copying image in the datastore: Error copying \/x to \/y$/);
  });

  it('fails at once for a missing or empty PATH, creating nothing', async () => {
    sim = await startSimulator();
    // As oned 6.10 answered (recording 96): fs/stat's own words for a missing file.
    const missing = fail(await admin(sim.url, 'one.image.allocate', s(`NAME="d"\nPATH="/nonexistent/disk"`), i(1)));
    expect(missing).toEqual([`[one.image.allocate] Cannot parse image SIZE: cannot access '/nonexistent/disk' (No such file or directory)`, 0x2000]);
    const empty = staged('empty', '');
    const [msg, code] = fail(await admin(sim.url, 'one.image.allocate', s(`NAME="d"\nPATH="${empty}"`), i(1)));
    expect([msg, code]).toEqual([`[one.image.allocate] Cannot parse image SIZE: Cannot determine size for ${empty}`, 0x2000]);
    expect(sim.images()).toEqual([]);
  });

  it('checks the datastore, the name, the type and PATH/SOURCE', async () => {
    sim = await startSimulator();
    const alloc = async (t: string, ds = 1): Promise<[unknown, unknown]> => fail(await admin(sim.url, 'one.image.allocate', s(t), i(ds)));
    expect(await alloc('NAME="a"\nSIZE="1"', 7)).toEqual(['[one.image.allocate] Error getting datastore [7].', 0x400]);
    expect(await alloc('NAME="a"\nSIZE="1"', 0)).toEqual(['[one.image.allocate] Error allocating a new image. New images can only be allocated in a files or image datastore.', 0x4000]);
    expect(await alloc('NAME="a"')).toEqual(['[one.image.allocate] Cannot parse image SIZE: Wrong number or missing SIZE attribute.', 0x2000]);
    expect(await alloc('NAME="a/b"\nSIZE="1"')).toEqual(["[one.image.allocate] Error allocating a new image. Invalid NAME, char '/' is not allowed", 0x4000]);
    expect(await alloc(`NAME="${'é'.repeat(65)}"\nSIZE="1"`)).toEqual(['[one.image.allocate] Error allocating a new image. Invalid NAME, max length is 128 chars', 0x4000]);
    expect(await alloc('SIZE="1"')).toEqual(['[one.image.allocate] Error allocating a new image. Invalid NAME, it cannot be empty', 0x4000]);
    expect(await alloc('NAME="a"\nSIZE="1"\nTYPE="KERNEL"\nSOURCE="/s"')).toEqual(['[one.image.allocate] Error allocating a new image. IMAGES of type KERNEL, RAMDISK and CONTEXT cannot be registered in an IMAGE_DS datastore', 0x4000]);
    expect(await alloc('NAME="a"\nSIZE="1"\nSOURCE="/s"\nPATH="/etc/hostname"')).toEqual(['[one.image.allocate] Error allocating a new image. Template malformed, PATH and SOURCE are mutually exclusive.', 0x4000]);
    const id = ok(await admin(sim.url, 'one.image.allocate', s('NAME="a"\nSOURCE="/dev/x"\nSIZE="5"\nPERSISTENT="yes"'), i(1))) as number;
    const img = await info(id);
    expect([img.STATE, img.SOURCE, img.SIZE, img.PERSISTENT]).toEqual(['1', '/dev/x', '5', '1']);
  });

  it('keeps names unique per owner only', async () => {
    sim = await startSimulator();
    sim.addUser({ name: 'u', password: 'p' });
    const first = ok(await admin(sim.url, 'one.image.allocate', s('NAME="same"\nSIZE="1"'), i(1)));
    expect(fail(await admin(sim.url, 'one.image.allocate', s('NAME="same"\nSIZE="1"'), i(1)))).toEqual([`[one.image.allocate] Error allocating a new image. NAME is already taken by IMAGE ${first}.`, 0x4000]);
    const other = ok(await call(sim.url, 'one.image.allocate', s('u:p'), s('NAME="same"\nSIZE="1"'), i(1))) as number;
    await sim.settle();
    expect(sim.image(other)).toMatchObject({ uname: 'u', gname: 'users', permissions: [1, 1, 0, 0, 0, 0, 0, 0, 0], stateName: 'READY' });
  });
});

describe('rename, chown, chmod', () => {
  it('renames, refusing a name the owner already uses', async () => {
    sim = await startSimulator();
    const a = sim.addImage({ name: 'a' });
    const other = sim.addImage({ name: 'b' });
    expect(ok(await admin(sim.url, 'one.image.rename', i(a), s('a')))).toBe(a);
    expect(fail(await admin(sim.url, 'one.image.rename', i(a), s('b')))).toEqual([`[one.image.rename] image cannot be renamed to b because it collides with image ${other}`, 0x800]);
    expect(fail(await admin(sim.url, 'one.image.rename', i(a), s('x#y')))).toEqual(["[one.image.rename] Invalid NAME, char '#' is not allowed", 0x800]);
    ok(await admin(sim.url, 'one.image.rename', i(a), s('c')));
    expect(sim.image(a)?.name).toBe('c');
  });

  it('changes owner and group (-1 keeps), refusing a name the new owner has; 6.10 ignores the current owner, 5.x did not', async () => {
    sim = await startSimulator();
    const uid = sim.addUser({ name: 'u', password: 'p' });
    const gid = sim.addGroup('g');
    const img = sim.addImage({ name: 'n' });
    const theirs = sim.addImage({ name: 'taken', uid });
    ok(await admin(sim.url, 'one.image.chown', i(img), i(-1), i(gid)));
    expect(sim.image(img)).toMatchObject({ uid: 0, gid, gname: 'g' });
    // 6.10 (RequestManagerChown: "Ingore chown to the same user or the same group") does nothing;
    // 5.x checked the owner's names without leaving the image itself out
    ok(await admin(sim.url, 'one.image.chown', i(img), i(0), i(gid)));
    const sim5 = await startSimulator({ version: '5.8' });
    try {
      const old = sim5.addImage({ name: 'n' });
      expect(fail(await admin(sim5.url, 'one.image.chown', i(old), i(0), i(-1)))).toEqual([`[one.image.chown] user [0] already owns image [${old}] with NAME n`, 0x2000]);
    } finally {
      await sim5.close();
    }
    ok(await admin(sim.url, 'one.image.rename', i(img), s('taken')));
    expect(fail(await admin(sim.url, 'one.image.chown', i(img), i(uid), i(-1)))).toEqual([`[one.image.chown] user [${uid}] already owns image [${theirs}] with NAME taken`, 0x2000]);
    expect(fail(await admin(sim.url, 'one.image.chown', i(img), i(77), i(-1)))).toEqual(['[one.image.chown] Error getting user [77].', 0x400]);
    ok(await admin(sim.url, 'one.image.rename', i(img), s('mine')));
    ok(await admin(sim.url, 'one.image.chown', i(img), i(uid), i(1)));
    expect(sim.image(img)).toMatchObject({ uid, uname: 'u', gid: 1, gname: 'users' });
  });

  it('sets permission bits, -1 keeping a bit', async () => {
    sim = await startSimulator();
    const img = sim.addImage({ name: 'n', mode: '640' });
    ok(await admin(sim.url, 'one.image.chmod', ...[img, -1, 0, 1, -1, 1, -1, 1, 0, 0].map(i)));
    expect(sim.image(img)?.permissions).toEqual([1, 0, 1, 1, 1, 0, 1, 0, 0]);
    expect(fail(await admin(sim.url, 'one.image.chmod', ...[img, 2, 0, 0, 0, 0, 0, 0, 0, 0].map(i)))).toEqual(['[one.image.chmod] New permission values must be -1, 0 or 1', 0x2000]);
  });
});

describe('enable, delete, running VMs, update', () => {
  it('disables only READY or ERROR images and enables DISABLED or ERROR ones', async () => {
    sim = await startSimulator();
    const img = sim.addImage({ name: 'n' });
    ok(await admin(sim.url, 'one.image.enable', i(img), b(false)));
    ok(await admin(sim.url, 'one.image.enable', i(img), b(false)));
    expect(sim.image(img)?.stateName).toBe('DISABLED');
    ok(await admin(sim.url, 'one.image.enable', i(img), b(true)));
    expect(sim.image(img)?.stateName).toBe('READY');
    sim.setImageState(img, 'LOCKED');
    expect(fail(await admin(sim.url, 'one.image.enable', i(img), b(false)))).toEqual(['[one.image.enable] Could not disable image: Image cannot be in state LOCKED.', 0x2000]);
    sim.setImageState(img, 'ERROR');
    ok(await admin(sim.url, 'one.image.enable', i(img), b(true)));
    expect(sim.image(img)?.stateName).toBe('READY');
    sim.setRunningVms(img, 1);
    expect(fail(await admin(sim.url, 'one.image.enable', i(img), b(false)))).toEqual(['[one.image.enable] Could not disable image: Image cannot be in state USED.', 0x2000]);
    expect(() => sim.setImageState(img, 'DISABLED')).not.toThrow();
    expect(() => sim.setRunningVms(img, 2)).toThrow(/DISABLED/);
  });

  it('refuses to delete a used image and removes the copy of a deleted one', async () => {
    sim = await startSimulator();
    const img = sim.addImage({ name: 'n', runningVms: 3 });
    expect(fail(await admin(sim.url, 'one.image.delete', i(img)))).toEqual(['[one.image.delete] Cannot delete image. There are 3 VMs using it.', 0x800]);
    sim.setRunningVms(img, 0);
    expect(sim.image(img)?.stateName).toBe('READY');
    const source = sim.image(img)?.source as string;
    expect(fs.existsSync(source)).toBe(true);
    ok(await admin(sim.url, 'one.image.delete', i(img)));
    // By default the datastore's rm takes a realistic while: DELETE first, gone when it ends.
    expect(sim.image(img)?.stateName).toBe('DELETE');
    await sim.settle();
    expect([sim.image(img), fs.existsSync(source)]).toEqual([undefined, false]);
  });

  it('drops a deleted image at once with deleteDelayMs 0', async () => {
    sim = await startSimulator({ deleteDelayMs: 0 });
    const img = sim.addImage({ name: 'n' });
    ok(await admin(sim.url, 'one.image.delete', i(img)));
    expect(sim.image(img)).toBeUndefined();
  });

  it('keeps a deleted image in DELETE for deleteDelayMs', async () => {
    sim = await startSimulator({ deleteDelayMs: 50 });
    const img = sim.addImage({ name: 'n' });
    ok(await admin(sim.url, 'one.image.delete', i(img)));
    expect((await info(img)).STATE).toBe('7');
    await sim.settle();
    expect(sim.image(img)).toBeUndefined();
  });

  it('merges (1) or replaces (0) the template', async () => {
    sim = await startSimulator();
    const img = sim.addImage({ name: 'n', template: { A: '1', B: '2' } });
    ok(await admin(sim.url, 'one.image.update', i(img), s('B = "3"\nC = "4"'), i(1)));
    expect(sim.image(img)?.template).toEqual({ A: '1', B: '3', C: '4', DEV_PREFIX: 'hd' });
    ok(await admin(sim.url, 'one.image.update', i(img), s('<TEMPLATE><Z>9</Z></TEMPLATE>'), i(0)));
    expect(sim.image(img)?.template).toEqual({ Z: '9' });
    expect(fail(await admin(sim.url, 'one.image.update', i(img), s('Z = "1"'), i(2)))).toEqual(['[one.image.update] Wrong update type', 0x1000]);
    expect(fail(await admin(sim.url, 'one.image.update', i(img), s('<TEMPLATE><Z>'), i(1)))).toEqual(['[one.image.update] Cannot update template. Parse error: XML Template malformed.', 0x2000]);
  });
});

describe('one.image.lock (recordings 6.10 59-89)', () => {
  it('refuses oneadmin every MANAGE change at levels 1 and 2 with "IMAGE is locked.", only ADMIN ones at level 3; info still reads it', async () => {
    sim = await startSimulator();
    const img = sim.addImage({ name: 'n' });
    sim.lockImage(img, 1);
    expect(fail(await admin(sim.url, 'one.image.enable', i(img), b(false)))).toEqual([`[one.image.enable] User [0] : IMAGE is locked. [${img}].`, 0x200]);
    expect(fail(await admin(sim.url, 'one.image.chown', i(img), i(-1), i(1)))).toEqual([`[one.image.chown] User [0] : IMAGE is locked. [${img}].`, 0x200]);
    const shown = await info(img);
    expect(JSON.stringify(shown.LOCK)).toMatch(/LOCKED.*1/);
    sim.lockImage(img, 3);
    ok(await admin(sim.url, 'one.image.enable', i(img), b(false)));
    ok(await admin(sim.url, 'one.image.chmod', i(img), ...[1, 1, 0, 1, 0, 0, 0, 0, 0].map(i)));
    expect(fail(await admin(sim.url, 'one.image.chmod', i(img), ...[1, 1, 1, 1, 0, 0, 0, 0, 0].map(i)))).toEqual([`[one.image.chmod] User [0] : IMAGE is locked. [${img}].`, 0x200]);
    sim.unlockImage(img);
    expect((await info(img)).LOCK).toBeUndefined();
    ok(await admin(sim.url, 'one.image.rename', i(img), s('m')));
  });
});
