// Fault injection (each fault type, counting, "after" = lost answer) and the calls log.
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, Simulator } from './index';
import { admin, b, callBody, i, ok, post, s } from './rpc';

let sim: Simulator;
afterEach(async () => sim?.close());

const versionCall = (): string => callBody('one.system.version', [s('oneadmin:opennebula')]);

describe('fault types', () => {
  it('answers an error fault with a failure array of that code, without running the call', async () => {
    sim = await startSimulator({ version: '5.8' });
    const id = sim.addImage({ name: 'n' });
    sim.inject({ method: 'one.image.rename', fault: { type: 'error', code: 0x400 } });
    sim.inject({ method: 'one.image.enable', fault: { type: 'error', code: 0x2000, message: 'boom' } });
    const a = await admin(sim.url, 'one.image.rename', i(id), s('other'));
    expect(a.items.map((x) => x.v)).toEqual([false, `[one.image.rename] Error getting image [${id}].`, 0x400, id]);
    expect((await admin(sim.url, 'one.image.enable', i(id), b(false))).items.map((x) => x.v)).toEqual([false, 'boom', 0x2000, -1]);
    expect(sim.image(id)).toMatchObject({ name: 'n', stateName: 'READY' });
    expect(ok(await admin(sim.url, 'one.image.rename', i(id), s('other')))).toBe(id);
  });

  it('answers HTTP 500, drops the connection, or answers raw bytes', async () => {
    sim = await startSimulator();
    sim.inject({ method: 'one.system.version', fault: { type: 'http500' } });
    sim.inject({ method: 'one.system.version', nth: 2, fault: { type: 'drop' } });
    sim.inject({ method: 'one.system.version', nth: 3, fault: { type: 'body', body: '<html>proxy error</html>', contentType: 'text/html' } });
    const first = await post(sim.url, versionCall());
    expect([first.status, first.headers['content-type']]).toEqual([500, 'text/html']);
    await expect(post(sim.url, versionCall())).rejects.toThrow(/socket hang up|ECONNRESET/);
    const third = await post(sim.url, versionCall());
    expect([third.status, third.body, third.headers['content-type']]).toEqual([200, '<html>proxy error</html>', 'text/html']);
    expect(ok(await admin(sim.url, 'one.system.version'))).toBe('6.10.0');
  });

  it('hangs until close(), which ends the request', async () => {
    sim = await startSimulator();
    sim.inject({ method: 'one.system.version', fault: { type: 'hang' } });
    const pending = post(sim.url, versionCall());
    let settled = false;
    pending.catch(() => undefined).finally(() => (settled = true));
    await new Promise((r) => setTimeout(r, 100));
    expect(settled).toBe(false);
    const t0 = Date.now();
    await sim.close();
    await expect(pending).rejects.toThrow();
    expect(Date.now() - t0).toBeLessThan(1000);
  });
});

describe('counting', () => {
  it('fires on the nth call for `times` calls, any method with "*", until cleared', async () => {
    sim = await startSimulator();
    sim.inject({ method: 'one.system.version', nth: 2, times: 2, fault: { type: 'error', code: 0x2000 } });
    const codes = [];
    for (let n = 0; n < 4; n++) codes.push((await admin(sim.url, 'one.system.version')).items[2].v);
    expect(codes).toEqual([0, 0x2000, 0x2000, 0]);
    sim.inject({ method: '*', times: 5, fault: { type: 'error', code: 0x100 } });
    expect((await admin(sim.url, 'one.user.info', i(-1))).items[2].v).toBe(0x100);
    sim.clearFaults();
    expect((await admin(sim.url, 'one.user.info', i(-1))).items[0].v).toBe(true);
    expect(() => sim.inject({ method: 'x', nth: 0, fault: { type: 'drop' } })).toThrow(/nth/);
  });

  it('with after: true runs the call and loses the answer', async () => {
    sim = await startSimulator();
    const id = sim.addImage({ name: 'n' });
    sim.inject({ method: 'one.image.rename', after: true, fault: { type: 'drop' } });
    await expect(post(sim.url, callBody('one.image.rename', [s('oneadmin:opennebula'), i(id), s('renamed')]))).rejects.toThrow();
    expect(sim.image(id)?.name).toBe('renamed');
  });
});

describe('calls log', () => {
  it('records every call in order with decoded params, session included', async () => {
    sim = await startSimulator();
    await admin(sim.url, 'one.imagepool.info', i(-2), i(-1), i(-1));
    await admin(sim.url, 'one.image.enable', i(3), b(true));
    expect(sim.calls.map(({ method, params }) => ({ method, params }))).toEqual([
      { method: 'one.imagepool.info', params: ['oneadmin:opennebula', -2, -1, -1] },
      { method: 'one.image.enable', params: ['oneadmin:opennebula', 3, true] },
    ]);
    expect(sim.calls[0].at).toBeLessThanOrEqual(sim.calls[1].at);
    sim.clearCalls();
    expect(sim.calls).toEqual([]);
  });
});
