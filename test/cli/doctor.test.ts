// `doctor` through the bundled command: OK on a sound site; for each broken setup a FAIL (or WARN) line
// naming the setting at fault and the fix; exit 0 only when nothing failed; --json as data.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PROTECTED_ATTRS } from '../../src/attributes';
import { availableEvent, cacheImage } from '../e2e/scenario';
import { NodeKind, REPO, runHook, Site } from '../e2e/site';
import { useSite } from '../e2e/use-site';
import { cli } from './cli-site';

const Check = z.object({ id: z.string().regex(/^[a-z-]+$/), status: z.enum(['ok', 'warn', 'fail']), message: z.string().min(5), fix: z.string().min(5).optional() }).strict();
const Report = z.object({ ok: z.boolean(), checks: z.array(Check).min(1) }).strict();
type CheckT = z.infer<typeof Check>;

const IDS = ['state-dir', 'staging-dir', 'credentials', 'endpoint', 'datastore', 'staging-allowed', 'datastore-space', 'retired-owner', 'retired-group', 'restricted-attrs', 'qemu-img', 'vmcatcher-image', 'time-zone', 'spool', 'journals'];

async function doctor(site: Site, node: NodeKind, env: Record<string, string> = {}, args: string[] = []): Promise<{ code: number; checks: CheckT[]; byId: (id: string) => CheckT }> {
  const r = await cli(site, node, ['doctor', '--json'].concat(args), env);
  const rep = Report.parse(JSON.parse(r.stdout));
  expect(rep.ok).toBe(r.code === 0);
  // Every WARN and FAIL names its fix; OK lines have none.
  for (const c of rep.checks) expect(Boolean(c.fix)).toBe(c.status !== 'ok');
  return {
    code: r.code,
    checks: rep.checks,
    byId: (id) => {
      const c = rep.checks.filter((x) => x.id === id)[0];
      if (!c) throw new Error(`no check ${id} in ${r.stdout}`);
      return c;
    },
  };
}

function oldQemuImg(site: Site): string {
  const bin = path.join(site.root, 'qemu-img-0.12.1');
  fs.copyFileSync(path.join(REPO, 'test/fixtures/old-qemu-img/qemu-img-0.12.1'), bin);
  fs.chmodSync(bin, 0o755);
  return bin;
}

