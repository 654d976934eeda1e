// A failing machine, part C: oned's slow deletes, retirements that can never finish (the old image
// deleted or locked by an admin), a cached file replaced while oned copies it, identifiers too long
// to retire, and transient refusals to disable. Each case runs the bundled command end to end
// against the oned simulator with its realistic timings, under Node 20 and Node 10.
import * as fs from 'fs';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALPHA, availableEvent, cacheImage, currentImages, normalizedImages } from '../e2e/scenario';
import { makeSite, NodeKind, runHook, Site, startHook, stateFiles, waitFor } from '../e2e/site';
import { makeRaw, sha512 } from '../helpers/images';
import { EC, failureText } from '../sim/messages';
import { spooled, stagingLeft } from './helpers-a/fault-scenarios';
import { makeSeed, prepareSite, rotationEvent, Seed, snapshot } from './helpers-a/fixtures';

const NODES: NodeKind[] = ['node20', 'node10'];

let seed: Seed;
beforeAll(async () => {
  seed = await makeSeed();
}, 60000);
afterAll(() => seed && seed.close());

describe('13b: only "image in use" makes disabling the old image best effort', () => {
  it.each(NODES)('a transient refusal to disable (image LOCKED by a snapshot) is retried, not taken for "stays enabled" (%s)', async (node) => {
    const p = await prepareSite(seed);
    const site = p.site;
    try {
      const message = failureText('one.image.enable', EC.INTERNAL, 0, {
        respMsg: 'Could not disable image: Image cannot be in state LOCKED.',
        obj: 'image',
        respId: p.oldId!,
      });
      site.sim.inject({ method: 'one.image.enable', fault: { type: 'error', code: EC.INTERNAL, message } });
      const r = await runHook(site, rotationEvent(p), { node });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).not.toMatch(/stays enabled/);
      expect(r.stderr).toMatch(/Image cannot be in state LOCKED/);
      expect(r.stderr).toMatch(/The new image is in place; the rest \(retiring the old image\) is journalled/);
      expect(stateFiles(site, 'journal')).toHaveLength(1);
      expect(spooled(site)).toHaveLength(1);

      const again = await runHook(site, {}, { args: ['recover'], node });
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).not.toMatch(/stays enabled/);
      await site.sim.settle();
      const old = site.sim.image(p.oldId!)!;
      expect(old.stateName).toBe('DISABLED');
      expect(old.template.VMCHNDL_ON_RETIRED_FROM_STATE).toBe('ENABLED');
      expect(normalizedImages(site).map((i) => i.name).sort()).toEqual([`${ALPHA} (current)`, `${ALPHA} (retired)`]);
      expect(stateFiles(site, 'journal')).toEqual([]);
      expect(stateFiles(site, 'spool')).toEqual([]);
      expect(stagingLeft(site)).toEqual([]);
    } finally {
      await site.close();
    }
  }, 60000);
});

describe('7: oned deletes asynchronously; a rollback waits for the deleted image to go', () => {
  it.each(NODES)('the old image, owned by the caller, gets its name back after a failure past the copy (%s)', async (node) => {
    // oneadmin owns the current image: the new one (the caller's too) holds the same name until oned's rm ends.
    const p = await prepareSite(seed, { ownedByCaller: true, deleteDelayMs: 300 });
    const site = p.site;
    try {
      const before = snapshot(site);
      // The new image is READY (its copy in the datastore), then giving it its mode fails: everything rolls back.
      site.sim.inject({ method: 'one.image.chmod', fault: { type: 'error', code: EC.INTERNAL, message: '[one.image.chmod] Error writing image to the DB' } });
      const r = await runHook(site, rotationEvent(p), { node });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/Everything was rolled back/);
      expect(r.stderr).not.toMatch(/collides/);
      // Nothing changed in OpenNebula, but for the new image the rollback deleted and waited for.
      expect(snapshot(site)).toEqual(before);
      expect(site.sim.image(p.oldId!)!.name).toBe(ALPHA);
      expect(stateFiles(site, 'journal')).toEqual([]);
      expect(spooled(site)).toHaveLength(1);
      expect(stagingLeft(site)).toEqual([]);
      // The retry, right away, registers under the same name: the deleted image is gone.
      const again = await runHook(site, {}, { args: ['retry'], node });
      expect(again.code, again.stderr).toBe(0);
      await site.sim.settle();
      expect(normalizedImages(site).map((i) => `${i.name} ${i.retired}`).sort()).toEqual([`${ALPHA} (current) false`, `${ALPHA} (retired) true`]);
    } finally {
      await site.close();
    }
  }, 60000);

  it('recovery after a crash mid-rollback waits for an image already in DELETE instead of deleting it again', async () => {
    const p = await prepareSite(seed, { ownedByCaller: true, deleteDelayMs: 1500 });
    const site = p.site;
    try {
      const before = snapshot(site);
      site.sim.inject({ method: 'one.image.chmod', fault: { type: 'error', code: EC.INTERNAL, message: '[one.image.chmod] Error writing image to the DB' } });
      // The hook is killed as soon as oned has accepted the delete: the image is in DELETE, the old one still renamed.
      const child = startHook(site, rotationEvent(p), { group: true });
      await waitFor(() => site.sim.calls.some((c) => c.method === 'one.image.delete'), 30000, 'the rollback to delete the new image');
      process.kill(-child.pid!, 'SIGKILL');
      await child;
      expect(site.sim.images().some((i) => i.stateName === 'DELETE')).toBe(true);
      site.sim.clearCalls();
      const r = await runHook(site, {}, { args: ['recover'], node: 'node10' });
      expect(r.stderr).not.toMatch(/collides|internal error/);
      expect(site.sim.calls.filter((c) => c.method === 'one.image.delete')).toEqual([]);
      // recover rolled back, then processed the pending event: a full rotation now.
      expect(r.code, r.stderr).toBe(0);
      await site.sim.settle();
      expect(site.sim.image(p.oldId!)!.template.VMCHNDL_ON_RETIRED).toBeTruthy();
      expect(before.length).toBe(1);
      expect(stateFiles(site, 'journal')).toEqual([]);
      expect(stateFiles(site, 'spool')).toEqual([]);
    } finally {
      await site.close();
    }
  }, 60000);
});

