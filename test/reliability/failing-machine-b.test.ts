// A failing machine, end to end with the bundled command (Node 20 and Node 10): a full state disk (a
// real 64 KiB tmpfs), torn journal tails, stale locks met by many hooks at once, a clock stepped back
// between two events (libfaketime), and archived journals of identifiers that share a prefix.
import * as fs from 'fs';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALPHA, normalizedImages } from '../e2e/scenario';
import { eventEnv, runHook, RunResult, stateFiles } from '../e2e/site';
import { mountTmpfs } from '../helpers/tmpfs';
import { runUntilKilled } from './helpers-a/crash';
import { makeSeed, Prepared, prepareSite, referenceRotation, rotationEvent, Seed } from './helpers-a/fixtures';

const FAKETIME_LIB = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';

function explain(results: RunResult[]): string {
  return results.map((r, i) => `--- process ${i + 1}, exit ${r.code}\n${r.stderr}`).join('\n');
}

function writes(p: Prepared): string[] {
  return p.site.sim.calls.map((c) => c.method).filter((m) => !/\.(info|version)$/.test(m));
}

function journalLines(p: Prepared): string[] {
  return fs.readFileSync(path.join(p.site.stateDir, 'journal', `${ALPHA}.jsonl`), 'utf8').split('\n');
}

function archived(p: Prepared): string[] {
  const dir = path.join(p.site.stateDir, 'journal/done');
  return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
}

