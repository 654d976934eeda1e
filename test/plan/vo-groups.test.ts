// VMCHNDL_ON_VO_GROUPS in the plan: a first registration of a mapped VO goes to its group; nothing else changes.
import { describe, expect, it } from 'vitest';
import { plan } from '../../src/plan/plan';
import type { Step } from '../../src/plan/types';
import { ID, RUN, SUM1, bits, config, event, image, observed } from '../helpers/records';

const VO = 'fedcloud.egi.eu';
const mapped = { vo: VO, gid: 105, name: 'fedcloud' };
const voEvent = () => event({ vars: { VMCATCHER_EVENT_VO: VO } });
const settings = { voGroups: `${VO}=fedcloud`, voMode: '640' };
const last = (steps: readonly Step[], kind: Step['kind']) => steps.filter((s) => s.kind === kind).slice(-1)[0];

describe('plan: VO groups', () => {
  it('puts a first registration of a mapped VO in its group with VMCHNDL_ON_VO_MODE, owned by the handler', () => {
    const p = plan(voEvent(), observed({ caller: { uid: 2, gid: 1, name: 'vmcatcher' }, voGroup: mapped }), config(settings), RUN);
    expect(p.action).toBe('register');
    expect(last(p.steps, 'chown')).toEqual({ kind: 'chown', image: 'new', uid: 2, gid: 105, fromUid: 2, fromGid: 1 });
    expect(last(p.steps, 'chmod')).toMatchObject({ image: 'new', mode: '640' });
    expect(p.summary).toContain('VO fedcloud.egi.eu is mapped to group fedcloud (VMCHNDL_ON_VO_GROUPS): group 105, mode 640');
  });

  it('keeps an unmapped VO private (VMCHNDL_ON_NEW_MODE)', () => {
    const p = plan(event({ vars: { VMCATCHER_EVENT_VO: 'other.vo' } }), observed({ caller: { uid: 2, gid: 1, name: 'vmcatcher' } }), config(settings), RUN);
    expect(p.steps.some((s) => s.kind === 'chown')).toBe(false);
    expect(last(p.steps, 'chmod')).toMatchObject({ mode: '600' });
    expect(p.summary).toContain('private to vmcatcher, mode 600');
  });

  it('ignores an observed group that belongs to another VO than the event\'s', () => {
    const p = plan(event({ vars: { VMCATCHER_EVENT_VO: 'other.vo' } }), observed({ voGroup: mapped }), config(settings), RUN);
    expect(last(p.steps, 'chmod')).toMatchObject({ mode: '600' });
  });

  it('lets a restored predecessor win over the mapping: the admin\'s last decision', () => {
    const old = image({
      id: 3,
      name: `${ID} 2026-01-01_00-00-00_+0000-UTC`,
      template: {
        VMCATCHER_EVENT_DC_IDENTIFIER: ID,
        VMCHNDL_ON_RETIRED: '2026-01-01T00:00:00.000Z',
        VMCHNDL_ON_RETIRED_FROM_UID: '0',
        VMCHNDL_ON_RETIRED_FROM_GID: '100',
        VMCHNDL_ON_RETIRED_FROM_MODE: '644',
        VMCHNDL_ON_RETIRED_FROM_STATE: 'ENABLED',
      },
    });
    const p = plan(voEvent(), observed({ images: [old], voGroup: mapped }), config(settings), RUN);
    expect(last(p.steps, 'chown')).toMatchObject({ gid: 100 });
    expect(last(p.steps, 'chmod')).toMatchObject({ mode: '644' });
    expect(p.summary).toContain('restoring what retired image 3 had');
  });

  it('carries a rotated image\'s owner, group and mode, not the mapping: the admin changed the group', () => {
    const cur = image({
      id: 7,
      name: ID,
      uid: 0,
      gid: 200,
      gname: 'elsewhere',
      permissions: bits('604'),
      template: { VMCATCHER_EVENT_DC_IDENTIFIER: ID, VMCATCHER_EVENT_SL_CHECKSUM_SHA512: SUM1 },
    });
    const p = plan(voEvent(), observed({ images: [cur], voGroup: mapped }), config(settings), RUN);
    expect(p.action).toBe('rotate');
    const newChown = p.steps.filter((s) => s.kind === 'chown' && s.image === 'new')[0];
    const newChmod = p.steps.filter((s) => s.kind === 'chmod' && s.image === 'new')[0];
    expect(newChown).toMatchObject({ uid: 0, gid: 200 });
    expect(newChmod).toMatchObject({ mode: '604' });
    expect(p.summary).not.toContain('VMCHNDL_ON_VO_GROUPS');
  });
});