describe('11: whatever is registered can be retired (oned names hold 128 bytes)', () => {
  it.each(NODES)('an identifier too long to retire is refused at first sight: exit 3, nothing spooled, nothing in oned (%s)', async (node) => {
    const long = `a${'0'.repeat(91)}`; // 92 bytes: 92 + " " + a 32-character stamp + " 999" > 128
    const p = await prepareSite(seed, { empty: true, identifier: long });
    const site = p.site;
    try {
      const r = await runHook(site, rotationEvent(p, long), { node });
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr).toMatch(/VMCATCHER_EVENT_DC_IDENTIFIER "a0+" is 92 bytes long; with VMCHNDL_ON_RETIRED_NAME="\{identifier\} \{timestamp\}" at most 91 can be retired/);
      expect(site.sim.images()).toEqual([]);
      expect(site.sim.calls.filter((c) => !/\.info$|version$/.test(c.method))).toEqual([]);
      expect(stateFiles(site, 'spool')).toEqual([]);
      expect(stateFiles(site, 'journal')).toEqual([]);
    } finally {
      await site.close();
    }
  }, 60000);

  it('the limit follows VMCHNDL_ON_RETIRED_NAME; an identifier at the limit is registered and retired', async () => {
    const pattern = 'retired {identifier} at {timestamp}';
    const settings = { VMCHNDL_ON_RETIRED_NAME: pattern };
    // 128 - "retired " - " at " - 32 - " 999" = 80
    const over = `b${'1'.repeat(80)}`;
    const p1 = await prepareSite(seed, { empty: true, identifier: over, settings });
    try {
      const r = await runHook(p1.site, rotationEvent(p1, over), { node: 'node10' });
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr).toMatch(/is 81 bytes long; with VMCHNDL_ON_RETIRED_NAME="retired \{identifier\} at \{timestamp\}" at most 80 can be retired/);
      expect(p1.site.sim.images()).toEqual([]);
    } finally {
      await p1.site.close();
    }
    const at = `c${'2'.repeat(79)}`;
    const p2 = await prepareSite(seed, { identifier: at, settings });
    try {
      const r = await runHook(p2.site, rotationEvent(p2, at));
      expect(r.code, r.stderr).toBe(0);
      await p2.site.sim.settle();
      const old = p2.site.sim.image(p2.oldId!)!;
      expect(old.name).toMatch(new RegExp(`^retired ${at} at \\d{4}-\\d\\d-\\d\\d_\\d\\d-\\d\\d-\\d\\d_[+-]\\d{4}-[A-Z]+$`));
      expect(Buffer.byteLength(old.name)).toBeLessThanOrEqual(128);
      expect(old.template.VMCHNDL_ON_RETIRED).toBeTruthy();
    } finally {
      await p2.site.close();
    }
  }, 60000);
});