describe('failing machine (spool, journal, lock, clock)', () => {
  let seed: Seed;
  let reference: ReturnType<typeof normalizedImages>;
  beforeAll(async () => {
    seed = await makeSeed();
    reference = await referenceRotation(seed);
  });
  afterAll(() => seed && seed.close());

  describe('full state disk', () => {
    it.each(['node20', 'node10'] as const)('an event the full disk cannot take: exit 1 saying it is not kept, nothing done, no temporary file (%s)', async (node) => {
      const p = await prepareSite(seed);
      const disk = mountTmpfs('64k');
      try {
        const state = path.join(disk.dir, 'state');
        // 4 KiB left, a 6 KiB entry: the kernel writes what fits and says so.
        fs.mkdirSync(path.join(state, 'spool'), { recursive: true });
        disk.fill(4096);
        p.site.sim.clearCalls();
        const big = { VMCHNDL_ON_STATE_DIR: state, VMCATCHER_EVENT_DC_DESCRIPTION: 'An image. '.repeat(600) };
        const r = await runHook(p.site, Object.assign(rotationEvent(p), big), { node });
        expect(r.code, r.stderr).toBe(1);
        expect(r.stderr).toMatch(/could not store AvailablePostfix for \S+ in the spool .*ENOSPC.*nothing was done and the event is NOT kept/);
        expect(r.stderr).toContain('VMCHNDL_ON_STATE_DIR');
        expect(r.stderr).toContain(`vmcatcher_eventHndl_ON replay ${ALPHA}`);
        expect(writes(p)).toEqual([]);
        expect(fs.readdirSync(path.join(state, 'spool'))).toEqual([]);
        // Space again: the event sent again is processed.
        disk.unfill();
        const again = await runHook(p.site, Object.assign(rotationEvent(p), big), { node });
        expect(again.code, again.stderr).toBe(0);
        expect(normalizedImages(p.site)).toEqual(reference);
      } finally {
        disk.close();
        await p.site.close();
      }
    }, 60000);

    it('a pending event whose attempt cannot be recorded on the full disk is not tried and stays whole: retry exits 2, then succeeds (Node 10 and 20)', async () => {
      const p = await prepareSite(seed, { settings: { VMCHNDL_ON_QUEUE: 'yes' } });
      const disk = mountTmpfs('64k');
      try {
        const state = path.join(disk.dir, 'state');
        const env = { VMCHNDL_ON_STATE_DIR: state, VMCATCHER_EVENT_DC_DESCRIPTION: 'An image. '.repeat(600) };
        expect((await runHook(p.site, Object.assign(rotationEvent(p), env))).code).toBe(0);
        const spool = path.join(state, 'spool');
        const [name] = fs.readdirSync(spool);
        const before = fs.readFileSync(path.join(spool, name), 'utf8');
        // Room for the lock file, not for the entry's update.
        disk.fill(4096);
        p.site.sim.clearCalls();
        const r = await runHook(p.site, env, { args: ['retry'], node: 'node10' });
        expect(r.code, r.stderr).toBe(2);
        expect(r.stderr).toMatch(/could not record an attempt in the spool entry of AvailablePostfix for \S+ \(ENOSPC.*it was not tried and stays pending as it was/);
        expect(writes(p)).toEqual([]);
        expect(fs.readdirSync(spool)).toEqual([name]);
        expect(fs.readFileSync(path.join(spool, name), 'utf8')).toBe(before);
        // No room even for the lock file.
        disk.fill(0);
        const locked = await runHook(p.site, env, { args: ['retry'] });
        expect(locked.code, locked.stderr).toBe(2);
        expect(locked.stderr).toMatch(/could not take the lock for \S+ \(ENOSPC.*its pending events were not tried and stay as they were/);
        expect(fs.readFileSync(path.join(spool, name), 'utf8')).toBe(before);
        expect(fs.readdirSync(path.join(state, 'locks'))).toEqual([]);
        // A state directory from before the handler kept records (no baseline) on a full disk: the
        // baseline cannot be written, so nothing is tried (later look-alikes could be adopted otherwise).
        fs.unlinkSync(path.join(state, 'records', 'baseline.json'));
        disk.fill(4096);
        const noBaseline = await runHook(p.site, env, { args: ['retry'] });
        expect(noBaseline.code, noBaseline.stderr).toBe(2);
        expect(noBaseline.stderr).toMatch(/could not note when the handler's records begin \(ENOSPC.*were not tried and stay as they were/);
        expect(writes(p)).toEqual([]);
        expect(fs.readFileSync(path.join(spool, name), 'utf8')).toBe(before);
        disk.unfill();
        const again = await runHook(p.site, env, { args: ['retry'], node: 'node10' });
        expect(again.code, again.stderr).toBe(0);
        expect(normalizedImages(p.site)).toEqual(reference);
        expect(fs.readdirSync(spool)).toEqual([]);
      } finally {
        disk.close();
        await p.site.close();
      }
    }, 60000);

    it('a spool entry written short by an earlier version is moved aside and reported at every run and by pending, never dropped silently', async () => {
      const p = await prepareSite(seed, { settings: { VMCHNDL_ON_QUEUE: 'yes' } });
      try {
        expect((await runHook(p.site, rotationEvent(p))).code).toBe(0);
        const [name] = stateFiles(p.site, 'spool');
        const file = path.join(p.site.stateDir, 'spool', name);
        // What the previous version left on a full disk: the first 4 KiB, fsynced and renamed into place.
        const text = fs.readFileSync(file, 'utf8');
        fs.writeFileSync(file, text.slice(0, Math.min(4096, text.length >> 1)));
        const moved = path.join(p.site.stateDir, 'spool/bad', name);
        const said = new RegExp(`WARNING.*unreadable spool entry ${moved.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*${ALPHA} is not processed.*replay ${ALPHA}.*delete the file`);
        const first = await runHook(p.site, eventEnv(p.site, '17-ProcessPostfix.env'), { node: 'node10' });
        expect(first.code, first.stderr).toBe(0);
        expect(first.stderr).toMatch(said);
        expect(fs.existsSync(moved)).toBe(true);
        // At every later run, ignored events included, until an administrator acts.
        const later = await runHook(p.site, eventEnv(p.site, '02-AvailablePrefix.env'));
        expect(later.stderr).toMatch(said);
        const pending = await runHook(p.site, {}, { args: ['pending'] });
        expect(pending.stdout).toContain(`UNREADABLE: unreadable spool entry ${moved}`);
        const json = JSON.parse((await runHook(p.site, {}, { args: ['pending', '--json'] })).stdout);
        expect(json.unreadable).toEqual([{ file: moved, identifier: ALPHA }]);
        fs.unlinkSync(moved);
        const done = await runHook(p.site, eventEnv(p.site, '02-AvailablePrefix.env'));
        expect(done.stderr).not.toMatch(/unreadable spool entry/);
      } finally {
        await p.site.close();
      }
    }, 60000);
  });

  describe('torn journal tail', () => {
    it('a record appended after a torn last line is kept (Node 10)', async () => {
      const p = await prepareSite(seed);
      try {
        await runUntilKilled(p.site, rotationEvent(p), { method: 'one.image.allocate', nth: 1, after: true }, { node: 'node10' });
        const lines = journalLines(p);
        const allocate = JSON.parse(lines.filter((l) => /"t":"start"/.test(l)).pop()!).i;
        // Killed while writing allocate's done record: half a line, no newline.
        const fragment = `{"t":"done","i":${allocate},"at":17`;
        fs.appendFileSync(path.join(p.site.stateDir, 'journal', `${ALPHA}.jsonl`), fragment);
        const r = await runHook(p.site, {}, { args: ['recover'], node: 'node10' });
        expect(r.code, r.stderr).toBe(0);
        expect(normalizedImages(p.site)).toEqual(reference);
        const [journal] = archived(p);
        // Every line but the fragment is a whole record.
        const records = fs.readFileSync(path.join(p.site.stateDir, 'journal/done', journal), 'utf8').split('\n').filter((l) => l && l !== fragment);
        for (const l of records) expect(() => JSON.parse(l), l).not.toThrow();
        // The done record recovery wrote for allocate is there, with the image id.
        expect(records.map((l) => JSON.parse(l)).filter((x) => x.t === 'done' && x.i === allocate && x.result && x.result.imageId !== undefined)).toHaveLength(1);
      } finally {
        await p.site.close();
      }
    }, 60000);

    it('a rollback whose journal lost allocate\'s done record finds the new image by its run marker (Node 20)', async () => {
      const p = await prepareSite(seed);
      try {
        // Killed while oned is asked to give the new image the old one's owner (before commit).
        await runUntilKilled(p.site, rotationEvent(p), { method: 'one.image.chown', nth: 1, after: false });
        const file = path.join(p.site.stateDir, 'journal', `${ALPHA}.jsonl`);
        const lines = journalLines(p).filter((l) => l);
        const recs = lines.map((l) => JSON.parse(l));
        const at = recs.findIndex((x) => x.t === 'done' && x.result && x.result.imageId !== undefined);
        const chown = recs[recs.length - 1].i;
        expect(at).toBeGreaterThan(0);
        // What the previous version left: allocate's done record half written by a killed run, the next
        // record appended to the same line (both lost), then a failure, a rollback and a kill mid-undo.
        const torn = lines.slice(0, at).concat([lines[at].slice(0, 25) + lines[at + 1]], lines.slice(at + 2), [
          JSON.stringify({ t: 'fail', i: chown, at: Date.now(), error: 'one.image.chown failed (ACTION): not now' }),
          JSON.stringify({ t: 'rollback', at: Date.now(), reason: 'one.image.chown failed (ACTION): not now' }),
          JSON.stringify({ t: 'undo', i: chown, at: Date.now() }),
        ]);
        fs.writeFileSync(file, torn.join('\n') + '\n');
        const r = await runHook(p.site, {}, { args: ['recover'] });
        expect(r.stderr).not.toContain('not known yet');
        expect(r.code, r.stderr).toBe(0);
        expect(r.stderr).toMatch(/rolled back run/);
        // The killed run's image was deleted, found by its marker; the pending event then rotated afresh.
        expect(normalizedImages(p.site)).toEqual(reference);
        expect(stateFiles(p.site, 'journal')).toEqual([]);
        expect(stateFiles(p.site, 'spool')).toEqual([]);
      } finally {
        await p.site.close();
      }
    }, 60000);
  });

  describe('lock takeover', () => {
    it.each([
      ['an empty lock file', ''],
      ['a garbage lock file', '{"pid": 4'],
    ])('%s left by a crash, 6 hooks at once (Node 20 and 10): one takeover, one rotation, all exit 0', async (_, text) => {
      const p = await prepareSite(seed, { copyDelayMs: 200 });
      try {
        const lock = path.join(p.site.stateDir, 'locks', `${ALPHA}.lock`);
        fs.mkdirSync(path.dirname(lock), { recursive: true });
        fs.writeFileSync(lock, text);
        const old = new Date(Date.now() - 600000);
        fs.utimesSync(lock, old, old);
        p.site.sim.clearCalls();
        const results = await Promise.all([0, 1, 2, 3, 4, 5].map((k) => runHook(p.site, rotationEvent(p), { node: k % 2 ? 'node10' : 'node20' })));
        await p.site.sim.settle();
        expect(results.map((r) => r.code), explain(results)).toEqual([0, 0, 0, 0, 0, 0]);
        const takeovers = results.map((r) => (r.stderr.match(/took over the lock for \S+ left by unknown owner/g) || []).length);
        expect(takeovers.reduce((a, b) => a + b, 0), explain(results)).toBe(1);
        expect(normalizedImages(p.site)).toEqual(reference);
        expect(writes(p).filter((m) => m === 'one.image.allocate')).toHaveLength(1);
        expect(fs.readdirSync(path.dirname(lock))).toEqual([]);
      } finally {
        await p.site.close();
      }
    }, 90000);
  });

  describe('clock stepped back', () => {
    function faketime(offset: string): Record<string, string> {
      if (!fs.existsSync(FAKETIME_LIB)) throw new Error(`${FAKETIME_LIB} is missing: install Debian's faketime package (scripts/test.sh does)`);
      return { LD_PRELOAD: FAKETIME_LIB, FAKETIME: offset, FAKETIME_DONT_FAKE_MONOTONIC: '1' };
    }

    function v1Event(p: Prepared): Record<string, string> {
      const v1 = rotationEvent(p);
      v1.VMCATCHER_EVENT_SL_CHECKSUM_SHA512 = p.site.sim.image(p.oldId!)!.template.VMCATCHER_EVENT_SL_CHECKSUM_SHA512;
      return v1;
    }

    it('queue mode: v1, then the clock goes back an hour, then v2 (Node 10): drain registers v2', async () => {
      const p = await prepareSite(seed, { settings: { VMCHNDL_ON_QUEUE: 'yes' } });
      try {
        expect((await runHook(p.site, v1Event(p))).code).toBe(0);
        const v2 = await runHook(p.site, Object.assign(rotationEvent(p), faketime('-1h')), { node: 'node10' });
        expect(v2.code, v2.stderr).toBe(0);
        // The clock really was an hour back for that run.
        const entries = stateFiles(p.site, 'spool').map((f) => JSON.parse(fs.readFileSync(path.join(p.site.stateDir, 'spool', f), 'utf8')));
        expect(entries).toHaveLength(2);
        const received = entries.map((e) => e.receivedAt).sort();
        expect(received[1] - received[0]).toBeGreaterThan(3000000);
        const d = await runHook(p.site, {}, { args: ['drain'] });
        expect(d.code, d.stderr).toBe(0);
        expect(d.stderr).toMatch(/is superseded by a newer AvailablePostfix/);
        expect(normalizedImages(p.site)).toEqual(reference);
        expect(stateFiles(p.site, 'spool')).toEqual([]);
      } finally {
        await p.site.close();
      }
    }, 60000);

    it('an entry the previous version named by its clock (an hour ahead) stays before a new one: drain registers the new one', async () => {
      const p = await prepareSite(seed, { settings: { VMCHNDL_ON_QUEUE: 'yes' } });
      try {
        expect((await runHook(p.site, v1Event(p))).code).toBe(0);
        // Renamed as the previous version named entries: received ms, 15 digits, then random and identifier.
        const [name] = stateFiles(p.site, 'spool');
        const dir = path.join(p.site.stateDir, 'spool');
        const entry = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8'));
        const ms = Date.now() + 3600000;
        entry.id = `${String(ms).padStart(15, '0')}-0badc0de-${ALPHA}`;
        entry.receivedAt = ms;
        fs.writeFileSync(path.join(dir, `${entry.id}.json`), JSON.stringify(entry));
        fs.unlinkSync(path.join(dir, name));
        expect((await runHook(p.site, rotationEvent(p), { node: 'node10' })).code).toBe(0);
        const d = await runHook(p.site, {}, { args: ['drain'] });
        expect(d.code, d.stderr).toBe(0);
        expect(d.stderr).toMatch(/1 event\(s\) processed, 1 superseded, 0 still pending/);
        expect(normalizedImages(p.site)).toEqual(reference);
      } finally {
        await p.site.close();
      }
    }, 60000);
  });

  describe('journal pruning', () => {
    it(`a rotation of ${ALPHA} keeps the archived journals of ${ALPHA}.b`, async () => {
      const p = await prepareSite(seed);
      try {
        const done = path.join(p.site.stateDir, 'journal/done');
        fs.mkdirSync(done, { recursive: true });
        const old = new Date(Date.now() - 86400000);
        for (let k = 0; k < 10; k++) {
          const f = path.join(done, `${ALPHA}.b.20261101T00000${k}Z-abcdef.jsonl`);
          fs.writeFileSync(f, '{}\n');
          fs.utimesSync(f, old, old);
        }
        const r = await runHook(p.site, rotationEvent(p), { node: 'node10' });
        expect(r.code, r.stderr).toBe(0);
        expect(archived(p).filter((f) => f.indexOf(`${ALPHA}.b.`) === 0)).toHaveLength(10);
        expect(archived(p).filter((f) => f.indexOf(`${ALPHA}.b.`) !== 0)).toHaveLength(1);
      } finally {
        await p.site.close();
      }
    }, 60000);
  });
});