describe.each<NodeKind>(['node20', 'node10'])('doctor under %s', (node) => {
  const getSite = useSite();

  it('says OK to every check on a sound site, exit 0; text has one line per check', async () => {
    const site = getSite();
    site.sim.setImageRestrictedAttrs(['SOURCE'].concat(PROTECTED_ATTRS));
    cacheImage(site, 'raw', 'small', undefined, 1);
    const env = { FAKE_VMCATCHER_IMAGE_LIST: 'x\\t3\\ty\\n', VMCATCHER_CACHE_DIR_CACHE: site.cacheDir };
    const d = await doctor(site, node, env);
    expect(d.checks.map((c) => c.id)).toEqual(IDS);
    expect(d.checks.filter((c) => c.status !== 'ok')).toEqual([]);
    expect(d.code).toBe(0);
    expect(d.byId('endpoint').message).toMatch(/^oned 6\.10\.0 answers at http:\/\/127\.0\.0\.1:\d+\/RPC2 \(from VMCHNDL_ON_ENDPOINT\)$/);
    expect(d.byId('datastore').message).toMatch(/^datastore 1 default: image datastore \(fs\/ssh\), SAFE_DIRS=".*\/staging", RESTRICTED_DIRS="\/"$/);
    expect(d.byId('datastore-space').message).toMatch(/has \d+ MB free; the largest cached image \(1e2b8099-febf-444f-8078-8942ca3e5210\) is 1 MB/);
    const text = await cli(site, node, ['doctor'], env);
    expect(text.code).toBe(0);
    const lines = text.stdout.trim().split('\n');
    expect(lines).toHaveLength(IDS.length + 1);
    lines.slice(0, -1).forEach((l, i) => expect(l).toMatch(new RegExp(`^OK +${IDS[i]} +\\S`)));
    expect(lines[lines.length - 1]).toBe(`0 failed, 0 warning(s), ${IDS.length} OK`);
    // doctor asks oned only read calls.
    expect(site.sim.calls.map((c) => c.method).filter((m) => !/\.(info|version|config)$/.test(m))).toEqual([]);
  });

  it('fails for a staging dir the datastore refuses, old qemu-img, no vmcatcher_image, unknown retired owner and group, a datastore too small', async () => {
    const site = getSite();
    site.sim.setDatastoreDirs(1, { safeDirs: '/var/tmp', restrictedDirs: '/' });
    // A sparse 8 TiB file in vmcatcher's cache: no datastore has room for it.
    fs.writeFileSync(path.join(site.cacheDir, 'huge'), '');
    fs.truncateSync(path.join(site.cacheDir, 'huge'), 8 * 1024 ** 4);
    const d = await doctor(
      site,
      node,
      {
        VMCHNDL_ON_QEMU_IMG: oldQemuImg(site),
        VMCHNDL_ON_VMCATCHER_IMAGE: path.join(site.root, 'no-such-vmcatcher_image'),
        VMCHNDL_ON_RETIRED_OWNER: 'nobody',
        VMCHNDL_ON_RETIRED_GROUP: 'nogroup',
        TZ: 'Nowhere/Bogus',
      },
      ['--cache-dir', site.cacheDir],
    );
    expect(d.code).toBe(2);
    expect(d.byId('staging-allowed')).toMatchObject({ status: 'fail', message: expect.stringMatching(/^VMCHNDL_ON_STAGING_DIR: oned would refuse to copy from .*\/staging: datastore default has SAFE_DIRS="\/var\/tmp", RESTRICTED_DIRS="\/"/) });
    expect(d.byId('staging-allowed').fix).toMatch(/to SAFE_DIRS \(onedatastore update default\) or set VMCHNDL_ON_STAGING_DIR/);
    expect(d.byId('qemu-img')).toMatchObject({ status: 'fail', message: expect.stringMatching(/qemu-img 0\.12\.1: too old, 1\.5 or newer/) });
    expect(d.byId('qemu-img').fix).toMatch(/VMCHNDL_ON_QEMU_IMG/);
    expect(d.byId('vmcatcher-image')).toMatchObject({ status: 'fail', message: expect.stringMatching(/^VMCHNDL_ON_VMCATCHER_IMAGE .*no-such-vmcatcher_image: command not found/) });
    expect(d.byId('retired-owner')).toMatchObject({ status: 'fail', message: 'VMCHNDL_ON_RETIRED_OWNER: no user "nobody" in OpenNebula' });
    expect(d.byId('retired-group')).toMatchObject({ status: 'fail', message: 'VMCHNDL_ON_RETIRED_GROUP: no group "nogroup" in OpenNebula' });
    expect(d.byId('datastore-space')).toMatchObject({ status: 'fail', message: expect.stringMatching(/MB free, less than the largest cached image \(huge, 8388608 MB\)/) });
    expect(d.byId('time-zone')).toMatchObject({ status: 'warn', message: expect.stringMatching(/no zone file \/usr\/share\/zoneinfo\/Nowhere\/Bogus \(TZ=Nowhere\/Bogus\)/) });
    // oned.conf as installed protects none of our attributes: a warning with the lines to add.
    expect(d.byId('restricted-attrs').status).toBe('warn');
    expect(d.byId('restricted-attrs').message).toMatch(new RegExp(`lacks ${PROTECTED_ATTRS.length} attribute\\(s\\) the handler relies on \\(VMCATCHER_EVENT_DC_IDENTIFIER, …\\)`));
    expect(d.byId('restricted-attrs').fix).toMatch(/^add to \/etc\/one\/oned.conf, then restart oned: IMAGE_RESTRICTED_ATTR = "VMCATCHER_EVENT_DC_IDENTIFIER" IMAGE_RESTRICTED_ATTR = "VMCHNDL_ON_RETIRED" /);
    // The same as text: one line each, the fix on the line, exit 2.
    const text = await cli(site, node, ['doctor', '--cache-dir', site.cacheDir], { VMCHNDL_ON_RETIRED_OWNER: 'nobody' });
    expect(text.code).toBe(2);
    expect(text.stdout).toMatch(/^FAIL +staging-allowed +VMCHNDL_ON_STAGING_DIR: .* — fix: add .*onedatastore update default/m);
    expect(text.stdout).toMatch(/^FAIL +retired-owner +VMCHNDL_ON_RETIRED_OWNER: no user "nobody" in OpenNebula — fix: set VMCHNDL_ON_RETIRED_OWNER/m);
    expect(text.stdout).toMatch(/^3 failed, 1 warning\(s\), \d+ OK$/m);
  });

  it('fails for wrong, missing and unreadable credentials and an oned that does not answer, naming where they came from', async () => {
    const site = getSite();
    const wrong = path.join(site.root, 'wrong_auth');
    fs.writeFileSync(wrong, 'oneadmin:not-the-password\n', { mode: 0o600 });
    let d = await doctor(site, node, { VMCHNDL_ON_AUTH_FILE: wrong });
    expect(d.code).toBe(2);
    expect(d.byId('credentials')).toMatchObject({ status: 'fail', message: expect.stringMatching(new RegExp(`refused user oneadmin \\(credentials from ${wrong}\\)`)) });
    expect(d.byId('credentials').fix).toContain(wrong);
    d = await doctor(site, node, { VMCHNDL_ON_AUTH_FILE: path.join(site.root, 'missing_auth') });
    expect(d.byId('credentials')).toMatchObject({ status: 'fail', message: expect.stringMatching(/missing_auth: the file does not exist/) });
    d = await doctor(site, node, { VMCHNDL_ON_ENDPOINT: 'http://127.0.0.1:1/RPC2' });
    expect(d.byId('endpoint')).toMatchObject({ status: 'fail', message: expect.stringMatching(/^oned does not answer at http:\/\/127\.0\.0\.1:1\/RPC2 \(from VMCHNDL_ON_ENDPOINT\)/) });
    expect(d.byId('endpoint').fix).toMatch(/start oned, or set VMCHNDL_ON_ENDPOINT/);
    // Local checks still run without oned.
    expect(d.byId('qemu-img').status).toBe('ok');
  });

  it('fails for an unknown or non-image datastore, a state dir that is a file, and invalid settings', async () => {
    const site = getSite();
    let d = await doctor(site, node, { VMCHNDL_ON_DATASTORE: 'nosuch' });
    expect(d.byId('datastore')).toMatchObject({ status: 'fail', message: expect.stringMatching(/^VMCHNDL_ON_DATASTORE: no datastore "nosuch" in OpenNebula \(have: 0 system, 1 default, 2 files\)/) });
    d = await doctor(site, node, { VMCHNDL_ON_DATASTORE: 'files' });
    expect(d.byId('datastore')).toMatchObject({ status: 'fail', message: expect.stringMatching(/datastore 2 \(files\) is not an image datastore/) });
    const file = path.join(site.root, 'state-file');
    fs.writeFileSync(file, '');
    d = await doctor(site, node, { VMCHNDL_ON_STATE_DIR: file });
    expect(d.byId('state-dir')).toMatchObject({ status: 'fail', message: `VMCHNDL_ON_STATE_DIR ${file} is not a directory` });
    // The spool cannot be looked at either: said, not an internal error.
    expect(d.byId('spool')).toMatchObject({ status: 'fail', message: expect.stringMatching(/^cannot be checked: .*ENOTDIR/) });
    d = await doctor(site, node, { VMCHNDL_ON_FORMAT: 'vmdk' });
    expect(d.code).toBe(2);
    expect(d.checks).toEqual([expect.objectContaining({ id: 'settings', status: 'fail', message: expect.stringMatching(/^VMCHNDL_ON_FORMAT: expected raw or qcow2/) })]);
  });

  it('warns about events that keep failing and interrupted runs, naming the commands that deal with them', async () => {
    const site = getSite();
    const img = cacheImage(site, 'raw', 'x', undefined, 1);
    fs.unlinkSync(img.file);
    const failed = await runHook(site, Object.assign(availableEvent(site, img), { VMCHNDL_ON_RETRY_WARN_AFTER: '1' }), { node });
    expect(failed.code).toBe(2);
    fs.mkdirSync(path.join(site.stateDir, 'journal'), { recursive: true });
    fs.writeFileSync(path.join(site.stateDir, 'journal', 'interrupted-id.jsonl'), '');
    const d = await doctor(site, node, { VMCHNDL_ON_RETRY_WARN_AFTER: '1' });
    expect(d.byId('spool')).toMatchObject({ status: 'warn', message: expect.stringMatching(/^1 event\(s\) failed 1 or more times, e\.g\. AvailablePostfix 1e2b8099-.*\(1 attempts: /) });
    expect(d.byId('spool').fix).toMatch(/vmcatcher_eventHndl_ON pending/);
    expect(d.byId('journals')).toMatchObject({ status: 'warn', message: '1 interrupted run(s): interrupted-id', fix: expect.stringMatching(/vmcatcher_eventHndl_ON recover/) });
    // Warnings alone do not fail.
    expect(d.checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(d.code).toBe(0);
  });
});