describe('9: the bytes checked are the bytes oned copies', () => {
  it.each(NODES)('a newer download moved over the cached name while oned copies does not end up in the image (%s)', async (node) => {
    // oned's copy starts late (a busy datastore); the datastore allows vmcatcher's cache directory.
    const site = await makeSite({ copyDelayMs: 1500 });
    try {
      site.sim.setDatastoreDirs(1, { safeDirs: `${site.stagingDir} ${site.cacheDir}`, restrictedDirs: '/' });
      const v2 = cacheImage(site, 'raw', 'gamma-v2');
      const v3 = makeRaw(path.join(site.cacheDir, 'partial', 'v3'), 2, 'gamma-v3');
      const child = startHook(site, availableEvent(site, v2, { VMCATCHER_EVENT_HV_FORMAT: 'raw' }), { node });
      // vmcatcher finishes the next download and moves it over the cached name, as it does.
      await waitFor(() => site.sim.calls.some((c) => c.method === 'one.image.allocate'), 30000, 'one.image.allocate');
      fs.renameSync(v3, v2.file);
      const r = await child;
      expect(r.exitCode, r.stderr).toBe(0);
      await site.sim.settle();
      const img = currentImages(site)[0];
      expect(img.template.VMCATCHER_EVENT_SL_CHECKSUM_SHA512).toBe(v2.sha512);
      // What oned holds is what the checksum and version say: v2, not the file now at the cached name.
      expect(sha512(img.source)).toBe(v2.sha512);
      expect(sha512(v2.file)).not.toBe(v2.sha512);
      expect(stagingLeft(site)).toEqual([]);
    } finally {
      await site.close();
    }
  }, 60000);
});

/** What an administrator does with `oneimage delete`, through the project's client. */
async function adminDelete(site: Site, id: number): Promise<void> {
  const { createOneClient } = await import('../../src/one/client');
  const one = createOneClient({ endpoint: site.sim.url, session: fs.readFileSync(site.authFile, 'utf8').trim() });
  await one.imageDelete(id);
  await site.sim.settle();
}

const RETIRED = (old: { uid: number; gid: number; permissions: number[]; stateName: string; template: Record<string, string> }) => ({
  owner: [old.uid, old.gid],
  mode: old.permissions.join(''),
  state: old.stateName,
  marked: Boolean(old.template.VMCHNDL_ON_RETIRED),
});

