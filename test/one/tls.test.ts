// https endpoints: certificates are verified by default; a CA file or directory adds trust;
// insecure turns verification off. Real TLS on 127.0.0.1 with certificates made by openssl.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidConfigError, OneTransportError } from '../../src/errors';
import { createOneClient } from '../../src/one/client';
import { sendXml, startStub, type Stub } from './stub-server';
import { makeCert, type TestCert } from './tls-cert';

const VERSION = '<?xml version="1.0"?><methodResponse><params><param><value><array><data><value><boolean>1</boolean></value><value><string>6.10.0</string></value><value><i4>0</i4></value></data></array></value></param></params></methodResponse>';

let dir: string;
let good: TestCert;
let stub: Stub;
let wrongName: Stub;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'one-tls-'));
  good = makeCert(dir, 'oned', 'IP:127.0.0.1');
  const other = makeCert(dir, 'elsewhere', 'DNS:elsewhere.example');
  stub = await startStub((_r, res) => sendXml(res, VERSION), good);
  wrongName = await startStub((_r, res) => sendXml(res, VERSION), other);
});
afterAll(async () => {
  await stub.close();
  await wrongName.close();
  rmSync(dir, { recursive: true, force: true });
});

const session = 'oneadmin:opennebula';

describe('https', () => {
  it('refuses a self-signed certificate by default, saying how to trust it', async () => {
    const err = await createOneClient({ endpoint: stub.url, session, timeoutMs: 5000 }).systemVersion().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OneTransportError);
    expect(err).toMatchObject({ reason: 'connection' });
    expect((err as Error).message).toMatch(/certificate not trusted.*caFile/);
    expect(stub.requests).toHaveLength(0);
  });

  it('accepts it with caFile', async () => {
    expect(await createOneClient({ endpoint: stub.url, session, caFile: good.certFile }).systemVersion()).toBe('6.10.0');
  });

  it('accepts it with caDir, reading every file with PEMs in it', async () => {
    const caDir = join(dir, 'certs');
    mkdirSync(caDir);
    writeFileSync(join(caDir, 'README'), 'not a certificate');
    writeFileSync(join(caDir, 'a1b2c3d4.0'), good.cert);
    expect(await createOneClient({ endpoint: stub.url, session, caDir }).systemVersion()).toBe('6.10.0');
  });

  it('accepts it with insecure', async () => {
    expect(await createOneClient({ endpoint: stub.url, session, insecure: true }).systemVersion()).toBe('6.10.0');
  });

  it('still checks the host name against a trusted certificate', async () => {
    const other = join(dir, 'elsewhere.pem');
    const err = await createOneClient({ endpoint: wrongName.url, session, caFile: other }).systemVersion().catch((e: unknown) => e);
    expect(err).toMatchObject({ reason: 'connection' });
    expect((err as Error).message).toMatch(/ALTNAME|does not match|not in the cert/i);
  });

  it('fails at creation when the CA file is missing or holds no PEM', () => {
    expect(() => createOneClient({ endpoint: stub.url, session, caFile: join(dir, 'missing.pem') })).toThrow(InvalidConfigError);
    const notPem = join(dir, 'not.pem');
    writeFileSync(notPem, 'hello');
    expect(() => createOneClient({ endpoint: stub.url, session, caFile: notPem })).toThrow(/no PEM certificate/);
    const empty = join(dir, 'empty-dir');
    mkdirSync(empty);
    expect(() => createOneClient({ endpoint: stub.url, session, caDir: empty })).toThrow(/no PEM certificate in any file/);
  });
});

describe('a scheme that does not match the server', () => {
  it('http:// to a web server in front of oned that says "plain HTTP request was sent to HTTPS port" (nginx): a configuration error naming the fix', async () => {
    const nginx = await startStub((_r, res) => {
      const page = '<html><head><title>400 The plain HTTP request was sent to HTTPS port</title></head><body><center><h1>400 Bad Request</h1></center><center>The plain HTTP request was sent to HTTPS port</center><hr><center>nginx</center></body></html>';
      res.writeHead(400, { 'Content-Type': 'text/html', 'Content-Length': Buffer.byteLength(page) });
      res.end(page);
    });
    try {
      const err = await createOneClient({ endpoint: nginx.url, session, endpointSource: '/var/lib/one/.one/one_endpoint' }).systemVersion().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidConfigError);
      const host = new URL(nginx.url).host;
      expect((err as InvalidConfigError).problems).toEqual([`/var/lib/one/.one/one_endpoint is http:// but the server at ${host} answered in TLS (https); use https://${host}/RPC2`]);
    } finally {
      await nginx.close();
    }
  });

  it('https:// to a plain HTTP server: a configuration error, without the OpenSSL text', async () => {
    const plain = await startStub((_r, res) => sendXml(res, VERSION));
    try {
      const host = new URL(plain.url).host;
      const err = await createOneClient({ endpoint: `https://${host}/RPC2`, session, timeoutMs: 5000 }).systemVersion().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidConfigError);
      expect((err as InvalidConfigError).problems).toEqual([`the endpoint is https:// but the server at ${host} answered in plain HTTP; use http://${host}/RPC2`]);
    } finally {
      await plain.close();
    }
  });
});
