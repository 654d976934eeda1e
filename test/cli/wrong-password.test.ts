// oned refusing the credentials is a configuration problem: exit 3 from the hook and every command
// that asks oned, naming the user and the auth file (and the setting or variable that named it).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireQemuImg } from '../helpers/images';
import { ALPHA, availableEvent, cacheImage } from '../e2e/scenario';
import { makeSite, NodeKind, PASSWORD, Site, stateFiles } from '../e2e/site';
import { cli, writeCacheIndex } from './cli-site';

const REFUSED = /oned refused user oneadmin \(wrong password, or no such user\?\); the credentials come from (\S+) \((VMCHNDL_ON_AUTH_FILE|\$ONE_AUTH)\): one\.\w+\.info failed \(AUTHENTICATION\): \[one\.\w+\.info\] User couldn't be authenticated/;

describe.each<NodeKind>(['node20', 'node10'])('a wrong password under %s', (node) => {
  let site: Site;
  let wrong: string;
  beforeAll(async () => {
    requireQemuImg();
    site = await makeSite();
    wrong = path.join(site.root, 'wrong_auth');
    fs.writeFileSync(wrong, 'oneadmin:not-the-password\n', { mode: 0o600 });
  });
  afterAll(() => site && site.close());

  it('the hook: exit 3, the user and the auth file named, the event kept for when it is fixed', async () => {
    const event = availableEvent(site, cacheImage(site, 'qcow2', 'alpha-v1'));
    const r = await cli(site, node, [], Object.assign({}, event, { VMCHNDL_ON_AUTH_FILE: wrong }));
    expect(r.code, r.stderr).toBe(3);
    const m = REFUSED.exec(r.stderr);
    expect(m, r.stderr).not.toBeNull();
    expect(m![1]).toBe(wrong);
    expect(m![2]).toBe('VMCHNDL_ON_AUTH_FILE');
    expect(r.stderr).not.toContain('not-the-password');
    expect(stateFiles(site, 'spool')).toHaveLength(1);
    expect(site.sim.images()).toEqual([]);
    // Fixed: the kept event goes through.
    fs.writeFileSync(wrong, `oneadmin:${PASSWORD}\n`, { mode: 0o600 });
    const again = await cli(site, node, ['retry'], { VMCHNDL_ON_AUTH_FILE: wrong });
    expect(again.code, again.stderr).toBe(0);
    expect(site.sim.images().filter((i) => i.name === ALPHA)).toHaveLength(1);
    fs.writeFileSync(wrong, 'oneadmin:not-the-password\n', { mode: 0o600 });
  });

  it.each([['status'], ['plan', '--env-file', 'saved.env'], ['recover'], ['retry'], ['replay', '--dry-run', ALPHA]])('%s: exit 3, naming the file $ONE_AUTH named', async (...args) => {
    const env = { VMCHNDL_ON_AUTH_FILE: '', ONE_AUTH: wrong, VMCATCHER_CACHE_DIR_CACHE: site.cacheDir };
    if (args[0] === 'plan') {
      const ev = availableEvent(site, cacheImage(site, 'qcow2', 'alpha-v2'));
      fs.writeFileSync(path.join(site.root, 'saved.env'), Object.keys(ev).map((k) => `${k}=${ev[k]}\n`).join(''));
    }
    if (args[0] === 'retry' || args[0] === 'recover') {
      // Something for them to do: a pending event.
      const ev = availableEvent(site, cacheImage(site, 'qcow2', 'alpha-v3'));
      expect((await cli(site, node, [], Object.assign({}, ev, env))).code).toBe(3);
    }
    if (args[0] === 'replay') {
      writeCacheIndex(site, { [ALPHA]: cacheImage(site, 'qcow2', 'alpha-v4') });
    }
    const r = await cli(site, node, args, env);
    expect(r.code, r.stderr).toBe(3);
    const m = REFUSED.exec(r.stderr);
    expect(m, r.stderr).not.toBeNull();
    expect(m![1]).toBe(wrong);
    expect(m![2]).toBe('$ONE_AUTH');
  });
});
