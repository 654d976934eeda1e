// Transport failures over real HTTP on 127.0.0.1: each kind maps to its error class and reason,
// every call has a deadline, big answers are refused, and the session never leaks.

import * as net from 'net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidConfigError, OneError, OneTransportError, VmcError } from '../../src/errors';
import { createOneClient, type OneClientOptions } from '../../src/one/client';
import type { OneApi } from '../../src/one/types';
import { recording, sendXml, startStub, type Stub } from './stub-server';

const SESSION = 'oneadmin:S3cr3t-p4ss';

let stub: Stub;
beforeAll(async () => {
  stub = await startStub();
});
afterAll(() => stub.close());

function client(extra: Partial<OneClientOptions> = {}): OneApi {
  return createOneClient({ endpoint: stub.url, session: SESSION, timeoutMs: 2000, ...extra });
}

function answer(...values: string[]): string {
  const items = values.map((v) => `<value>${v}</value>`).join('\r\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\r\n<methodResponse>\r\n<params>\r\n<param><value><array><data>\r\n${items}\r\n</data></array></value></param>\r\n</params>\r\n</methodResponse>\r\n`;
}

function fault(code: number, message: string): string {
  return `<?xml version="1.0"?><methodResponse><fault><value><struct><member><name>faultCode</name><value><i4>${code}</i4></value></member><member><name>faultString</name><value><string>${message}</string></value></member></struct></value></fault></methodResponse>`;
}

async function failure(p: Promise<unknown>): Promise<VmcError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(VmcError);
  const e = err as VmcError;
  for (const text of [e.message, e.stack || '', String(e), JSON.stringify(e)]) {
    expect(text).not.toContain(SESSION);
    expect(text).not.toContain('S3cr3t-p4ss');
  }
  return e;
}

describe('oned failure answers', () => {
  it('accepts the 3-, 4- and 5-element failure arrays of 5.2, 5.4+ and 5.10+', async () => {
    const api = client();
    stub.handle((_r, res) => sendXml(res, answer('<boolean>0</boolean>', '<string>[ImageInfo] Error getting image [9].</string>', '<i4>1024</i4>')));
    let e = (await failure(api.imageInfo(9))) as OneError;
    expect(e).toMatchObject({ oneCode: 1024, oneClass: 'NO_EXISTS', oneMessage: '[ImageInfo] Error getting image [9].' });
    expect(e.objectId).toBeUndefined();

    stub.handle((_r, res) => sendXml(res, answer('<boolean>0</boolean>', '<string>[one.image.info] Error getting image [9].</string>', '<i4>1024</i4>', '<i4>9</i4>')));
    e = (await failure(api.imageInfo(9))) as OneError;
    expect(e).toMatchObject({ oneCode: 1024, objectId: 9 });

    stub.handle((_r, res) =>
      sendXml(res, answer('<boolean>0</boolean>', '<string>[one.image.rename] Image is locked.</string>', '<i4>32768</i4>', '<i4>-1</i4>', '<i8>123456789012</i8>')),
    );
    e = (await failure(api.imageRename(4, 'x'))) as OneError;
    expect(e).toMatchObject({ oneCode: 32768, oneClass: 'LOCKED', oneMessage: '[one.image.rename] Image is locked.' });
    expect(e.objectId).toBeUndefined();
  });

  it('maps an XML-RPC fault to OneError with fault class and faultCode', async () => {
    stub.handle((_r, res) => sendXml(res, fault(-501, 'Parameter type mismatch')));
    const e = (await failure(client().imageInfo(1))) as OneError;
    expect(e).toBeInstanceOf(OneError);
    expect(e).toMatchObject({ oneClass: 'FAULT', oneCode: -501, oneMessage: 'Parameter type mismatch' });
  });

  it('refuses answers of an unexpected shape as malformed', async () => {
    stub.handle((_r, res) => sendXml(res, answer('<boolean>1</boolean>', '<i4>5</i4>', '<i4>0</i4>')));
    const e = (await failure(client().imageInfo(5))) as OneTransportError;
    expect(e).toMatchObject({ reason: 'malformed', method: 'one.image.info' });

    stub.handle((_r, res) => sendXml(res, answer('<boolean>1</boolean>', '<string>&lt;IMAGE&gt;&lt;ID&gt;x&lt;/ID&gt;&lt;/IMAGE&gt;</string>', '<i4>0</i4>')));
    const bad = (await failure(client().imageInfo(5))) as OneTransportError;
    expect(bad.reason).toBe('malformed');
    expect(bad.message).toContain('unexpected <IMAGE> document: IMAGE.UID: element missing');
  });
});

