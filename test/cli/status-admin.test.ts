// `status` as an admin and a script use it: exit 0 when all is well and 2 when something needs an admin;
// --csv and --no-header; tables that fit the terminal width; an identifier known nowhere (exit 3) told
// apart, through vmcatcher's cache.index, from one cached but not registered. `recover` of an identifier
// with nothing to recover says so instead of claiming it recovered it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALPHA, cacheImage } from '../e2e/scenario';
import { NodeKind } from '../e2e/site';
import { useSite } from '../e2e/use-site';
import { BETA, cli, writeCacheIndex } from './cli-site';

describe.each<NodeKind>(['node20', 'node10'])('status and recover for admins under %s', (node) => {
  const getSite = useSite();

  it('exits 0 when nothing needs an admin, 2 when a run is interrupted; --csv, --no-header and the terminal width', async () => {
    const site = getSite();
    const alpha = cacheImage(site, 'raw', 'alpha', ALPHA, 1);
    const beta = cacheImage(site, 'raw', 'beta', BETA, 1);
    writeCacheIndex(site, { [ALPHA]: alpha, [BETA]: beta });
    const env = { VMCATCHER_CACHE_DIR_CACHE: site.cacheDir };
    expect((await cli(site, node, ['replay', ALPHA], env)).code).toBe(0);
    const id = site.sim.images()[0].id;
    const ok = await cli(site, node, ['status']);
    expect(ok.code).toBe(0);

    const csv = await cli(site, node, ['status', '--csv']);
    expect(csv.code).toBe(0);
    const rows = csv.stdout.split('\n');
    expect(rows[0]).toBe('identifier,role,id,name,owner,group,mode,state,vms,registered,datastore,version');
    expect(rows[1]).toMatch(new RegExp(`^${ALPHA},current,${id},${ALPHA},oneadmin,oneadmin,600,READY,0,\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z,default,`));
    expect((await cli(site, node, ['status', '--csv', '--no-header'])).stdout.split('\n')[0]).toBe(rows[1]);
    const noHeader = await cli(site, node, ['status', '--no-header']);
    expect(noHeader.stdout).not.toMatch(/ROLE/);
    expect(noHeader.stdout).toMatch(/^ {2}current\*? +\d+ += /m);

    // Narrow terminals lose the least needed columns first; every line fits.
    const full = await cli(site, node, ['status']);
    expect(full.stdout).toMatch(/ROLE +ID +NAME +OWNER:GROUP +MODE +STATE +VMS +REGISTERED +DATASTORE +VERSION/);
    const narrow = await cli(site, node, ['status'], { COLUMNS: '70' });
    for (const l of narrow.stdout.split('\n')) expect(l.length).toBeLessThanOrEqual(70);
    expect(narrow.stdout).toMatch(/^ {2}ROLE +ID +NAME +OWNER:GROUP +STATE/m);
    expect(narrow.stdout).not.toMatch(/DATASTORE|REGISTERED|MODE/);

    fs.mkdirSync(path.join(site.stateDir, 'journal'), { recursive: true });
    fs.writeFileSync(path.join(site.stateDir, 'journal', `${ALPHA}.jsonl`), '');
    const bad = await cli(site, node, ['status']);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toContain(`interrupted run: \`vmcatcher_eventHndl_ON recover ${ALPHA}\``);
  });

  it('tells a typo from an image cached but not registered, prints oned failures as data, and recover says when there is nothing to recover', async () => {
    const site = getSite();
    writeCacheIndex(site, { [BETA]: cacheImage(site, 'raw', 'beta', BETA, 1) });
    const cached = await cli(site, node, ['status', BETA, '--cache-dir', site.cacheDir]);
    expect(cached.code).toBe(0);
    expect(cached.stdout).toContain(`cached by vmcatcher but not registered: \`vmcatcher_eventHndl_ON replay ${BETA}\` registers it`);
    const typo = await cli(site, node, ['status', 'nonexistent'], { VMCATCHER_CACHE_DIR_CACHE: site.cacheDir });
    expect(typo.code).toBe(3);
    expect(typo.stdout).toContain(`unknown: neither OpenNebula nor vmcatcher's ${site.cacheDir}/cache.index knows it (a typo?)`);
    const blind = await cli(site, node, ['status', 'nonexistent']);
    expect(blind.code).toBe(3);
    expect(blind.stderr).toMatch(/nonexistent: no image in OpenNebula carries it; give vmcatcher's cache directory/);

    // oned down: --json still prints data; an endpoint that is no URL names where it came from.
    const down = await cli(site, node, ['status', '--json'], { VMCHNDL_ON_ENDPOINT: 'http://127.0.0.1:9/RPC2' });
    expect(down.code).toBe(2);
    expect(JSON.parse(down.stdout)).toEqual({ error: { code: 'ONE_TRANSPORT', exitCode: 2, message: expect.stringMatching(/^one\.imagepool\.info failed \(connection\)/) } });
    const noUrl = await cli(site, node, ['status'], { VMCHNDL_ON_ENDPOINT: '', ONE_XMLRPC: '127.0.0.1:2633' });
    expect(noUrl.code).toBe(3);
    expect(noUrl.stderr).toMatch(/endpoint "127\.0\.0\.1:2633" is not a URL; expected e\.g\. http:\/\/localhost:2633\/RPC2 \(from \$ONE_XMLRPC\)/);

    site.sim.clearCalls();
    const rec = await cli(site, node, ['recover', 'nonexistent'], { VMCHNDL_ON_ENDPOINT: 'http://127.0.0.1:9/RPC2' });
    expect(rec.code).toBe(0);
    expect(rec.stderr).toMatch(/nothing to recover for nonexistent: no interrupted run and no pending event/);
    expect(rec.stderr).not.toMatch(/recovered/);
  });
});
