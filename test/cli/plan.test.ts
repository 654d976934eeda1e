// `plan` (and the hook's --dry-run): observe, print the steps as text and as data, change nothing.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { ALPHA, availableEvent, cacheImage, expireEvent, imageListSays } from '../e2e/scenario';
import { EVENTS, eventEnv, NodeKind, Site, stateFiles } from '../e2e/site';
import { useSite } from '../e2e/use-site';
import { cli, nonReadCalls, OutcomeSchema, PlanSchema } from './cli-site';

/** An image that 0.0.8 or an earlier run registered, which the admin then gave to alice, published and disabled. */
function publishedImage(site: Site): { id: number; alice: number } {
  const alice = site.sim.addUser({ name: 'alice', password: 'a', gid: 1 });
  const id = site.sim.addImage({
    name: ALPHA,
    uid: alice,
    gid: 1,
    mode: '644',
    state: 'DISABLED',
    template: { VMCATCHER_EVENT_DC_IDENTIFIER: ALPHA, VMCATCHER_EVENT_HV_VERSION: '1.0', VMCATCHER_EVENT_SL_CHECKSUM_SHA512: 'ab'.repeat(64) },
  });
  return { id, alice };
}

describe.each<NodeKind>(['node20', 'node10'])('plan under %s', (node) => {
  const getSite = useSite();
  let site: Site;
  beforeEach(() => {
    site = getSite();
  });

  it('prints a rotation as data, step by step, and makes only read calls', async () => {
    const { id, alice } = publishedImage(site);
    const img = cacheImage(site, 'qcow2', 'alpha-v2');
    const before = site.sim.images();
    site.sim.clearCalls();
    const r = await cli(site, node, ['plan', '--json'], availableEvent(site, img, { VMCATCHER_EVENT_HV_VERSION: '2.0' }));
    expect(r.code).toBe(0);
    const p = PlanSchema.parse(JSON.parse(r.stdout));
    expect(p.action).toBe('rotate');
    const find = <K extends string>(kind: K, image: number | 'new') => p.steps.filter((s) => s.kind === kind && 'image' in s && s.image === image);
    expect(find('rename', id)[0]).toMatchObject({ from: ALPHA, to: expect.stringMatching(new RegExp(`^${ALPHA} \\d{4}-\\d{2}-\\d{2}_`)) });
    expect(find('chown', 'new')[0]).toMatchObject({ uid: alice, gid: 1, uname: 'alice', gname: 'users', fromUname: 'oneadmin', fromGname: 'oneadmin' });
    expect(find('chown', 'new')[0].description).toBe(`give the new image to user alice (${alice}), group users (1) (one.image.chown; was user oneadmin (0), group oneadmin (0))`);
    expect(find('chmod', 'new')[0]).toMatchObject({ mode: '644' });
    expect(find('enable', 'new')[0]).toMatchObject({ enable: false });
    expect(find('chmod', id)[0]).toMatchObject({ mode: '700', fromMode: '644' });
    expect(find('mark-retired', id)).toHaveLength(1);
    expect(p.steps.filter((s) => s.kind === 'allocate')[0]).toMatchObject({ name: ALPHA, template: { VMCATCHER_EVENT_HV_VERSION: '2.0' } });
    // Nothing changed: only `*.info` calls, the same images, no spool entry, journal or staging directory.
    expect(site.sim.calls.map((c) => c.method)).toContain('one.imagepool.info');
    expect(nonReadCalls(site.sim.calls.map((c) => c.method))).toEqual([]);
    expect(site.sim.images()).toEqual(before);
    expect(stateFiles(site, 'spool')).toEqual([]);
    expect(stateFiles(site, 'journal')).toEqual([]);
    expect(fs.existsSync(site.stagingDir) ? fs.readdirSync(site.stagingDir) : []).toEqual([]);

    // The hook's --dry-run prints the same plan.
    const dry = await cli(site, node, ['--dry-run', '--json'], availableEvent(site, img, { VMCATCHER_EVENT_HV_VERSION: '2.0' }));
    expect(dry.code).toBe(0);
    const q = PlanSchema.parse(JSON.parse(dry.stdout));
    expect(q.steps.map((s) => s.kind)).toEqual(p.steps.map((s) => s.kind));
    expect(nonReadCalls(site.sim.calls.map((c) => c.method))).toEqual([]);
  });

  it('prints the text plan on stdout without --json (also with -q; logs stay on stderr), and plans a retirement with vmcatcher_image', async () => {
    const { id } = publishedImage(site);
    site.sim.clearCalls();
    const text = await cli(site, node, ['plan'], Object.assign(expireEvent(site), imageListSays(1)));
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`^retire image ${id} of ${ALPHA} .*\n(?:warning: .*\n)*  1\\. rename image ${id} `));
    expect(text.stderr).not.toMatch(/plan -- +1\. /);
    const quiet = await cli(site, node, ['plan', '-q'], Object.assign(expireEvent(site), imageListSays(1)));
    // The same plan (but for the time in the retired name).
    const timeless = (t: string) => t.replace(/\d{4}-\d\d-\d\d[_T][\d:.-]+(_\+\d{4}-\w+|Z)/g, 'TIME');
    expect(timeless(quiet.stdout)).toBe(timeless(text.stdout));
    // -q leaves only warnings on stderr (here: the first contact's adoption), never the plan or INFO lines.
    expect(quiet.stderr).not.toMatch(/ INFO;|  1\. /);
    // The hook's --dry-run (vmcatcher's way) keeps logging the plan.
    const dry = await cli(site, node, ['--dry-run'], Object.assign(expireEvent(site), imageListSays(1)));
    expect(dry.stderr).toMatch(/plan -- +1\. /);
    const r = await cli(site, node, ['plan', '--json'], Object.assign(expireEvent(site), imageListSays(1)));
    const p = PlanSchema.parse(JSON.parse(r.stdout));
    expect(p.action).toBe('retire');
    expect(p.steps.filter((s) => s.kind === 'mark-retired')[0]).toMatchObject({ image: id });
    expect(nonReadCalls(site.sim.calls.map((c) => c.method))).toEqual([]);
    expect(site.sim.image(id)!.name).toBe(ALPHA);
  });

  it('answers an event it ignores with its outcome as data', async () => {
    const r = await cli(site, node, ['plan', '--json'], eventEnv(site, '01-ProcessPrefix.env'));
    expect(r.code).toBe(0);
    expect(OutcomeSchema.parse(JSON.parse(r.stdout))).toEqual({ type: 'ProcessPrefix', identifier: null, outcome: 'ignored', events: [] });
    const none = await cli(site, node, ['plan']);
    expect(none.code).toBe(3);
    expect(none.stderr).toContain('plan: no event in the environment (VMCATCHER_EVENT_TYPE is not set): give a saved event with --env-file FILE');
    const id = await cli(site, node, ['plan', ALPHA]);
    expect(id.code).toBe(3);
    expect(id.stderr).toMatch(/plan: an identifier .* goes with --env-file/);
    expect(site.sim.calls).toEqual([]);
  });

  it('plans a saved dump as it is (comment lines, values with spaces) with --env-file, on stdout', async () => {
    const img = cacheImage(site, 'qcow2', 'alpha-v1');
    const dump = path.join(EVENTS, '03-AvailablePostfix.env');
    expect(fs.readFileSync(dump, 'utf8')).toMatch(/^# .*\n[\s\S]*=.* .*\n/);
    const r = await cli(site, node, ['plan', '--env-file', dump, '--cache-dir', site.cacheDir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^register ${ALPHA} \\(convert qcow2 to raw\\)`));
    expect(r.stdout).toContain(`check the sha512 of ${img.file}`);
    const j = await cli(site, node, ['plan', '--env-file', dump, '--cache-dir', site.cacheDir, '--json']);
    expect(PlanSchema.parse(JSON.parse(j.stdout)).action).toBe('register');
    expect(JSON.parse(j.stdout).steps.filter((x: { kind: string }) => x.kind === 'allocate')[0].template.VMCATCHER_EVENT_DC_DESCRIPTION).toBe('Alpha Linux base image for the vmc lab (qcow2)');
    expect(nonReadCalls(site.sim.calls.map((c) => c.method))).toEqual([]);
    expect(stateFiles(site, 'spool')).toEqual([]);
  });
});
