// Pure planner tests for VMCHNDL_ON_TEMPLATE: no I/O, observed state built in memory.
import { describe, expect, it } from 'vitest';
import { plan } from '../../src/plan/plan';
import { describeStep } from '../../src/steps';
import { planTemplateCommand } from '../../src/plan/plan-template-command';
import type { Observed, ObservedTemplates, Step } from '../../src/plan/types';
import type { TemplateNode, VmTemplateRecord } from '../../src/one/types';
import type { HandlerRecord } from '../../src/record/record';
import { ID, RUN, SUM1, SUM2, bits, config, event, image, observed } from '../helpers/records';

const ON = { template: 'yes' };
const kinds = (steps: readonly Step[]) => steps.map((s) => s.kind);
const templateSteps = (steps: readonly Step[]) => steps.filter((s) => s.kind.indexOf('template-') === 0);

function vmTemplate(p: Partial<VmTemplateRecord> & { id: number; nodes?: TemplateNode[] }): VmTemplateRecord {
  const nodes = p.nodes || [{ name: 'DISK', vector: { IMAGE_ID: '7' } }];
  const template: Record<string, string> = {};
  for (const n of nodes) if ('value' in n) template[n.name] = n.value;
  return Object.assign({ uid: 0, gid: 0, uname: 'oneadmin', gname: 'oneadmin', name: 'Alpha Linux Base', permissions: bits('600'), regtime: 1, nodes, template }, p);
}

function templates(pool: VmTemplateRecord[] = [], more: Partial<ObservedTemplates> = {}): ObservedTemplates {
  return Object.assign({ pool, sizing: {} }, more);
}

function recorded(current: number | null, template?: number, retired: HandlerRecord['retired'] = []): HandlerRecord {
  const rec: HandlerRecord = { v: 1, identifier: ID, current: current === null ? null : { id: current, how: 'registered', at: '2026-01-01T00:00:00.000Z' }, retired };
  return template === undefined ? rec : Object.assign(rec, { template: { id: template, at: '2026-01-01T00:00:00.000Z' } });
}

const current7 = (over: Partial<Parameters<typeof image>[0]> = {}) =>
  image(Object.assign({ id: 7, name: ID, uid: 5, gid: 100, uname: 'alice', gname: 'users', permissions: bits('640'), template: { VMCATCHER_EVENT_DC_IDENTIFIER: ID, VMCATCHER_EVENT_SL_CHECKSUM_SHA512: SUM1, VMCATCHER_EVENT_DC_TITLE: 'Alpha Linux Base' } }, over));

function obs(p: Partial<Observed>): Observed {
  return observed(Object.assign({ templates: templates() }, p));
}

