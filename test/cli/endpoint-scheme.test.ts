// An endpoint whose scheme does not match the server (https:// against oned's plain HTTP, http:// against
// a TLS front end): one clear line naming the setting and the fix, exit 3, no OpenSSL dump.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableEvent, cacheImage } from '../e2e/scenario';
import { makeSite, NodeKind, Site, stateFiles } from '../e2e/site';
import { requireQemuImg } from '../helpers/images';
import { makeCert } from '../one/tls-cert';
import { startSimulator, Simulator } from '../sim/index';
import { cli } from './cli-site';

describe.each<NodeKind>(['node20', 'node10'])('endpoint scheme under %s', (node) => {
  let site: Site;
  let tlsSim: Simulator;
  let dir: string;
  beforeAll(async () => {
    requireQemuImg();
    site = await makeSite();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scheme-'));
    const cert = makeCert(dir, 'sim', 'IP:127.0.0.1');
    tlsSim = await startSimulator({ version: '6.10', tls: { key: cert.key, cert: cert.cert } });
  });
  afterAll(async () => {
    if (tlsSim) await tlsSim.close();
    if (site) await site.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('https:// against a plain HTTP oned: the setting, the server and the http:// URL to use', async () => {
    const plain = new URL(site.sim.url);
    const https = `https://${plain.host}/RPC2`;
    const r = await cli(site, node, ['status'], { VMCHNDL_ON_ENDPOINT: https });
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toContain(`VMCHNDL_ON_ENDPOINT is https:// but the server at ${plain.host} answered in plain HTTP; use http://${plain.host}/RPC2`);
    expect(r.stderr).not.toMatch(/SSL routines|EPROTO|ssl3_get_record/);
    // The hook: the same line, exit 3, the event kept until the setting is fixed.
    const ev = await cli(site, node, [], Object.assign(availableEvent(site, cacheImage(site, 'qcow2', 'alpha-v1')), { VMCHNDL_ON_ENDPOINT: https }));
    expect(ev.code, ev.stderr).toBe(3);
    expect(ev.stderr).toContain('answered in plain HTTP; use http://');
    expect(stateFiles(site, 'spool')).toHaveLength(1);
  });

  it('http:// against a TLS server: the variable it came from and the https:// URL to use', async () => {
    const secure = new URL(tlsSim.url);
    const r = await cli(site, node, ['status'], { VMCHNDL_ON_ENDPOINT: '', ONE_XMLRPC: `http://${secure.host}/RPC2` });
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toContain(`$ONE_XMLRPC is http:// but the server at ${secure.host} answered in TLS (https); use https://${secure.host}/RPC2`);
    expect(r.stderr).not.toMatch(/socket hang up/);
  });

  it('a connection oned drops is still said as such (the probe finds no TLS there)', async () => {
    site.sim.inject({ method: 'one.imagepool.info', fault: { type: 'drop' } });
    const r = await cli(site, node, ['status']);
    site.sim.clearFaults();
    expect(r.stderr).toMatch(/one\.imagepool\.info failed \(connection\)/);
    expect(r.stderr).not.toMatch(/answered in TLS/);
  });
});
