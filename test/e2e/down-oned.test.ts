// oned down: events keep arriving, each fails clearly (exit 2) and is kept; when oned is back, one
// ProcessPostfix brings OpenNebula to the state it would have reached had oned been up all along.
import * as net from 'net';
import { describe, expect, it } from 'vitest';
import { requireQemuImg } from '../helpers/images';
import { availableEvent, cacheImage, expireEvent, imageListSays, normalizedImages } from './scenario';
import { eventEnv, makeSite, runHook, Site, stateFiles } from './site';

const IDS = ['1e2b8099-febf-444f-8078-8942ca3e5210', '5c1d3f0a-8a2e-4c55-9a61-0f6b1c2d3e4f', '9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a'];

/** A TCP proxy in front of the simulator that can be switched off (connection refused) and on again. */
class Switch {
  private server?: net.Server;
  private sockets = new Set<net.Socket>();
  port = 0;
  constructor(private readonly target: number) {}
  async up(): Promise<void> {
    this.server = net.createServer((c) => {
      const s = net.connect(this.target, '127.0.0.1');
      this.sockets.add(c).add(s);
      c.pipe(s).pipe(c);
      const end = () => {
        c.destroy();
        s.destroy();
      };
      c.on('error', end).on('close', end);
      s.on('error', end).on('close', end);
    });
    await new Promise<void>((r) => this.server!.listen(this.port, '127.0.0.1', () => r()));
    this.port = (this.server.address() as net.AddressInfo).port;
  }
  async down(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server!.close(() => r()));
  }
}

/** Three images registered while oned is up, then v2 of all three cached: the events of one vmcatcher run. */
async function siteWithThreeImages(): Promise<{ site: Site; sw: Switch; events: Record<string, string>[] }> {
  requireQemuImg();
  const site = await makeSite();
  const sw = new Switch(Number(new URL(site.sim.url).port));
  await sw.up();
  const endpoint = `http://127.0.0.1:${sw.port}/RPC2`;
  for (const id of IDS.slice(0, 2)) {
    const v1 = cacheImage(site, 'qcow2', `${id}-v1`, id);
    const r = await runHook(site, Object.assign(availableEvent(site, v1, { VMCATCHER_EVENT_DC_IDENTIFIER: id, VMCATCHER_EVENT_FILENAME: id }), { VMCHNDL_ON_ENDPOINT: endpoint }));
    if (r.code !== 0) throw new Error(r.stderr);
  }
  // Five events for three identifiers: two updates (Expire + Available) and one new image.
  const events: Record<string, string>[] = [];
  for (const id of IDS.slice(0, 2)) {
    events.push(Object.assign(expireEvent(site, { VMCATCHER_EVENT_DC_IDENTIFIER: id, VMCATCHER_EVENT_FILENAME: `${id}.2026-11-22_02-22-10` }), imageListSays(3, id)));
    const v2 = cacheImage(site, 'qcow2', `${id}-v2`, id);
    events.push(availableEvent(site, v2, { VMCATCHER_EVENT_DC_IDENTIFIER: id, VMCATCHER_EVENT_FILENAME: id, VMCATCHER_EVENT_HV_VERSION: '2.0' }));
  }
  const fresh = cacheImage(site, 'qcow2', `${IDS[2]}-v1`, IDS[2]);
  events.push(availableEvent(site, fresh, { VMCATCHER_EVENT_DC_IDENTIFIER: IDS[2], VMCATCHER_EVENT_FILENAME: IDS[2] }));
  for (const e of events) e.VMCHNDL_ON_ENDPOINT = endpoint;
  return { site, sw, events };
}

describe('oned down', () => {
  it('keeps every event and catches up at the next ProcessPostfix', async () => {
    // Up all along: the reference.
    const ref = await siteWithThreeImages();
    let expected;
    try {
      for (const e of ref.events) expect((await runHook(ref.site, e)).code).toBe(0);
      expected = normalizedImages(ref.site, IDS);
    } finally {
      await ref.sw.down();
      await ref.site.close();
    }

    const { site, sw, events } = await siteWithThreeImages();
    try {
      await sw.down();
      const before = normalizedImages(site, IDS);
      for (const e of events) {
        const r = await runHook(site, e);
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/one\.imagepool\.info failed \(connection\): http:\/\/127\.0\.0\.1:\d+\/RPC2: connection refused: is oned running/);
        expect(r.stderr).toMatch(/stays pending and will be retried|stays queued behind it/);
      }
      expect(normalizedImages(site, IDS)).toEqual(before);
      expect(stateFiles(site, 'spool')).toHaveLength(5);

      await sw.up();
      const post = await runHook(site, Object.assign(eventEnv(site, '17-ProcessPostfix.env'), { VMCHNDL_ON_ENDPOINT: events[0].VMCHNDL_ON_ENDPOINT }, imageListSays(3, IDS[0])));
      expect(post.stderr).not.toMatch(/ERROR/);
      expect(post.code).toBe(0);
      await site.sim.settle();
      expect(normalizedImages(site, IDS)).toEqual(expected);
      expect(stateFiles(site, 'spool')).toEqual([]);
      expect(stateFiles(site, 'journal')).toEqual([]);
    } finally {
      await sw.down().catch(() => undefined);
      await site.close();
    }
  }, 120000);
});
