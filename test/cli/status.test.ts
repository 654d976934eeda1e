// `status`: current and retired images per identifier, pending events; table and --json; reads only.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireQemuImg } from '../helpers/images';
import { ALPHA, cacheImage } from '../e2e/scenario';
import { makeSite, NodeKind, Site } from '../e2e/site';
import { BETA, cli, COLOR, GAMMA, nonReadCalls, StatusSchema, writeCacheIndex } from './cli-site';

const DELTA = 'd3170000-0000-4000-8000-00000000d317';

/**
 * A site with: alpha rotated for real by `replay` (current owned by alice, 644, DISABLED; v1 retired);
 * beta as 0.0.8 left it (current in use by 2 VMs, both of 0.0.8's retired name forms); gamma with two
 * images that both look current and a queued event; delta with only an interrupted run; an image
 * this tool does not manage.
 */
async function populate(site: Site, node: NodeKind): Promise<{ alice: number; ids: Record<string, number> }> {
  const alice = site.sim.addUser({ name: 'alice', password: 'a', gid: 1 });
  const ids: Record<string, number> = {};
  ids.alphaV1 = site.sim.addImage({
    name: ALPHA, uid: alice, gid: 1, mode: '644', state: 'DISABLED', regtime: 1700000000,
    template: { VMCATCHER_EVENT_DC_IDENTIFIER: ALPHA, VMCATCHER_EVENT_HV_VERSION: '1.0', VMCATCHER_EVENT_DC_TITLE: 'Alpha Linux Base' },
  });
  const alpha = cacheImage(site, 'qcow2', 'alpha-v2');
  const gamma = cacheImage(site, 'raw', 'gamma', GAMMA, 1);
  writeCacheIndex(site, { [ALPHA]: alpha, [GAMMA]: gamma });
  const env = { VMCATCHER_CACHE_DIR_CACHE: site.cacheDir };
  expect((await cli(site, node, ['replay', ALPHA], env)).code).toBe(0);
  ids.alphaV2 = site.sim.images().filter((i) => i.name === ALPHA)[0].id;

  const beta = { VMCATCHER_EVENT_DC_IDENTIFIER: BETA, VMCATCHER_EVENT_HV_VERSION: '3.2', VMCATCHER_EVENT_DC_TITLE: 'Beta Appliance' };
  ids.betaOld1 = site.sim.addImage({ name: `${BETA}_EXPIRED_2014-06-04_10-54-44`, mode: '600', state: 'DISABLED', template: Object.assign({}, beta, { VMCATCHER_EVENT_HV_VERSION: '3.0' }), regtime: 1401000000 });
  ids.betaOld2 = site.sim.addImage({ name: `${BETA} 2015-01-02_03-04-05`, mode: '600', state: 'DISABLED', template: Object.assign({}, beta, { VMCATCHER_EVENT_HV_VERSION: '3.1' }), regtime: 1420000000 });
  ids.beta = site.sim.addImage({ name: BETA, uid: alice, gid: 1, mode: '640', runningVms: 2, template: beta, regtime: 1430000000 });

  const g = { VMCATCHER_EVENT_DC_IDENTIFIER: GAMMA, VMCATCHER_EVENT_HV_VERSION: '0.9' };
  ids.gamma = site.sim.addImage({ name: GAMMA, template: g, regtime: 1600000000 });
  ids.gammaCopy = site.sim.addImage({ name: 'gamma for tests', template: g, regtime: 1600000100 });
  expect((await cli(site, node, ['replay', GAMMA], Object.assign({ VMCHNDL_ON_QUEUE: 'yes' }, env))).code).toBe(0);

  ids.other = site.sim.addImage({ name: 'ubuntu-22.04', template: { DESCRIPTION: 'uploaded by hand' } });
  // An interrupted run leaves its journal open; status only needs to see that it is there.
  fs.mkdirSync(path.join(site.stateDir, 'journal'), { recursive: true });
  fs.writeFileSync(path.join(site.stateDir, 'journal', `${DELTA}.jsonl`), '');
  return { alice, ids };
}