describe('transport failures', () => {
  it('HTTP status other than 200 is an http error naming the status', async () => {
    stub.handle((_r, res) => {
      res.writeHead(500, { 'Content-Type': 'text/html' });
      res.end('<html><body><h1>Internal Server Error</h1></body></html>');
    });
    const e = (await failure(client().systemVersion())) as OneTransportError;
    expect(e).toBeInstanceOf(OneTransportError);
    expect(e.reason).toBe('http');
    expect(e.message).toContain('HTTP 500');
    expect(e.message).toContain('Internal Server Error');
  });

  it('an HTML page or plain text with status 200 is malformed', async () => {
    stub.handle((_r, res) => sendXml(res, '<html><body>Login</body></html>'));
    expect(await failure(client().systemVersion())).toMatchObject({ reason: 'malformed' });
    stub.handle((_r, res) => sendXml(res, 'Service Unavailable'));
    expect(await failure(client().systemVersion())).toMatchObject({ reason: 'malformed' });
    stub.handle((_r, res) => sendXml(res, ''));
    expect(await failure(client().systemVersion())).toMatchObject({ reason: 'malformed' });
  });

  it('a refused connection and a dropped one are connection errors', async () => {
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const refused = await failure(createOneClient({ endpoint: `http://127.0.0.1:${port}/RPC2`, session: SESSION }).systemVersion());
    expect(refused).toMatchObject({ reason: 'connection' });
    expect(refused.message).toContain('refused');

    stub.handle((_r, res) => res.socket?.destroy());
    expect(await failure(client().systemVersion())).toMatchObject({ reason: 'connection' });

    // Headers and half the body, then the connection goes.
    stub.handle((_r, res) => {
      const body = recording('one.imagepool.info.success.xml');
      res.writeHead(200, { 'Content-Type': 'text/xml', 'Content-Length': body.length });
      res.write(body.subarray(0, 500));
      setTimeout(() => res.socket?.destroy(), 20);
    });
    expect(await failure(client().imagePool())).toMatchObject({ reason: 'connection' });
  });

  it('a call that gets no answer fails with timeout within the configured time', async () => {
    stub.handle(() => undefined);
    const started = Date.now();
    const e = await failure(client({ timeoutMs: 300 }).imageInfo(1));
    const took = Date.now() - started;
    expect(e).toMatchObject({ reason: 'timeout', method: 'one.image.info' });
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(1500);

    // Headers sent, body never finishes: the deadline covers the whole answer.
    stub.handle((_r, res) => {
      res.writeHead(200, { 'Content-Type': 'text/xml', 'Content-Length': 1000 });
      res.write('<?xml version="1.0"?>');
    });
    expect(await failure(client({ timeoutMs: 300 }).systemVersion())).toMatchObject({ reason: 'timeout' });
  });

  it('refuses answers over maxResponseBytes, declared or streamed', async () => {
    const body = recording('one.imagepool.info.success.xml');
    stub.handle((_r, res) => sendXml(res, body));
    const declared = await failure(client({ maxResponseBytes: 4096 }).imagePool());
    expect(declared).toMatchObject({ reason: 'malformed' });
    expect(declared.message).toMatch(/over the limit/);

    stub.handle((_r, res) => {
      res.writeHead(200, { 'Content-Type': 'text/xml' }); // chunked, no length
      res.end(body);
    });
    expect(await failure(client({ maxResponseBytes: 4096 }).imagePool())).toMatchObject({ reason: 'malformed' });
    expect((await client({ maxResponseBytes: body.length }).imagePool()).length).toBe(6);
  });

  it('rejects endpoints that are no http(s) URL', () => {
    expect(() => createOneClient({ endpoint: 'localhost:2633', session: SESSION })).toThrow(InvalidConfigError);
    expect(() => createOneClient({ endpoint: 'ftp://h/RPC2', session: SESSION })).toThrow(/http:\/\/ or https:\/\//);
  });
});

describe('big answers', () => {
  it('reads a pool of 10 000 images over HTTP', async () => {
    const one = /<string>([\s\S]*)<\/string>/.exec(recording('one.image.info.ready.xml').toString())![1];
    const images: string[] = [];
    for (let id = 0; id < 10000; id++) images.push(one.replace('&lt;ID&gt;32&lt;/ID&gt;', `&lt;ID&gt;${id}&lt;/ID&gt;`));
    const body = answer('<boolean>1</boolean>', `<string>&lt;IMAGE_POOL&gt;${images.join('')}&lt;/IMAGE_POOL&gt;</string>`, '<i4>0</i4>');
    stub.handle((_r, res) => sendXml(res, body));
    const pool = await client({ timeoutMs: 20000 }).imagePool();
    expect(pool).toHaveLength(10000);
    expect(pool.every((img, n) => img.id === n && img.template.CLOUDKEEPER_APPLIANCE_TITLE === 'Spec!')).toBe(true);
  });
});

describe('the image pool, read as it arrives', () => {
  const body = recording('one.imagepool.info.success.xml');

  it('gives the same images whether the answer comes at once or a few bytes at a time', async () => {
    stub.handle((_r, res) => sendXml(res, body));
    const whole = await client().imagePool();
    expect(whole.map((i) => i.id)).toHaveLength(6);
    stub.handle((_r, res) => {
      res.writeHead(200, { 'Content-Type': 'text/xml', 'Content-Length': body.length });
      let at = 0;
      const next = () => {
        if (at >= body.length) return res.end();
        res.write(body.slice(at, (at += 97)));
        setImmediate(next);
      };
      next();
    });
    expect(await client().imagePool()).toEqual(whole);
  });

  it('a pool that breaks off in the middle fails as malformed, naming where', async () => {
    const broken = Buffer.from(body.toString().replace('&lt;/UNAME&gt;', '&lt;/GNAME&gt;'));
    stub.handle((_r, res) => sendXml(res, broken));
    const e = await failure(client().imagePool());
    expect(e).toMatchObject({ reason: 'malformed' });
    expect(e.message).toMatch(/one\.imagepool\.info.*malformed XML at offset \d+: <\/GNAME> closes <UNAME>/);
    const bad = Buffer.from(body.toString().replace('&lt;UNAME&gt;', '&lt;UNAME&nbsp;'));
    stub.handle((_r, res) => sendXml(res, bad));
    expect((await failure(client().imagePool())).message).toMatch(/not XML-RPC: the string holds an unknown reference &nbsp;/);
  });

  it('a pool in a shape the quick reader leaves to the Deserializer is still read', async () => {
    stub.handle((_r, res) => sendXml(res, body));
    const streamed = await client().imagePool();
    // A comment inside the envelope, which xmlrpc-c never sends: the whole answer goes to the Deserializer.
    const text = /<string>([\s\S]*)<\/string>/.exec(body.toString())![1];
    stub.handle((_r, res) => sendXml(res, answer('<boolean>1</boolean>', `<string>${text}</string>`, '<i4>0</i4>').replace('<array><data>', '<array> <!-- x --> <data>')));
    expect(await client().imagePool()).toEqual(streamed);
    stub.handle((_r, res) => sendXml(res, answer('<boolean>1</boolean>', '<i4>5</i4>', '<i4>0</i4>')));
    expect((await failure(client().imagePool())).message).toMatch(/expected a string result, got number/);
  });
});

describe('the session stays secret', () => {
  it('is sent as the first parameter, entity-escaped', async () => {
    const odd = 'us&er:pa<ss]]>word]]>';
    stub.handle((_r, res) => sendXml(res, answer('<boolean>1</boolean>', '<string>5.2.1</string>', '<i4>0</i4>')));
    await createOneClient({ endpoint: stub.url, session: odd }).systemVersion();
    const body = stub.requests[stub.requests.length - 1].body;
    expect(body).toContain('<param><value><string>us&amp;er:pa&lt;ss]]&gt;word]]&gt;</string></value></param>');
  });

  it('never appears in errors, even when the server echoes it back', async () => {
    const calls: unknown[][] = [];
    const api = client({ onCall: (...args) => calls.push(args) });
    stub.handle((req, res) => {
      res.writeHead(400, { 'Content-Type': 'text/plain' });
      res.end(`bad request: ${req.body}`);
    });
    expect(await failure(api.systemVersion())).toMatchObject({ reason: 'http' });

    stub.handle((_r, res) => sendXml(res, fault(1, `no such session ${SESSION}`)));
    const f = (await failure(api.systemVersion())) as OneError;
    expect(f.oneMessage).toBe('no such session [redacted]');

    stub.handle((_r, res) => sendXml(res, answer('<boolean>0</boolean>', `<string>[UserInfo] bad token ${SESSION}</string>`, '<i4>256</i4>')));
    expect(((await failure(api.userInfo(-1))) as OneError).oneMessage).toBe('[UserInfo] bad token [redacted]');

    stub.handle((_r, res) => sendXml(res, `<html>${SESSION}</html>`));
    await failure(api.systemVersion());

    expect(calls.map((c) => c.slice(0, 1).concat(c[2]))).toEqual([
      ['one.system.version', false],
      ['one.system.version', false],
      ['one.user.info', false],
      ['one.system.version', false],
    ]);
    expect(JSON.stringify(calls)).not.toContain('S3cr3t');
  });

  it('control characters in a parameter fail without quoting it', async () => {
    const e = await failure(createOneClient({ endpoint: stub.url, session: 'a:S3cr3t-p4ss\u0001' }).systemVersion());
    expect(e.code).toBe('INVALID_ARGUMENT');
  });
});

describe('onCall', () => {
  it('reports method, duration and success', async () => {
    const calls: [string, number, boolean][] = [];
    stub.handle((_r, res) => sendXml(res, answer('<boolean>1</boolean>', '<string>5.2.1</string>', '<i4>0</i4>')));
    const api = client({ onCall: (m, ms, ok) => calls.push([m, ms, ok]) });
    expect(await api.systemVersion()).toBe('5.2.1');
    expect(calls).toHaveLength(1);
    expect(calls[0][0]).toBe('one.system.version');
    expect(calls[0][1]).toBeGreaterThanOrEqual(0);
    expect(calls[0][2]).toBe(true);
  });
});
