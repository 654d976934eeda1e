// The spool: order of arrival that a clock step cannot change, entries of the previous version read and
// kept in order, unreadable entries moved aside and never dropped, writes on a full disk.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImageEvent } from '../../src/event/parse-event';
import { superseded } from '../../src/hook/supersede';
import { listQuarantined, listSpool, spoolDir, spoolEvent, updateEntry } from '../../src/spool/spool';
import { mountTmpfs, Tmpfs } from '../helpers/tmpfs';

const HOUR = 3600000;

function available(identifier: string, checksum: string, pad = 0): ImageEvent {
  return { kind: 'available', type: 'AvailablePostfix', identifier, vars: { VMCATCHER_EVENT_DC_IDENTIFIER: identifier, PAD: 'x'.repeat(pad) }, file: `/cache/${identifier}`, checksum };
}

function stateDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'vmc-spool-'));
}

describe('spool order', () => {
  it('follows arrival, not the wall clock: after a clock step back the newer event still sorts last and supersedes', () => {
    const dir = stateDir();
    const t = Date.UTC(2026, 11, 7, 12);
    spoolEvent(dir, available('img', 'aa'), t);
    // The clock is set back an hour (NTP, a VM restored from a snapshot); then v2 arrives.
    spoolEvent(dir, available('img', 'bb'), t - HOUR);
    const entries = listSpool(dir);
    expect(entries.map((e) => e.event.checksum)).toEqual(['aa', 'bb']);
    expect(superseded(entries).map((e) => e.event.checksum)).toEqual(['aa']);
  });

  it('reads entries named by the previous version and keeps them before new ones', () => {
    const dir = stateDir();
    fs.mkdirSync(spoolDir(dir), { recursive: true });
    // As the previous version named them: received ms (here an hour ahead of the clock), random, identifier.
    const t = Date.now();
    for (const [ms, sum] of [[t + HOUR, 'old1'], [t + HOUR + 5, 'old2']] as Array<[number, string]>) {
      const id = `${String(ms).padStart(15, '0')}-0badc0de-img`;
      fs.writeFileSync(path.join(spoolDir(dir), `${id}.json`), JSON.stringify({ v: 1, id, identifier: 'img', type: 'AvailablePostfix', receivedAt: ms, event: available('img', sum), attempts: 1 }));
    }
    spoolEvent(dir, available('img', 'new'), t);
    expect(listSpool(dir).map((e) => e.event.checksum)).toEqual(['old1', 'old2', 'new']);
    // An update keeps the entry where it was.
    const first = listSpool(dir)[0];
    updateEntry(dir, first, { attempts: 2 });
    expect(listSpool(dir).map((e) => `${e.event.checksum}:${e.attempts}`)).toEqual(['old1:2', 'old2:1', 'new:0']);
  });
});

describe('unreadable spool entries', () => {
  it('are moved aside (never dropped), reported with the file, and listed until an admin removes them', () => {
    const dir = stateDir();
    spoolEvent(dir, available('img', 'aa'), Date.now());
    const torn = path.join(spoolDir(dir), 's000000000000007-0badc0de-other.json');
    fs.writeFileSync(torn, '{"v":1,"id":"s000000000000007-0badc0de-other","identifier":"oth');
    const bad: string[] = [];
    expect(listSpool(dir, undefined, (f, why) => bad.push(`${f}: ${why}`)).map((e) => e.identifier)).toEqual(['img']);
    const moved = path.join(spoolDir(dir), 'bad', path.basename(torn));
    expect(bad).toHaveLength(1);
    expect(bad[0]).toContain(moved);
    expect(fs.readFileSync(moved, 'utf8')).toContain('"identifier":"oth');
    expect(fs.existsSync(torn)).toBe(false);
    // Still there at the next run, until an administrator acts.
    expect(listQuarantined(dir)).toEqual([moved]);
    expect(listQuarantined(dir)).toEqual([moved]);
    fs.unlinkSync(moved);
    expect(listQuarantined(dir)).toEqual([]);
  });
});

describe('unreadable spool entries seen by a command that only reads', () => {
  it('are reported and left in place', () => {
    const dir = stateDir();
    fs.mkdirSync(spoolDir(dir), { recursive: true });
    const torn = path.join(spoolDir(dir), 's000000000000001-0badc0de-img.json');
    fs.writeFileSync(torn, '');
    const bad: string[] = [];
    expect(listSpool(dir, undefined, (f, why) => bad.push(`${f}: ${why}`), false)).toEqual([]);
    expect(bad).toEqual([`${torn}: empty file`]);
    expect(fs.existsSync(torn)).toBe(true);
    expect(listQuarantined(dir)).toEqual([]);
  });
});

describe('spool on a full disk (a real 64 KiB tmpfs)', () => {
  let fsys: Tmpfs;
  beforeAll(() => {
    fsys = mountTmpfs('64k');
  });
  afterAll(() => fsys && fsys.close());

  it('an event that does not fit is refused, not stored short; an update never replaces a good entry with a torn one', () => {
    const dir = path.join(fsys.dir, 'state');
    const entry = spoolEvent(dir, available('img', 'aa', 500), Date.now());
    fsys.fill(4096);
    expect(() => spoolEvent(dir, available('img', 'bb', 6000), Date.now())).toThrow(/ENOSPC/);
    expect(() => updateEntry(dir, entry, { lastError: 'e'.repeat(6000) })).toThrow(/ENOSPC/);
    const bad: string[] = [];
    expect(listSpool(dir, undefined, (f) => bad.push(f)).map((e) => `${e.event.checksum}:${e.lastError}`)).toEqual(['aa:undefined']);
    expect(bad).toEqual([]);
    expect(fs.readdirSync(spoolDir(dir)).filter((f) => /^\.tmp-/.test(f))).toEqual([]);
    fsys.unfill();
  });
});