describe.each<NodeKind>(['node20', 'node10'])('status under %s', (node) => {
  let site: Site;
  let alice: number;
  let ids: Record<string, number>;
  beforeAll(async () => {
    requireQemuImg();
    site = await makeSite();
    ({ alice, ids } = await populate(site, node));
    site.sim.clearCalls();
  });
  afterAll(async () => {
    await site.close();
  });

  it('--json: every managed identifier with its current and retired images, pending events and interrupted runs', async () => {
    const r = await cli(site, node, ['status', '--json']);
    // gamma's two current-looking images and delta's interrupted run need an admin.
    expect(r.code).toBe(2);
    const s = StatusSchema.parse(JSON.parse(r.stdout));
    expect(s.identifiers.map((i) => i.identifier)).toEqual([ALPHA, BETA, GAMMA, DELTA].sort());
    const by = (id: string) => s.identifiers.filter((i) => i.identifier === id)[0];

    const a = by(ALPHA);
    expect(a.title).toBe('Alpha Linux Base');
    expect(a.current).toMatchObject({ id: ids.alphaV2, owner: 'alice', uid: alice, group: 'users', mode: 'um-u--u--', octal: '644', state: 'DISABLED', version: '2.0', retiredAt: null, datastore: 'default' });
    expect(a.retired).toHaveLength(1);
    expect(a.retired[0]).toMatchObject({ id: ids.alphaV1, owner: 'oneadmin', group: 'oneadmin', mode: 'uma------', octal: '700', version: '1.0', registered: '2023-11-14T22:13:20.000Z' });
    expect(a.retired[0].name).toMatch(new RegExp(`^${ALPHA} \\d{4}-\\d{2}-\\d{2}_\\d{2}-\\d{2}-\\d{2}_\\+0[12]00-CES?T$`));
    expect(a.retired[0].retiredAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    // The rotation entered both in the handler's record.
    expect([a.recorded, a.current!.recorded, a.retired[0].recorded]).toEqual([true, true, true]);
    expect(a.pending).toEqual([]);

    const b = by(BETA);
    expect(b.current).toMatchObject({ id: ids.beta, state: 'USED', runningVms: 2, mode: 'um-u-----', octal: '640', version: '3.2' });
    expect(b.retired.map((i) => [i.id, i.version, i.retiredAt])).toEqual([
      [ids.betaOld2, '3.1', null],
      [ids.betaOld1, '3.0', null],
    ]);

    // Beta as 0.0.8 left it: one candidate, adopted at the next event.
    expect([b.recorded, b.current!.recorded]).toEqual([false, false]);

    // Two candidates and no record: events wait for `adopt`.
    const g = by(GAMMA);
    expect(g.current).toBeNull();
    expect(g.recorded).toBe(false);
    expect(g.duplicates.map((i) => i.id)).toEqual([ids.gammaCopy, ids.gamma]);
    expect(g.pending).toEqual([{ type: 'AvailablePostfix', received: expect.any(String), attempts: 0, lastError: null }]);

    expect(by(DELTA)).toEqual({ identifier: DELTA, title: null, current: null, duplicates: [], lookAlikes: [], retired: [], recorded: false, pending: [], interrupted: true, waitingRetirement: false, template: null });
    expect(JSON.stringify(s)).not.toContain('ubuntu');
    expect(nonReadCalls(site.sim.calls.map((c) => c.method))).toEqual([]);
  });

  it('shows only the identifiers asked for, in that order, also one OpenNebula does not know (exit 3)', async () => {
    const r = await cli(site, node, ['status', GAMMA, ALPHA, 'not-registered', '--json']);
    expect(r.code).toBe(3);
    const s = StatusSchema.parse(JSON.parse(r.stdout));
    expect(s.identifiers.map((i) => i.identifier)).toEqual([GAMMA, ALPHA, 'not-registered']);
    expect(s.identifiers[2]).toMatchObject({ current: null, retired: [], pending: [], interrupted: false });
  });

  it('prints a table off a terminal, without colours', async () => {
    const r = await cli(site, node, ['status']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/something needs an administrator/);
    expect(r.stdout).not.toMatch(COLOR);
    const lines = r.stdout.split('\n');
    expect(lines).toContain(`${ALPHA}  Alpha Linux Base`);
    expect(r.stdout).toMatch(/^ {2}ROLE +ID +NAME +OWNER:GROUP +MODE +STATE +VMS +REGISTERED +DATASTORE +VERSION$/m);
    // The heading names the identifier: NAME shows "=" for it, and only the rest of a retired name; times carry their offset.
    expect(r.stdout).toMatch(new RegExp(`^  current\\* +${ids.alphaV2} += +alice:users +um-u--u-- \\(644\\) +DISABLED +0 +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d \\+0[12]00 +1:default +2\\.0$`, 'm'));
    expect(r.stdout).toMatch(new RegExp(`^  retired +${ids.betaOld1} +…_EXPIRED_2014-06-04_10-54-44 +oneadmin:oneadmin +um------- \\(600\\) +DISABLED +0 +2014-05-25 08:40:00 \\+0200 +1:default +3\\.0$`, 'm'));
    expect(r.stdout).toMatch(/^ {2}current +\d+ += +alice:users +um-u----- \(640\) +USED +2 /m);
    expect(r.stdout).toMatch(/^ {2}pending AvailablePostfix received \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0[12]00, 0 attempt\(s\)$/m);
    expect(r.stdout).toContain(`several images could be current and the handler has no record: events wait until \`vmcatcher_eventHndl_ON adopt ${GAMMA} <image id>\``);
    expect(r.stdout).toContain(`not recorded yet: the next event adopts image ${ids.beta} as current and records it`);
    expect(r.stdout).toContain(`interrupted run: \`vmcatcher_eventHndl_ON recover ${DELTA}\``);
    expect(r.stdout).toContain(`${DELTA}\n  no image in OpenNebula\n`);
    expect(nonReadCalls(site.sim.calls.map((c) => c.method))).toEqual([]);
  });

  it('fails with exit 2 and a clear message when oned cannot be reached', async () => {
    const r = await cli(site, node, ['status'], { VMCHNDL_ON_ENDPOINT: 'http://127.0.0.1:9/RPC2' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/one\.imagepool\.info failed \(connection\)/);
    expect(r.stdout).toBe('');
  });
});
