// `replay`: the bundled CLI rebuilds vmcatcher's event from a real-shaped cache.index (or a saved
// event) and handles it through the hook's own code path, under Node 20 and Node 10.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { eventVarsOfCacheEntry } from '../../src/vmcatcher/cache-index';
import { sameImageContent } from '../helpers/images';
import { ALPHA, cacheImage, currentImages, imageListSays } from '../e2e/scenario';
import { NodeKind, Site, stateFiles } from '../e2e/site';
import { useSite } from '../e2e/use-site';
import { cli, envDump, nonReadCalls, OutcomeSchema, PlanSchema, writeCacheIndex } from './cli-site';
import { explLine } from './saved-events';


describe.each<NodeKind>(['node20', 'node10'])('replay under %s', (node) => {
  const getSite = useSite();
  let site: Site;
  beforeEach(() => {
    site = getSite();
  });
  const cacheEnv = () => ({ VMCATCHER_CACHE_DIR_CACHE: site.cacheDir });

  it('registers an image from cache.index exactly as vmcatcher\'s AvailablePostfix would, and a second replay changes nothing', async () => {
    const img = cacheImage(site, 'qcow2', 'alpha-v2');
    const index = writeCacheIndex(site, { [ALPHA]: img });
    const r = await cli(site, node, ['replay', ALPHA, '--json'], cacheEnv());
    expect(r.stderr).toContain(`event AvailablePostfix for ${ALPHA}`);
    expect(r.code).toBe(0);
    const out = OutcomeSchema.parse(JSON.parse(r.stdout));
    expect(out).toMatchObject({ type: 'AvailablePostfix', identifier: ALPHA, outcome: 'processed', events: [{ identifier: ALPHA, outcome: 'done' }] });

    const [im] = currentImages(site);
    expect(im.stateName).toBe('READY');
    expect(sameImageContent(im.source, img.file)).toBe(true);
    // Every variable vmcatcher would have set became an attribute, with vmcatcher's values.
    const expected = eventVarsOfCacheEntry(index[ALPHA] as Record<string, unknown>);
    expect(Object.keys(expected)).toHaveLength(17);
    for (const k of Object.keys(expected)) expect(im.template[k], k).toBe(expected[k]);
    expect(im.template.VMCATCHER_EVENT_HV_VERSION).toBe('2.0');
    expect(im.template.VMCATCHER_EVENT_TYPE).toBe('AvailablePostfix');
    expect(im.template.VMCATCHER_EVENT_UUID_SESSION).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(im.template.DESCRIPTION).toBe('Alpha Linux base image for the vmc lab (qcow2), security update');
    // The hook's bookkeeping: nothing left in the spool or the journal, vmcatcher's cache untouched.
    expect(stateFiles(site, 'spool')).toEqual([]);
    expect(stateFiles(site, 'journal')).toEqual([]);
    expect(fs.readdirSync(site.cacheDir).sort()).toEqual([ALPHA, 'cache.index', 'expired', 'partial']);

    site.sim.clearCalls();
    const again = await cli(site, node, ['replay', '--cache-dir', path.relative(site.root, site.cacheDir), ALPHA]);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/already holds this version/);
    expect(nonReadCalls(site.sim.calls.map((c) => c.method))).toEqual([]);
    expect(site.sim.images()).toHaveLength(1);
  });

  it('--dry-run --json prints the plan with each step described and changes nothing', async () => {
    const img = cacheImage(site, 'qcow2', 'alpha-v2');
    writeCacheIndex(site, { [ALPHA]: img });
    const r = await cli(site, node, ['replay', ALPHA, '--dry-run', '--json'], cacheEnv());
    expect(r.code).toBe(0);
    const p = PlanSchema.parse(JSON.parse(r.stdout));
    expect(p.action).toBe('register');
    expect(p.identifier).toBe(ALPHA);
    const kinds = p.steps.map((s) => s.kind);
    expect(kinds).toEqual(expect.arrayContaining(['convert', 'allocate', 'wait-ready', 'chmod']));
    const convert = p.steps.filter((s) => s.kind === 'convert')[0];
    expect(convert).toMatchObject({ input: img.file, inputFormat: 'qcow2', outputFormat: 'raw' });
    // The image list's sha512 is checked, in a step of its own or while converting.
    const checks = p.steps.map((s) => (s.kind === 'verify-checksum' ? s.expected : s.kind === 'convert' ? s.expectedSha512 : undefined));
    expect(checks).toContain(img.sha512);
    expect(convert.description).toContain('qcow2');
    // The plan's text in the log is the same as the descriptions in the JSON.
    for (const s of p.steps) expect(r.stderr).toContain(s.description);
    expect(site.sim.calls.length).toBeGreaterThan(0);
    expect(nonReadCalls(site.sim.calls.map((c) => c.method))).toEqual([]);
    expect(site.sim.images()).toEqual([]);
    expect(stateFiles(site, 'spool')).toEqual([]);
    expect(stateFiles(site, 'journal')).toEqual([]);
  });

  it('says which variable or argument is missing or wrong (exit 3)', async () => {
    const none = await cli(site, node, ['replay', ALPHA]);
    expect(none.code).toBe(3);
    expect(none.stderr).toMatch(/VMCATCHER_CACHE_DIR_CACHE is not set.*--cache-dir/);
    const img = cacheImage(site, 'qcow2', 'alpha-v2');
    writeCacheIndex(site, { [ALPHA]: img });
    const unknown = await cli(site, node, ['replay', 'f00-not-cached'], cacheEnv());
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain(`f00-not-cached is not in ${site.cacheDir}/cache.index: vmcatcher has not cached that image (it holds ${ALPHA})`);
    const noIndex = await cli(site, node, ['replay', ALPHA, '--cache-dir', site.root]);
    expect(noIndex.code).toBe(3);
    expect(noIndex.stderr).toContain(`cannot read vmcatcher's cache index ${site.root}/cache.index`);
    const badType = await cli(site, node, ['replay', ALPHA, '--type', 'AvailablePostfx'], cacheEnv());
    expect(badType.code).toBe(3);
    expect(badType.stderr).toMatch(/--type "AvailablePostfx": expected one of AvailablePostfix, ExpirePostfix/);
    const noId = await cli(site, node, ['replay'], cacheEnv());
    expect(noId.code).toBe(3);
    expect(noId.stderr).toContain('give the identifier');
    expect(nonReadCalls(site.sim.calls.map((c) => c.method))).toEqual([]);
    expect(site.sim.images()).toEqual([]);
  });

  it('replays a saved `env` dump with relative vmcatcher directories, then its ExpirePostfix with --type', async () => {
    const img = cacheImage(site, 'raw', 'alpha-v2');
    const file = path.join(site.root, 'event.env');
    fs.writeFileSync(file, `# saved by the admin\n${envDump(site, '14-AvailablePostfix.env', { VMCATCHER_EVENT_SL_CHECKSUM_SHA512: img.sha512, VMCATCHER_EVENT_HV_FORMAT: 'raw' })}`);
    // Run from elsewhere: the saved PWD, not ours, anchors vmcatcher's relative directories.
    const r = await cli(site, node, ['replay', '--env-file', file, ALPHA], {}, '/');
    expect(r.stderr).toContain(`event AvailablePostfix for ${ALPHA} (${img.file})`);
    expect(r.code).toBe(0);
    const [im] = currentImages(site);
    expect(im.template.VMCATCHER_EVENT_UUID_SESSION).toBe('859ef0e6-e61b-11f1-b157-02fc00000001');
    expect(im.template.VMCATCHER_EVENT_HV_VERSION).toBe('2.0');

    // Still subscribed (vmcatcher_image says 3): the expiry leaves the image alone.
    const kept = await cli(site, node, ['replay', '--env-file', file, '--type', 'ExpirePostfix'], imageListSays(3));
    expect(kept.code).toBe(0);
    expect(kept.stderr).toMatch(/still subscribed/);
    expect(currentImages(site)).toHaveLength(1);
    // No longer subscribed: it is retired.
    const gone = await cli(site, node, ['replay', '--env-file', file, '--type', 'ExpirePostfix', '--json'], imageListSays(1));
    expect(gone.code).toBe(0);
    expect(OutcomeSchema.parse(JSON.parse(gone.stdout)).outcome).toBe('processed');
    expect(currentImages(site)).toHaveLength(0);
    expect(site.sim.image(im.id)!.template.VMCHNDL_ON_RETIRED).toMatch(/^\d{4}-/);
  });

  it('replays the right event from vmcatcher_eventHndlExpl\'s JSON lines', async () => {
    const img = cacheImage(site, 'qcow2', 'alpha-v2');
    const lines = ['01-ProcessPrefix.env', '03-AvailablePostfix.env', '12-ExpirePostfix.env', '14-AvailablePostfix.env', '17-ProcessPostfix.env'].map((f) =>
      explLine(f, { VMCATCHER_CACHE_DIR_CACHE: site.cacheDir, VMCATCHER_CACHE_DIR_EXPIRE: site.expireDir }),
    );
    // vmcatcher's sha512 of v2 is that of its real file; ours differs, so give the log our file's.
    lines[3] = lines[3].replace(/"VMCATCHER_EVENT_SL_CHECKSUM_SHA512": "[0-9a-f]+"/, `"VMCATCHER_EVENT_SL_CHECKSUM_SHA512": "${img.sha512}"`);
    const file = path.join(site.root, 'events.jsonl');
    fs.writeFileSync(file, lines.join('\n') + '\n');
    const plan = await cli(site, node, ['replay', '--env-file', file, ALPHA, '--dry-run', '--json']);
    expect(plan.code).toBe(0);
    const p = PlanSchema.parse(JSON.parse(plan.stdout));
    const alloc = p.steps.filter((s) => s.kind === 'allocate')[0];
    expect(alloc.kind === 'allocate' && alloc.template.VMCATCHER_EVENT_HV_VERSION).toBe('2.0');
    expect(alloc.kind === 'allocate' && alloc.template.VMCATCHER_EVENT_SL_CHECKSUM_SHA512).toBe(img.sha512);
    // The variables the example handler wrote as "" are not passed on.
    expect(alloc.kind === 'allocate' && Object.keys(alloc.template).filter((k) => /VMCATCHER_EVENT_(AD_MPURI|VO)$/.test(k))).toEqual([]);
    const r = await cli(site, node, ['replay', '--env-file', file]);
    expect(r.code).toBe(0);
    expect(currentImages(site)[0].template.VMCATCHER_EVENT_SL_CHECKSUM_SHA512).toBe(img.sha512);
  });
});
