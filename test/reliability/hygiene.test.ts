// Staging hygiene: work files are 0600 in 0700 directories whatever the umask, observed while the run
// works, and nothing is left behind after success, after a rolled-back failure, or after recovery from a crash.
import * as fs from 'fs';
import * as path from 'path';
import { afterEach, describe, expect, it } from 'vitest';
import { requireQemuImg } from '../helpers/images';
import { ALPHA, availableEvent, cacheImage } from '../e2e/scenario';
import { makeSite, runHook, Site, stateFiles, waitFor } from '../e2e/site';
import { convertStats, installRecorders, Recorders } from './helpers-b/recorders';
import { listTree } from './helpers-b/tree-snapshot';
import { runWithUmask0, startWithUmask0 } from './helpers-b/umask-run';

function mode(file: string): string {
  return (fs.lstatSync(file).mode & 0o7777).toString(8);
}

async function site(opts: { copyDelayMs?: number } = {}): Promise<{ site: Site; rec: Recorders }> {
  requireQemuImg();
  const s = await makeSite(opts);
  const rec = installRecorders(s);
  Object.assign(s.baseEnv, rec.settings);
  return { site: s, rec };
}

/** Every file and directory under the state directory is closed to others (files 0600, directories without o+rwx or g+w). */
function expectStateClosed(s: Site): void {
  const walk = (dir: string) => {
    for (const name of fs.readdirSync(dir)) {
      const file = path.join(dir, name);
      const st = fs.lstatSync(file);
      if (st.isDirectory()) {
        expect({ file, open: (st.mode & 0o027).toString(8) }).toEqual({ file, open: '0' });
        walk(file);
      } else expect({ file, mode: mode(file) }).toEqual({ file, mode: '600' });
    }
  };
  expect(mode(s.stateDir)).toMatch(/^7[05]0$/);
  walk(s.stateDir);
}

function stagedRunDirs(s: Site): string[] {
  return fs.existsSync(s.stagingDir) ? fs.readdirSync(s.stagingDir).map((d) => path.join(s.stagingDir, d)) : [];
}

