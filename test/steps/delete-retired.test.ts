// The delete-retired step against the oned simulator: it checks everything again just before deleting,
// skips with a warning what no longer qualifies or what oned refuses, and marks the record durably.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ExecContext } from '../../src/exec/context';
import { createLogger, memorySink } from '../../src/log/logger';
import { createOneClient } from '../../src/one/client';
import type { Step } from '../../src/plan/types';
import { HandlerRecord, readRecord, writeRecord } from '../../src/record/record';
import { deleteRetiredStep } from '../../src/steps/delete-retired';
import { startSimulator, Simulator } from '../sim/index';

const ID = '1e2b8099-febf-444f-8078-8942ca3e5210';
const NOW = Date.UTC(2026, 11, 8, 12, 0, 0);
const DAY = 86400000;
const RETIRED_AT = new Date(NOW - 2 * DAY).toISOString();

let sim: Simulator;
let stateDir: string;
let lines: string[];
let ctx: ExecContext;
let img: number;

beforeEach(async () => {
  sim = await startSimulator({ deleteDelayMs: 20 });
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'delete-retired-'));
  const sink = memorySink();
  lines = sink.lines;
  ctx = {
    one: createOneClient({ endpoint: sim.url, session: 'oneadmin:opennebula' }),
    log: createLogger({ level: 'info', format: 'text', sink }),
    config: { stateDir },
    now: () => NOW,
  } as unknown as ExecContext;
  img = sim.addImage({ name: `${ID} 2026-12-06_13-00-00_+0100-CET`, state: 'DISABLED', mode: '700', template: { VMCATCHER_EVENT_DC_IDENTIFIER: ID, VMCHNDL_ON_RETIRED: RETIRED_AT } });
  const rec: HandlerRecord = {
    v: 1,
    identifier: ID,
    current: { id: 99, how: 'registered', at: RETIRED_AT },
    retired: [{ id: img, at: RETIRED_AT, how: 'registered', from: { name: ID, uid: 0, gid: 0, mode: '644', state: 'ENABLED' } }],
  };
  writeRecord(stateDir, ID, rec);
});
afterEach(async () => {
  await sim.close();
  fs.rmSync(stateDir, { recursive: true, force: true });
});

const step = (over: Partial<Extract<Step, { kind: 'delete-retired' }>> = {}) =>
  Object.assign({ kind: 'delete-retired' as const, identifier: ID, image: img, name: 'x', retiredAt: RETIRED_AT, minAgeMs: DAY, retiredUid: 0 }, over);
const pruned = () => readRecord(stateDir, ID)!.retired[0].pruned;

describe('delete-retired', () => {
  it('deletes an unused retired image, marks it pruned in the record, and is done afterwards', async () => {
    expect(await deleteRetiredStep.isDone(step(), ctx)).toBe(false);
    expect(await deleteRetiredStep.apply(step(), ctx)).toBeUndefined();
    await sim.settle();
    expect(sim.image(img)).toBeUndefined();
    expect(pruned()).toBe(new Date(NOW).toISOString());
    expect(await deleteRetiredStep.isDone(step(), ctx)).toEqual({});
    // Applied again after a crash: nothing more to do, no error.
    expect(await deleteRetiredStep.apply(step(), ctx)).toBeUndefined();
    expect(deleteRetiredStep.describe(step())).toMatch(/cannot be undone/);
  });

  it('finishes the record after a crash between the delete and the record', async () => {
    await ctx.one.imageDelete(img);
    expect(await deleteRetiredStep.isDone(step(), ctx)).toBe(false);
    await deleteRetiredStep.apply(step(), ctx);
    expect(pruned()).toBeDefined();
  });

  it('skips with a warning an image a VM started to use between the plan and the delete', async () => {
    // Left enabled at its retirement (oned lets no VM take a disabled image), a VM takes it now.
    await ctx.one.imageEnable(img, true);
    sim.setRunningVms(img, 1);
    expect(await deleteRetiredStep.apply(step(), ctx)).toEqual({ skipped: '1 VM(s) use it' });
    expect(sim.image(img)).toBeDefined();
    expect(pruned()).toBeUndefined();
    expect(lines.join('\n')).toMatch(new RegExp(`WARNING.*retired image ${img} .* is kept: 1 VM\\(s\\) use it`));
  });

  it('skips what is locked, back to current, given away, unmarked or too young by the clock now', async () => {
    sim.lockImage(img, 1);
    expect(await deleteRetiredStep.apply(step(), ctx)).toEqual({ skipped: 'it is locked (one.image.lock level 1)' });
    sim.unlockImage(img);
    expect((await deleteRetiredStep.apply(step({ retiredUid: 5 }), ctx))!.skipped).toBe('it now belongs to oneadmin');
    expect((await deleteRetiredStep.apply(step({ minAgeMs: 3 * DAY }), ctx))!.skipped).toMatch(/less than 3 d 0 h ago by this host's clock/);
    expect((await deleteRetiredStep.apply(step({ retiredAt: new Date(NOW + DAY).toISOString(), minAgeMs: 0 }), ctx))!.skipped).toMatch(/retired at 2026-12-09/);
    const rec = readRecord(stateDir, ID)!;
    writeRecord(stateDir, ID, Object.assign({}, rec, { current: { id: img, how: 'registered', at: RETIRED_AT } }));
    expect((await deleteRetiredStep.apply(step(), ctx))!.skipped).toBe('it is the current image again');
    writeRecord(stateDir, ID, rec);
    await ctx.one.imageUpdate(img, { VMCHNDL_ON_RETIRED: '' }, true);
    expect((await deleteRetiredStep.apply(step(), ctx))!.skipped).toBe('its VMCHNDL_ON_RETIRED marker was cleared');
    expect(sim.image(img)).toBeDefined();
  });

  it('skips with a warning a delete oned refuses, never failing', async () => {
    sim.inject({ method: 'one.image.delete', fault: { type: 'error', code: 0x400, message: '[one.image.delete] Not authorized' } });
    const r = await deleteRetiredStep.apply(step(), ctx);
    expect(r!.skipped).toMatch(/^oned refused to delete it: .*Not authorized/);
    expect(sim.image(img)).toBeDefined();
    expect(pruned()).toBeUndefined();
  });

  it('fails (for recovery to retry) when oned does not answer at all', async () => {
    sim.inject({ method: 'one.image.delete', fault: { type: 'http500' } });
    await expect(deleteRetiredStep.apply(step(), ctx)).rejects.toThrow();
  });
});