describe('plan: VM templates (VMCHNDL_ON_TEMPLATE)', () => {
  it('with the setting off, plans no template step even when templates were observed', () => {
    const off = plan(event(), obs({}), config(), RUN);
    expect(templateSteps(off.steps)).toEqual([]);
    const rotation = plan(event(), obs({ images: [current7()], record: recorded(7, 3), templates: templates([vmTemplate({ id: 3 })]) }), config(), RUN);
    expect(templateSteps(rotation.steps)).toEqual([]);
  });

  it('first registration: creates the template after the commit, named after the title, sized from the image list, with the image\'s group and mode', () => {
    const t = templates([vmTemplate({ id: 1, name: 'Alpha Linux Base', nodes: [] }), vmTemplate({ id: 2, uid: 5, name: 'Alpha Linux Base (2)', nodes: [] })], { sizing: { memory: 512, cpu: 2 } });
    const p = plan(event({ vars: { VMCATCHER_EVENT_SL_ARCH: 'x86_64', VMCATCHER_EVENT_AD_MPURI: 'https://appdb/a:1/' } }), obs({ templates: t }), config(Object.assign({ newMode: '640' }, ON)), RUN);
    expect(kinds(p.steps).slice(p.commitIndex)).toEqual(['template-allocate', 'template-chmod']);
    const alloc = p.steps[p.commitIndex] as Extract<Step, { kind: 'template-allocate' }>;
    // Names are unique per owner: the caller (uid 0) has "Alpha Linux Base"; uid 5's "(2)" does not count.
    expect(alloc).toMatchObject({ name: 'Alpha Linux Base (2)', disk: 'new', runId: RUN.runId, identifier: ID });
    const flat = (n: TemplateNode) => ('value' in n ? [n.name, n.value] : [n.name, n.vector]);
    expect(alloc.nodes.map(flat)).toEqual([
      ['NAME', 'Alpha Linux Base (2)'],
      ['DISK', {}],
      ['MEMORY', '512'],
      ['CPU', '2'],
      ['VCPU', '2'],
      ['OS', { ARCH: 'x86_64' }],
      ['CONTEXT', { NETWORK: 'YES', SSH_PUBLIC_KEY: '$USER[SSH_PUBLIC_KEY]' }],
      ['CLOUDKEEPER_APPLIANCE_MPURI', 'https://appdb/a:1/'],
      ['CLOUDKEEPER_APPLIANCE_DESCRIPTION', 'Alpha Linux base image'],
      ['CLOUDKEEPER_APPLIANCE_VERSION', '2.0'],
      ['CLOUDKEEPER_APPLIANCE_ARCHITECTURE', 'x86_64'],
      ['VMCATCHER_EVENT_AD_MPURI', 'https://appdb/a:1/'],
      ['VMCATCHER_EVENT_HV_VERSION', '2.0'],
      ['VMCATCHER_EVENT_DC_IDENTIFIER', ID],
      ['VMCHNDL_ON_RUN', RUN.runId],
    ]);
    expect(describeStep(alloc)).toMatch(/^create VM template "Alpha Linux Base \(2\)" for .* using the new image: DISK=\[IMAGE_ID=<the new image>\] MEMORY=512 CPU=2 VCPU=2 OS=\[ARCH=x86_64\] /);
    expect(p.steps[p.commitIndex + 1]).toMatchObject({ template: 'new', mode: '640', fromMode: '600' });
    expect(p.summary).toMatch(/create its VM template/);
  });

  it('first registration without sizing in the image list: the site defaults, and the reason as a warning', () => {
    const t = templates([], { sizingNote: 'cannot read cache.index' });
    const p = plan(event(), obs({ templates: t }), config(Object.assign({ templateMemory: '2048', templateCpu: '4' }, ON)), RUN);
    const alloc = p.steps.filter((s) => s.kind === 'template-allocate')[0] as Extract<Step, { kind: 'template-allocate' }>;
    expect(alloc.nodes.filter((n) => ['MEMORY', 'CPU', 'VCPU'].indexOf(n.name) >= 0)).toEqual([
      { name: 'MEMORY', value: '2048' },
      { name: 'CPU', value: '4' },
      { name: 'VCPU', value: '4' },
    ]);
    expect(p.warnings).toContain('cannot read cache.index');
  });

  it('rotation: points the recorded template at the new image, updates the version, gives it the new image\'s group and mode', () => {
    const live = vmTemplate({ id: 3, gid: 0, permissions: bits('600'), nodes: [{ name: 'DISK', vector: { IMAGE_ID: '7' } }, { name: 'VMCATCHER_EVENT_HV_VERSION', value: '1.0' }] });
    const p = plan(event(), obs({ images: [current7()], record: recorded(7, 3), templates: templates([live]) }), config(ON), RUN);
    expect(p.action).toBe('rotate');
    const after = p.steps.slice(p.commitIndex);
    expect(kinds(after)).toEqual(['chown', 'chmod', 'mark-retired', 'enable', 'template-update', 'template-chown', 'template-chmod']);
    expect(after[4]).toMatchObject({ template: 3, disk: 'new', from: [7], set: { VMCATCHER_EVENT_HV_VERSION: '2.0', CLOUDKEEPER_APPLIANCE_VERSION: '2.0' }, before: { VMCATCHER_EVENT_HV_VERSION: '1.0' } });
    expect(after[5]).toMatchObject({ template: 3, gid: 100, fromGid: 0 });
    expect(after[6]).toMatchObject({ template: 3, mode: '640', fromMode: '600' });
  });

  it('expiry: retires the template with the image (marked, retired group and mode), never deletes it', () => {
    const live = vmTemplate({ id: 3, gid: 100, permissions: bits('640') });
    const p = plan(event({ kind: 'expire', type: 'ExpirePostfix', file: undefined }), obs({ images: [current7()], record: recorded(7, 3), templates: templates([live]), subscriptionState: 1 }), config(ON), RUN);
    expect(p.action).toBe('retire');
    const t = templateSteps(p.steps);
    expect(kinds(t)).toEqual(['template-update', 'template-chown', 'template-chmod']);
    expect(t[0]).toMatchObject({ template: 3, set: { VMCHNDL_ON_RETIRED: new Date(RUN.now).toISOString(), VMCHNDL_ON_RETIRED_FROM_GID: '100', VMCHNDL_ON_RETIRED_FROM_MODE: '640' } });
    expect(t[1]).toMatchObject({ gid: 0, fromGid: 100 });
    expect(t[2]).toMatchObject({ mode: '700', fromMode: '640' });
    expect(p.steps.indexOf(t[0])).toBeGreaterThanOrEqual(p.commitIndex);
  });

  it('re-endorsement: the retired template points at the new image and gets the restored group and mode back', () => {
    const retiredImg = image({ id: 7, name: `${ID} 2026-01-01_00-00-00`, gid: 0, permissions: bits('700'), state: 3, template: { VMCATCHER_EVENT_DC_IDENTIFIER: ID, VMCHNDL_ON_RETIRED: 'x' } });
    const live = vmTemplate({ id: 3, gid: 0, permissions: bits('700'), nodes: [{ name: 'DISK', vector: { IMAGE_ID: '7' } }, { name: 'VMCHNDL_ON_RETIRED', value: 'x' }] });
    const rec = recorded(null, 3, [{ id: 7, at: 'x', from: { name: ID, uid: 5, gid: 100, mode: '640', state: 'ENABLED' } }]);
    const p = plan(event(), obs({ images: [retiredImg], record: rec, templates: templates([live]) }), config(ON), RUN);
    const t = templateSteps(p.steps);
    expect(kinds(t)).toEqual(['template-update', 'template-chown', 'template-chmod']);
    expect(t[0]).toMatchObject({ disk: 'new', from: [7], set: { VMCHNDL_ON_RETIRED: '' } });
    expect(t[1]).toMatchObject({ gid: 100 });
    expect(t[2]).toMatchObject({ mode: '640' });
  });

  it('a current image without a template gets one at an event that otherwise does nothing', () => {
    const cur = current7({ template: { VMCATCHER_EVENT_DC_IDENTIFIER: ID, VMCATCHER_EVENT_SL_CHECKSUM_SHA512: SUM2 } });
    const p = plan(event(), obs({ images: [cur], record: recorded(7), file: undefined }), config(ON), RUN);
    expect(p.action).toBe('nothing');
    expect(kinds(p.steps)).toEqual(['template-allocate', 'template-chown', 'template-chmod']);
    expect(p.steps[0]).toMatchObject({ disk: 7 });
    expect(p.steps[1]).toMatchObject({ gid: 100, fromGid: 0 });
    expect(p.steps[2]).toMatchObject({ mode: '640' });
  });

  it('a template the admin deleted is not made again: a warning says how to ask for it', () => {
    const p = plan(event(), obs({ images: [current7()], record: recorded(7, 3) }), config(ON), RUN);
    expect(templateSteps(p.steps)).toEqual([]);
    expect(p.warnings.join('\n')).toMatch(/VM template 3 of .* no longer exists .* `vmcatcher_eventHndl_ON template /);
  });

  it('a template carrying the identifier that is not in the record: no second one, a warning', () => {
    const other = vmTemplate({ id: 9, nodes: [{ name: 'VMCATCHER_EVENT_DC_IDENTIFIER', value: ID }] });
    const p = plan(event(), obs({ templates: templates([other]) }), config(ON), RUN);
    expect(templateSteps(p.steps)).toEqual([]);
    expect(p.warnings.join('\n')).toMatch(/VM template 9 .* not in the handler's record/);
  });

  it('a locked template is left alone, with a warning', () => {
    const p = plan(event(), obs({ images: [current7()], record: recorded(7, 3), templates: templates([vmTemplate({ id: 3, lock: 1 })]) }), config(ON), RUN);
    expect(templateSteps(p.steps)).toEqual([]);
    expect(p.warnings.join('\n')).toMatch(/locked/);
  });
});

describe('planTemplateCommand (`template <identifier>`)', () => {
  it('re-creates a template the admin deleted, for the current image, with its group and mode', () => {
    const p = planTemplateCommand(ID, obs({ images: [current7()], record: recorded(7, 3) }), config(ON), RUN);
    expect(p.action).toBe('template');
    expect(kinds(p.steps)).toEqual(['template-allocate', 'template-chown', 'template-chmod']);
    // Rolled back, the run puts the deleted template back in the record: events must not make it again.
    expect(p.steps[0]).toMatchObject({ disk: 7, name: 'Alpha Linux Base', replaces: { id: 3 } });
    expect(p.commitIndex).toBe(1);
  });

  it('repairs a template that does not use the current image, and does nothing to one in order', () => {
    const stale = vmTemplate({ id: 3, gid: 100, permissions: bits('640'), nodes: [{ name: 'DISK', vector: { IMAGE_ID: '5' } }] });
    const p = planTemplateCommand(ID, obs({ images: [current7()], record: recorded(7, 3), templates: templates([stale]) }), config(ON), RUN);
    expect(kinds(p.steps)).toEqual(['template-update']);
    expect(p.steps[0]).toMatchObject({ disk: 7 });
    const fine = vmTemplate({ id: 3, gid: 100, permissions: bits('640'), nodes: [{ name: 'DISK', vector: { IMAGE_ID: '7' } }] });
    const q = planTemplateCommand(ID, obs({ images: [current7({ template: { VMCATCHER_EVENT_DC_IDENTIFIER: ID } })], record: recorded(7, 3), templates: templates([fine]) }), config(ON), RUN);
    expect(q.steps).toEqual([]);
    expect(q.action).toBe('nothing');
  });

  it('refuses when there is no current image', () => {
    expect(() => planTemplateCommand(ID, obs({}), config(ON), RUN)).toThrow(/no current image/);
  });
});
