// The simulator speaks xmlrpc-c's bytes: compared with real oned 5.2 answers, faults, HTTP details.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterEach, describe, expect, it } from 'vitest';
import * as xmlrpc from 'xmlrpc';
import { startSimulator, Simulator } from './index';
import { admin, b, call, callBody, decode, i, ok, post, s } from './rpc';

const REC = '/work/shared/oned-recordings-5.2';
const recording = (name: string): string => fs.readFileSync(path.join(REC, name), 'utf8');

let sim: Simulator;
afterEach(async () => sim?.close());

describe('byte-exact answers, compared with the oned 5.2 recordings', () => {
  it('answers a NO_EXISTS image.info exactly as oned 5.2 did', async () => {
    sim = await startSimulator({ version: '5.2' });
    sim.addUser({ name: 'user', password: 'opennebula' });
    const res = await post(sim.url, recording('one.image.info.fail-no-exists.request.xml'));
    expect(res.body).toBe(recording('one.image.info.fail-no-exists.xml'));
  });

  it('answers a wrong password exactly as oned 5.2 did', async () => {
    sim = await startSimulator({ version: '5.2', adminPassword: 'other' });
    const res = await post(sim.url, recording('one.imagepool.info.success.request.xml'));
    expect(res.body).toBe(recording('one.imagepool.info.fail-authentication.xml'));
  });

  it('answers an empty pool and a refused USE exactly as oned 5.2 did', async () => {
    sim = await startSimulator({ version: '5.2' });
    expect((await post(sim.url, recording('one.imagepool.info.success.request.xml'))).body).toBe(recording('one.imagepool.info.empty.xml'));
    const uid = sim.addUser({ name: 'user', password: 'opennebula' });
    expect(uid).toBe(2);
    for (let n = 0; n < 6; n++) sim.addImage({ name: `img${n}` });
    const res = await call(sim.url, 'one.image.info', s('user:opennebula'), i(5));
    expect(res.http.body).toBe(recording('one.image.info.fail-authorization.xml'));
  });

  it('answers a delete of a used image and success arrays exactly as oned 5.2 did', async () => {
    sim = await startSimulator({ version: '5.2' });
    const uid = sim.addUser({ name: 'user', password: 'opennebula' });
    sim.addImage({ name: 'busy', uid, runningVms: 1 });
    expect((await post(sim.url, recording('one.image.delete.fail-action.request.xml'))).body).toBe(recording('one.image.delete.fail-action.xml'));
    for (let n = 1; n <= 16; n++) sim.addImage({ name: `img${n}` });
    for (const m of ['chmod', 'rename', 'update', 'enable', 'delete']) {
      const res = await post(sim.url, recording(`one.image.${m}.success.request.xml`));
      expect(res.body, m).toBe(recording(`one.image.${m}.success.xml`));
    }
  });
});

describe('faults, as xmlrpc-c raises them', () => {
  it('answers an unknown method with fault -506 in xmlrpc-c bytes', async () => {
    sim = await startSimulator();
    const res = await post(sim.url, callBody('one.image.frobnicate', [s('oneadmin:opennebula')]));
    expect(res.status).toBe(200);
    expect(res.body).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\r\n<methodResponse>\r\n<fault>\r\n<value><struct>\r\n' +
        '<member><name>faultCode</name>\r\n<value><i4>-506</i4></value></member>\r\n' +
        "<member><name>faultString</name>\r\n<value><string>Method 'one.image.frobnicate' not defined</string></value></member>\r\n" +
        '</struct></value>\r\n</fault>\r\n</methodResponse>\r\n',
    );
  });

  it('raises -501 for missing or mistyped parameters and ignores extra ones', async () => {
    sim = await startSimulator();
    const id = sim.addImage({ name: 'x' });
    expect((await admin(sim.url, 'one.image.info')).fault).toEqual({ code: -501, message: 'Not enough parameters' });
    expect((await admin(sim.url, 'one.image.info', s('0'))).fault).toEqual({ code: -501, message: 'Parameter that is supposed to be integer is not' });
    expect((await admin(sim.url, 'one.image.enable', i(id), i(1))).fault).toEqual({ code: -501, message: 'Parameter that is supposed to be boolean is not' });
    expect((await call(sim.url, 'one.image.info', i(3), i(id))).fault).toEqual({ code: -501, message: 'Parameter that is supposed to be a string is not' });
    expect(ok(await admin(sim.url, 'one.image.info', i(id), b(false), s('extra')))).toContain('<NAME>x</NAME>');
  });

  it('raises -503 for a body that is not an XML-RPC call', async () => {
    sim = await startSimulator();
    const res = decode(await post(sim.url, '<methodCall><methodName>one.image.info'));
    expect(res.fault?.code).toBe(-503);
  });
});

describe('HTTP and encoding', () => {
  it('sends status 200, Connection: close and text/xml, and 404 elsewhere', async () => {
    sim = await startSimulator();
    const res = await post(sim.url, callBody('one.system.version', [s('oneadmin:opennebula')]));
    expect(res.status).toBe(200);
    expect(res.headers.connection).toBe('close');
    expect(res.headers['content-type']).toBe('text/xml');
    expect((await post(sim.url, 'x', '/other')).status).toBe(404);
  });

  it('escapes <, >, & and CR like xmlrpc-c, and reads CDATA and entities in requests', async () => {
    sim = await startSimulator();
    const id = sim.addImage({ name: 'x' });
    const tmpl = '<TEMPLATE><K>a&lt;b&gt;&amp;c&#13;d</K></TEMPLATE>';
    ok(await admin(sim.url, 'one.image.update', i(id), { raw: `<value><string><![CDATA[${tmpl}]]></string></value>` }, i(1)));
    const res = await admin(sim.url, 'one.image.info', i(id));
    expect(res.http.body).toContain('&lt;K&gt;&lt;![CDATA[a&lt;b&gt;&amp;c&#x0d;d]]&gt;&lt;/K&gt;');
    expect(ok(res)).toContain('<K><![CDATA[a<b>&c\rd]]></K>');
  });

  it('serves the npm xmlrpc client, which sends strings as CDATA', async () => {
    sim = await startSimulator();
    const client = xmlrpc.createClient({ url: sim.url });
    const answer = await new Promise<unknown[]>((resolve, reject) =>
      client.methodCall('one.image.allocate', ['oneadmin:opennebula', 'NAME="a"\nSIZE="1"', 99], (err, v) => (err ? reject(err) : resolve(v))),
    );
    // note: the npm xmlrpc client hands <i8> values over as strings
    expect(answer).toEqual([false, '[one.image.allocate] Error getting datastore [99].', 1024, 99, '-1']);
  });

  it('serves https when given a key and certificate', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sim-tls-'));
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${dir}/k.pem`, '-out', `${dir}/c.pem`, '-days', '1', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
      sim = await startSimulator({ tls: { key: fs.readFileSync(`${dir}/k.pem`, 'utf8'), cert: fs.readFileSync(`${dir}/c.pem`, 'utf8') } });
      expect(sim.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/RPC2$/);
      expect(ok(await admin(sim.url, 'one.system.version'))).toBe('6.10.0');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