describe('8: a retirement that can never finish does not block the image', () => {
  it.each(NODES)('an old image deleted by an administrator counts as retired: recover ends the journal and processes what waits (%s)', async (node) => {
    const p = await prepareSite(seed);
    const site = p.site;
    try {
      // The retirement's first call (the second chown: the first gives the new image carol's owner) fails
      // (oned busy): the rotation is rolled forward, the journal stays open.
      site.sim.inject({ method: 'one.image.chown', nth: 2, fault: { type: 'error', code: EC.INTERNAL, message: '[one.image.chown] Error writing image to the DB' } });
      const r = await runHook(site, rotationEvent(p), { node });
      expect(r.code, r.stderr).toBe(2);
      expect(stateFiles(site, 'journal')).toHaveLength(1);
      // Before anyone recovers, the administrator deletes the old image.
      await adminDelete(site, p.oldId!);
      const again = await runHook(site, {}, { args: ['recover'], node });
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).toMatch(new RegExp(`image ${p.oldId} no longer exists \\(deleted by an administrator\\?\\): there is nothing left to retire`));
      expect(stateFiles(site, 'journal')).toEqual([]);
      expect(stateFiles(site, 'spool')).toEqual([]);
      expect(normalizedImages(site).map((i) => i.name)).toEqual([`${ALPHA} (current)`]);
      expect(currentImages(site)[0].template.VMCATCHER_EVENT_SL_CHECKSUM_SHA512).toBe(p.v2.sha512);
    } finally {
      await site.close();
    }
  }, 60000);

  it('an old image locked by an administrator: the rotation completes, the rest of the retirement waits, and is done once unlocked', async () => {
    const p = await prepareSite(seed);
    const site = p.site;
    try {
      // An ADMIN lock lets the rename through but not the retired mode (700: an admin bit).
      site.sim.lockImage(p.oldId!, 3);
      const r = await runHook(site, rotationEvent(p), { node: 'node10' });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(new RegExp(`WARNING.*image ${p.oldId} \\(.*\\) is locked \\(one.image.lock, level ADMIN\\).*oneimage unlock ${p.oldId}\`, then \`vmcatcher_eventHndl_ON recover ${ALPHA}\``));
      expect(stateFiles(site, 'journal')).toEqual([]);
      expect(stateFiles(site, 'spool')).toEqual([]);
      expect(currentImages(site)[0].template.VMCATCHER_EVENT_SL_CHECKSUM_SHA512).toBe(p.v2.sha512);
      expect(RETIRED(site.sim.image(p.oldId!)!)).toEqual({ owner: [0, 0], mode: '110100000', state: 'READY', marked: false });

      // Still locked: recover says so and succeeds; the image's other events are not blocked; status shows it.
      const still = await runHook(site, {}, { args: ['recover'], node: 'node10' });
      expect(still.code, still.stderr).toBe(0);
      expect(still.stderr).toMatch(/is still locked \(one.image.lock\): its retirement .* still waits/);
      const status = await runHook(site, {}, { args: ['status', '--json', ALPHA], node: 'node10' });
      expect(JSON.parse(status.stdout).identifiers[0].waitingRetirement).toBe(true);
      expect((await runHook(site, {}, { args: ['status', ALPHA] })).stdout).toMatch(/retirement waiting for a locked image: `oneimage unlock` it/);

      site.sim.unlockImage(p.oldId!);
      const done = await runHook(site, {}, { args: ['recover'], node: 'node10' });
      expect(done.code, done.stderr).toBe(0);
      expect(RETIRED(site.sim.image(p.oldId!)!)).toEqual({ owner: [0, 0], mode: '111000000', state: 'DISABLED', marked: true });
      const again = await runHook(site, {}, { args: ['recover'], node: 'node10' });
      expect(again.stderr).not.toMatch(/locked|waits/);
      expect(JSON.parse((await runHook(site, {}, { args: ['status', '--json', ALPHA] })).stdout).identifiers[0].waitingRetirement).toBe(false);
    } finally {
      await site.close();
    }
  }, 60000);

  it('an old image locked against any change is refused before anything changes, the event kept pending', async () => {
    const p = await prepareSite(seed);
    const site = p.site;
    try {
      const before = snapshot(site);
      site.sim.lockImage(p.oldId!, 1);
      const r = await runHook(site, rotationEvent(p));
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`image ${p.oldId} .* is locked \\(one.image.lock level 1\\): it cannot be retired, so nothing was changed. Unlock it \\(oneimage unlock ${p.oldId}\\)`));
      expect(site.sim.calls.filter((c) => !/\.info$|version$/.test(c.method))).toEqual([]);
      expect(snapshot(site)).toEqual(before);
      expect(spooled(site)).toHaveLength(1);
      site.sim.unlockImage(p.oldId!);
      expect((await runHook(site, {}, { args: ['retry'] })).code).toBe(0);
      expect(RETIRED(site.sim.image(p.oldId!)!)).toEqual({ owner: [0, 0], mode: '111000000', state: 'DISABLED', marked: true });
    } finally {
      await site.close();
    }
  }, 60000);

  it('recover --abandon closes a journal that can never finish, says what is left undone, and lets the pending events through', async () => {
    const p = await prepareSite(seed);
    const site = p.site;
    try {
      // Giving the old image to the retired owner fails every time (a step that can never succeed).
      const refusal = { type: 'error' as const, code: EC.AUTHORIZATION, message: '[one.image.chown] User [0] : Not authorized to perform MANAGE USER [0].' };
      site.sim.inject({ method: 'one.image.chown', nth: 2, times: 1000, fault: refusal });
      expect((await runHook(site, rotationEvent(p))).code).toBe(2);
      const stuck = await runHook(site, {}, { args: ['recover'] });
      expect(stuck.code).toBe(2);
      expect(stateFiles(site, 'journal')).toHaveLength(1);

      const noId = await runHook(site, {}, { args: ['recover', '--abandon'] });
      expect(noId.code).toBe(3);
      expect(noId.stderr).toMatch(/recover --abandon needs the identifier/);

      const r = await runHook(site, {}, { args: ['recover', '--abandon', ALPHA] });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/WARNING.*abandoned run .* for 1e2b8099-febf-444f-8078-8942ca3e5210 \(AvailablePostfix\) as asked: left undone: \d+\. give image \d+ to/);
      expect(stateFiles(site, 'journal')).toEqual([]);
      expect(stateFiles(site, 'spool')).toEqual([]);
      // OpenNebula as the abandoned run left it: the new image current, the old one renamed, not retired.
      expect(currentImages(site)[0].template.VMCATCHER_EVENT_SL_CHECKSUM_SHA512).toBe(p.v2.sha512);
      expect(site.sim.image(p.oldId!)!.template.VMCHNDL_ON_RETIRED || '').toBe('');
    } finally {
      await site.close();
    }
  }, 60000);
});
