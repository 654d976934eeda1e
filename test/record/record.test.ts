// The handler's record: durable files in the state directory, the baseline, and the `record` step's
// apply, isDone and undo (a rollback writes back exactly what was there).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ExecContext } from '../../src/exec/context';
import { ensureBaseline, HandlerRecord, listRecords, readBaseline, readRecord, writeRecord } from '../../src/record/record';
import { recordStep } from '../../src/steps/record';

const ID = '1e2b8099-febf-444f-8078-8942ca3e5210';
let stateDir: string;
beforeEach(() => {
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'record-'));
});
afterEach(() => fs.rmSync(stateDir, { recursive: true, force: true }));

const ctx = (newImageId?: number) => ({ config: { stateDir }, newImageId }) as unknown as ExecContext;
const retirement = { id: 7, at: '2026-12-01T00:00:00.000Z', from: { name: ID, uid: 5, gid: 100, mode: '644', state: 'ENABLED' as const } };

describe('record files', () => {
  it('round-trips, lists, removes, and refuses a damaged record loudly', () => {
    expect(readRecord(stateDir, ID)).toBeUndefined();
    const rec: HandlerRecord = { v: 1, identifier: ID, current: { id: 7, how: 'adopted', at: '2026-12-01T00:00:00.000Z' }, retired: [] };
    writeRecord(stateDir, ID, rec);
    expect(readRecord(stateDir, ID)).toEqual(rec);
    expect(fs.statSync(path.join(stateDir, 'records', `${ID}.json`)).mode & 0o777).toBe(0o600);
    expect(listRecords(stateDir)).toEqual([ID]);
    fs.writeFileSync(path.join(stateDir, 'records', `${ID}.json`), '{"v":1,"identifier":"other"');
    expect(() => readRecord(stateDir, ID)).toThrow(/record .* is damaged: move it away/);
    writeRecord(stateDir, ID, null);
    expect(readRecord(stateDir, ID)).toBeUndefined();
  });

  it('sets the baseline once, at the first run', () => {
    expect(readBaseline(stateDir)).toBeUndefined();
    expect(ensureBaseline(stateDir, 1000)).toBe(1000);
    expect(ensureBaseline(stateDir, 5000)).toBe(1000);
    expect(listRecords(stateDir)).toEqual([]);
  });
});

describe('the record step', () => {
  it('records the new image and the retirement, is done once written, and undo restores the record before', async () => {
    const before: HandlerRecord = { v: 1, identifier: ID, current: { id: 7, how: 'registered', at: '2026-11-01T00:00:00.000Z', runId: 'r0' }, retired: [] };
    writeRecord(stateDir, ID, before);
    const step = { kind: 'record' as const, identifier: ID, current: 'new' as const, how: 'registered' as const, runId: 'r1', at: '2026-12-01T00:00:00.000Z', retire: retirement, before };
    expect(await recordStep.isDone(step, ctx(9))).toBe(false);
    await recordStep.apply(step, ctx(9));
    expect(readRecord(stateDir, ID)).toEqual({ v: 1, identifier: ID, current: { id: 9, how: 'registered', at: step.at, runId: 'r1' }, retired: [Object.assign({ how: 'registered' }, retirement)] });
    expect(await recordStep.isDone(step, ctx(9))).toEqual({});
    // Applied again after a crash: the same record, no second retirement.
    await recordStep.apply(step, ctx(9));
    expect(readRecord(stateDir, ID)!.retired).toHaveLength(1);
    await recordStep.undo(step, ctx(9), undefined);
    expect(readRecord(stateDir, ID)).toEqual(before);
  });

  it('an expiry leaves no current image; undo of a first record removes the file', async () => {
    const step = { kind: 'record' as const, identifier: ID, current: null, how: 'registered' as const, runId: 'r1', at: retirement.at, retire: retirement, before: null };
    await recordStep.apply(step, ctx());
    // No record of how image 7 became current (adopted by this very plan): it is noted as adopted, never as the handler's own.
    expect(readRecord(stateDir, ID)).toMatchObject({ current: null, retired: [{ id: 7, how: 'adopted' }] });
    await recordStep.undo(step, ctx(), undefined);
    expect(readRecord(stateDir, ID)).toBeUndefined();
  });

  it('notes how the retired image had become current, from the record before', async () => {
    const before: HandlerRecord = { v: 1, identifier: ID, current: { id: 7, how: 'adopted', at: '2026-11-01T00:00:00.000Z' }, retired: [] };
    writeRecord(stateDir, ID, before);
    const step = { kind: 'record' as const, identifier: ID, current: null, how: 'registered' as const, runId: 'r1', at: retirement.at, retire: retirement, before };
    await recordStep.apply(step, ctx());
    expect(readRecord(stateDir, ID)!.retired).toEqual([Object.assign({ how: 'adopted' }, retirement)]);
  });
});