describe('staging hygiene (umask 000)', () => {
  let current: Site | undefined;
  afterEach(async () => {
    if (current) await current.close();
    current = undefined;
  });

  it('a conversion writes a 0600 file in 0700 directories, and success leaves nothing', async () => {
    const { site: s, rec } = await site();
    current = s;
    const r = await runWithUmask0(s, availableEvent(s, cacheImage(s, 'qcow2', 'alpha-v1')));
    expect({ code: r.code, stderr: r.stderr.slice(-1500) }).toMatchObject({ code: 0 });
    const stats = convertStats(rec.qemuLog);
    const output = stats.filter((x) => /\.raw$/.test(x.path));
    expect(output.map((x) => [x.when, x.mode, x.type])).toEqual([
      ['before', '600', 'regular empty file'],
      ['after', '600', 'regular file'],
    ]);
    const runDir = path.dirname(output[0].path);
    expect(path.dirname(runDir)).toBe(s.stagingDir);
    for (const dir of [runDir, s.stagingDir]) {
      expect(stats.filter((x) => x.path === dir).map((x) => [x.when, x.mode, x.type])).toEqual([
        ['before', '700', 'directory'],
        ['after', '700', 'directory'],
      ]);
    }
    expect(listTree(s.stagingDir)).toEqual([]);
    expectStateClosed(s);
  });

  it('a hard-linked file waits in a 0700 directory, untouched; a failed allocate (call timeout) removes it', async () => {
    const { site: s } = await site();
    current = s;
    const img = cacheImage(s, 'raw', 'alpha-v1');
    const cached = fs.statSync(img.file);
    s.sim.inject({ method: 'one.image.allocate', fault: { type: 'hang' } });
    const child = startWithUmask0(s, Object.assign(availableEvent(s, img), { VMCHNDL_ON_CALL_TIMEOUT: '1.5' }));
    await waitFor(() => s.sim.calls.some((c) => c.method === 'one.image.allocate'), 20000, 'the allocate call');

    expect(mode(s.stagingDir)).toBe('700');
    const runs = stagedRunDirs(s);
    expect(runs).toHaveLength(1);
    expect(mode(runs[0])).toBe('700');
    const inside = fs.readdirSync(runs[0]).sort();
    expect(inside).toEqual([`${ALPHA}.raw`, '.vmcatcher-eventhndl-on-staging'].sort());
    expect(mode(path.join(runs[0], '.vmcatcher-eventhndl-on-staging'))).toBe('600');
    // A hard link is vmcatcher's own file: same inode, its mode left alone (we never chmod the cache).
    const linked = fs.statSync(path.join(runs[0], `${ALPHA}.raw`));
    expect([linked.ino, linked.nlink, linked.mode]).toEqual([cached.ino, 2, cached.mode]);

    const r = await child;
    expect({ code: r.exitCode, stderr: r.stderr.slice(-1500) }).toMatchObject({ code: 2 });
    expect(r.stderr).toMatch(/one\.image\.allocate failed \(timeout\)/);
    expect(listTree(s.stagingDir)).toEqual([]);
    expect(fs.statSync(img.file)).toMatchObject({ ino: cached.ino, nlink: 1, mode: cached.mode, size: cached.size });
  });

  it('failures that roll back remove the staging files: wrong checksum after converting, ERROR after allocate', async () => {
    const { site: s, rec } = await site();
    current = s;
    const img = cacheImage(s, 'qcow2', 'alpha-v1');
    const wrongSum = await runWithUmask0(s, availableEvent(s, img, { VMCATCHER_EVENT_SL_CHECKSUM_SHA512: 'c'.repeat(128) }));
    expect({ code: wrongSum.code, stderr: wrongSum.stderr.slice(-1500) }).toMatchObject({ code: 2 });
    expect(convertStats(rec.qemuLog).filter((x) => x.when === 'after' && /\.raw$/.test(x.path))).toHaveLength(1);
    expect(listTree(s.stagingDir)).toEqual([]);
    await runHook(s, {}, { args: ['forget', '--yes', ALPHA] });

    s.sim.failNextCopy('Error copying image in the datastore: disk full');
    const copyFailed = await runWithUmask0(s, availableEvent(s, img));
    expect({ code: copyFailed.code, stderr: copyFailed.stderr.slice(-1500) }).toMatchObject({ code: 2 });
    expect(copyFailed.stderr).toMatch(/disk full/);
    expect(convertStats(rec.qemuLog).filter((x) => x.when === 'after' && /\.raw$/.test(x.path))).toHaveLength(2);
    expect(listTree(s.stagingDir)).toEqual([]);
    expect(stateFiles(s, 'journal')).toEqual([]);
  });

  it('after a crash, `recover` removes what the killed run left', async () => {
    const { site: s } = await site();
    current = s;
    s.sim.inject({ method: 'one.image.allocate', fault: { type: 'hang' } });
    const child = startWithUmask0(s, availableEvent(s, cacheImage(s, 'qcow2', 'alpha-v1')));
    await waitFor(() => s.sim.calls.some((c) => c.method === 'one.image.allocate'), 20000, 'the allocate call');
    process.kill(-child.pid!, 'SIGKILL');
    await child;
    expect(listTree(s.stagingDir).filter((f) => /\.raw$/.test(f))).toHaveLength(1);
    s.sim.clearFaults();
    const r = await runWithUmask0(s, {}, ['recover']);
    expect({ code: r.code, stderr: r.stderr.slice(-1500) }).toMatchObject({ code: 0 });
    expect(listTree(s.stagingDir)).toEqual([]);
  });

  it('after a crash while oned copies, the next event removes what the killed run left', async () => {
    const { site: s } = await site({ copyDelayMs: 3000 });
    current = s;
    const event = availableEvent(s, cacheImage(s, 'qcow2', 'alpha-v1'));
    const child = startWithUmask0(s, event);
    await waitFor(() => s.sim.calls.filter((c) => c.method === 'one.image.info').length >= 1, 20000, 'the READY wait');
    process.kill(-child.pid!, 'SIGKILL');
    await child;
    expect(listTree(s.stagingDir).filter((f) => /\.raw$/.test(f))).toHaveLength(1);
    const r = await runWithUmask0(s, event);
    expect({ code: r.code, stderr: r.stderr.slice(-1500) }).toMatchObject({ code: 0 });
    expect(listTree(s.stagingDir)).toEqual([]);
    expect(s.sim.images().filter((i) => i.name === ALPHA).map((i) => i.stateName)).toEqual(['READY']);
    expectStateClosed(s);
  });
});
