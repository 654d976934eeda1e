// The template steps against the simulator over HTTP (the real client): guarded, idempotent, the admin's
// other disks kept, a template an admin deleted left alone; repointDisks on its own.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { normalizeConfig } from '../../src/config/config';
import type { ExecContext } from '../../src/exec/context';
import { createLogger } from '../../src/log/logger';
import { createOneClient } from '../../src/one/client';
import { writeRecord } from '../../src/record/record';
import { STEPS } from '../../src/steps';
import { repointDisks } from '../../src/steps/template-update';
import { startSimulator, Simulator } from '../sim/index';

const ID = 'id-1';

describe('repointDisks', () => {
  const d = (id: string, more: Record<string, string> = {}) => ({ name: 'DISK', vector: Object.assign({ IMAGE_ID: id }, more) });
  it('points the disks using an old image at the new one, keeping their other keys and every other disk', () => {
    expect(repointDisks([d('7', { DEV_PREFIX: 'vd' }), d('3')], [7, 5], 9)).toEqual([d('9', { DEV_PREFIX: 'vd' }), d('3')]);
  });
  it('leaves disks that already use the new image; else points the first; adds one to a template without', () => {
    expect(repointDisks([d('3'), d('9')], [7], 9)).toEqual([d('3'), d('9')]);
    expect(repointDisks([{ name: 'DISK', vector: { IMAGE: 'x', IMAGE_UNAME: 'u', SIZE: '1' } }, d('3')], [7], 9)).toEqual([d('9', { SIZE: '1' }), d('3')]);
    expect(repointDisks([], [7], 9)).toEqual([d('9')]);
  });
});

describe('template steps against the simulator', () => {
  let sim: Simulator;
  let dir: string;
  let ctx: ExecContext;
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmc-tsteps-'));
    sim = await startSimulator({ version: '6.10', adminPassword: 'pw', root: path.join(dir, 'one') });
    const config = normalizeConfig({ stateDir: path.join(dir, 'state'), stagingDir: path.join(dir, 'staging'), template: 'yes' });
    writeRecord(config.stateDir, ID, { v: 1, identifier: ID, current: { id: 7, how: 'adopted', at: 'x' }, retired: [] });
    ctx = {
      one: createOneClient({ endpoint: sim.url, session: 'oneadmin:pw' }),
      tools: undefined as never,
      log: createLogger({ level: 'error', format: 'text', sink: { write: () => undefined }, clock: () => 0 }),
      config,
      now: () => Date.UTC(2026, 0, 1),
      sleep: async () => undefined,
      progress: () => undefined,
      pollMs: 1,
      maxPollMs: 1,
    };
  });
  afterEach(async () => {
    await sim.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('template-allocate creates once, records the id, and its undo deletes only the template this run made', async () => {
    const step = { kind: 'template-allocate' as const, identifier: ID, runId: 'run-1', name: 'Alpha', nodes: [{ name: 'NAME', value: 'Alpha' }, { name: 'DISK', vector: {} }, { name: 'VMCHNDL_ON_RUN', value: 'run-1' }], disk: 7 };
    expect(await STEPS['template-allocate'].isDone(step, ctx)).toBe(false);
    await STEPS['template-allocate'].apply(step, ctx);
    await STEPS['template-allocate'].apply(step, ctx);
    expect(sim.templates().length).toBe(1);
    const t = sim.templates()[0];
    expect(t.nodes.filter((n) => n.name === 'DISK')).toEqual([{ name: 'DISK', vector: { IMAGE_ID: '7' } }]);
    expect(JSON.parse(fs.readFileSync(path.join(ctx.config.stateDir, 'records', `${ID}.json`), 'utf8')).template).toMatchObject({ id: t.id, runId: 'run-1' });
    expect(await STEPS['template-allocate'].isDone(step, ctx)).toEqual({});
    const other = sim.addTemplate({ name: 'admin', template: { VMCHNDL_ON_RUN: 'run-0' } });
    await STEPS['template-allocate'].undo(step, ctx, undefined);
    expect(sim.templates().map((x) => x.id)).toEqual([other]);
    expect(JSON.parse(fs.readFileSync(path.join(ctx.config.stateDir, 'records', `${ID}.json`), 'utf8')).template).toBeUndefined();
    // Made again on the admin's request, then rolled back: the deleted one stays recorded.
    const again = Object.assign({}, step, { runId: 'run-3', nodes: [{ name: 'NAME', value: 'Alpha' }, { name: 'VMCHNDL_ON_RUN', value: 'run-3' }], replaces: { id: 40, at: 'x' } });
    await STEPS['template-allocate'].apply(again, ctx);
    await STEPS['template-allocate'].undo(again, ctx, undefined);
    expect(JSON.parse(fs.readFileSync(path.join(ctx.config.stateDir, 'records', `${ID}.json`), 'utf8')).template).toEqual({ id: 40, at: 'x' });
    expect(sim.templates().map((x) => x.id)).toEqual([other]);
  });

  it('template-update keeps the other disks and the admin\'s attributes; a deleted template is left alone', async () => {
    const id = sim.addTemplate({ name: 'Alpha', template: { MEMORY: '4096', NIC: { NETWORK: 'public' }, DISK: [{ IMAGE_ID: '3' }, { IMAGE_ID: '7', DEV_PREFIX: 'vd' }] } });
    const step = { kind: 'template-update' as const, identifier: ID, runId: 'run-2', template: id, disk: 9, from: [7], set: { VMCATCHER_EVENT_HV_VERSION: '2.0' }, before: { VMCATCHER_EVENT_HV_VERSION: '' } };
    expect(await STEPS['template-update'].isDone(step, ctx)).toBe(false);
    await STEPS['template-update'].apply(step, ctx);
    await STEPS['template-update'].apply(step, ctx);
    const t = sim.template(id)!;
    expect(t.nodes.filter((n) => n.name === 'DISK')).toEqual([
      { name: 'DISK', vector: { IMAGE_ID: '3' } },
      { name: 'DISK', vector: { IMAGE_ID: '9', DEV_PREFIX: 'vd' } },
    ]);
    expect(t.template).toMatchObject({ MEMORY: '4096', VMCATCHER_EVENT_HV_VERSION: '2.0' });
    expect(t.nodes.filter((n) => n.name === 'NIC').length).toBe(1);
    expect(await STEPS['template-update'].isDone(step, ctx)).toEqual({});
    await STEPS['template-update'].undo(step, ctx, undefined);
    expect(sim.template(id)!.nodes.filter((n) => n.name === 'DISK').map((n) => ('vector' in n ? n.vector.IMAGE_ID : ''))).toEqual(['3', '7']);
    await ctx.one.templateDelete(id);
    sim.clearCalls();
    await STEPS['template-update'].apply(step, ctx);
    await STEPS['template-chmod'].apply({ kind: 'template-chmod', identifier: ID, runId: 'run-2', template: id, mode: '640', fromMode: '600' }, ctx);
    expect(sim.calls.map((c) => c.method).filter((m) => !/info$/.test(m))).toEqual([]);
  });
});
