// Never lose an event: spooled before work, retried with back-off, superseded, queued, listed, forgotten.
import { beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ALPHA, availableEvent, cacheImage, currentImages } from './scenario';
import { eventEnv, runHook, Site, stateFiles, waitFor, writeCalls } from './site';
import { useSite } from './use-site';

const ALLOCATE_FAILS = { type: 'error' as const, code: 0x4000, message: '[one.image.allocate] Not enough space in datastore' };

const PendingJson = z.object({
  pending: z.array(
    z.object({
      identifier: z.string(),
      type: z.string(),
      received: z.string().regex(/^\d{4}-\d{2}-\d{2}T/),
      attempts: z.number().int().min(0),
      lastError: z.string(),
      nextAttempt: z.string().regex(/^\d{4}-\d{2}-\d{2}T/),
      superseded: z.boolean(),
    }),
  ),
});


describe('the event spool', () => {
  const getSite = useSite();
  let site: Site;
  beforeEach(() => {
    site = getSite();
  });
  const processPostfix = () => eventEnv(site, '17-ProcessPostfix.env');
  const processPrefix = () => eventEnv(site, '01-ProcessPrefix.env');

  it('keeps a failed event and processes it at the next ProcessPostfix', async () => {
    site.sim.inject({ method: 'one.image.allocate', fault: ALLOCATE_FAILS });
    const img = cacheImage(site, 'qcow2', 'alpha-v1');
    const r = await runHook(site, availableEvent(site, img));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Not enough space in datastore/);
    expect(stateFiles(site, 'spool')).toHaveLength(1);
    expect(currentImages(site)).toHaveLength(0);

    const again = await runHook(site, processPostfix());
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/retrying 1 pending event/);
    expect(currentImages(site)).toHaveLength(1);
    expect(stateFiles(site, 'spool')).toEqual([]);
  });

  it('backs off after the first retry, says so loudly after N attempts, and `retry` goes at once', async () => {
    site.sim.inject({ method: 'one.image.allocate', times: 3, fault: ALLOCATE_FAILS });
    const img = cacheImage(site, 'qcow2', 'alpha-v1');
    const env = Object.assign(availableEvent(site, img), { VMCHNDL_ON_RETRY_WARN_AFTER: '2' });
    expect((await runHook(site, env)).code).toBe(2);
    // First retry: at once, at the next vmcatcher run. It fails again and is now reported as an error that asks for attention.
    const second = await runHook(site, Object.assign(processPrefix(), { VMCHNDL_ON_RETRY_WARN_AFTER: '2' }));
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(/has failed 2 times: look at `vmcatcher_eventHndl_ON pending`/);
    // Second retry: not before VMCHNDL_ON_RETRY_DELAY has passed. No call to allocate.
    site.sim.clearCalls();
    const third = await runHook(site, processPostfix());
    expect(third.code).toBe(0);
    expect(third.stderr).toMatch(/1 pending event\(s\) not due yet/);
    expect(writeCalls(site.sim)).toEqual([]);
    // retry ignores the back-off; the third allocate still fails, the fourth succeeds.
    expect((await runHook(site, {}, { args: ['retry'] })).code).toBe(2);
    const ok = await runHook(site, {}, { args: ['retry', ALPHA] });
    expect(ok.code).toBe(0);
    expect(currentImages(site)).toHaveLength(1);
    expect(stateFiles(site, 'spool')).toEqual([]);
  });

  it('a newer AvailablePostfix supersedes an older pending one, and says so', async () => {
    const v1 = cacheImage(site, 'qcow2', 'alpha-v1');
    const bad = await runHook(site, availableEvent(site, v1, { VMCATCHER_EVENT_SL_CHECKSUM_SHA512: 'e'.repeat(128) }));
    expect(bad.code).toBe(2);
    const v2 = cacheImage(site, 'qcow2', 'alpha-v2');
    const r = await runHook(site, availableEvent(site, v2));
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/WARNING.*superseded by this event \(the cached file now holds a newer version\)/);
    expect(currentImages(site)[0].template.VMCATCHER_EVENT_SL_CHECKSUM_SHA512).toBe(v2.sha512);
    expect(stateFiles(site, 'spool')).toEqual([]);
  });

  it('lists pending events as a table and as JSON; forget asks, refuses without a terminal, and removes with --yes', async () => {
    site.sim.inject({ method: 'one.image.allocate', fault: ALLOCATE_FAILS });
    const img = cacheImage(site, 'qcow2', 'alpha-v1');
    expect((await runHook(site, availableEvent(site, img))).code).toBe(2);
    const table = await runHook(site, {}, { args: ['pending'] });
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^IDENTIFIER\s+TYPE\s+RECEIVED\s+ATTEMPTS\s+NEXT ATTEMPT\s+LAST ERROR/);
    expect(table.stdout).toContain(ALPHA);
    // Times as every command prints them for people: local, with the offset (the site's TZ is Europe/Madrid).
    const line = table.stdout.split('\n').filter((l) => l.indexOf(ALPHA) >= 0)[0];
    expect(line).toMatch(/AvailablePostfix\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0[12]00\s+1\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0[12]00\s/);
    expect(table.stdout).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:/);
    const json = PendingJson.parse(JSON.parse((await runHook(site, {}, { args: ['pending', '--json'] })).stdout));
    expect(json.pending).toHaveLength(1);
    expect(json.pending[0]).toMatchObject({ identifier: ALPHA, type: 'AvailablePostfix', attempts: 1 });
    expect(json.pending[0].lastError).toMatch(/Not enough space/);

    const refused = await runHook(site, {}, { args: ['forget', ALPHA] });
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/confirm with --yes/);
    expect(stateFiles(site, 'spool')).toHaveLength(1);
    const forgot = await runHook(site, {}, { args: ['forget', ALPHA, '--yes'] });
    expect(forgot.code).toBe(0);
    expect(forgot.stderr).toMatch(/forgot pending AvailablePostfix/);
    expect(stateFiles(site, 'spool')).toEqual([]);
    expect(JSON.parse((await runHook(site, {}, { args: ['pending', '--json'] })).stdout)).toEqual({ pending: [] });
  });

  it('queue mode: `pending` shows which queued events a newer one supersedes; drain registers only the newest', async () => {
    const v1 = cacheImage(site, 'qcow2', 'alpha-v1');
    expect((await runHook(site, Object.assign(availableEvent(site, v1), { VMCHNDL_ON_QUEUE: 'yes' }))).code).toBe(0);
    const v2 = cacheImage(site, 'qcow2', 'alpha-v2');
    expect((await runHook(site, Object.assign(availableEvent(site, v2), { VMCHNDL_ON_QUEUE: 'yes' }))).code).toBe(0);
    const json = PendingJson.parse(JSON.parse((await runHook(site, {}, { args: ['pending', '--json'] })).stdout));
    expect(json.pending.map((p) => [p.identifier, p.superseded])).toEqual([
      [ALPHA, true],
      [ALPHA, false],
    ]);
    const table = (await runHook(site, {}, { args: ['pending'] })).stdout.split('\n').filter((l) => l.indexOf(ALPHA) >= 0);
    expect(table.map((l) => /superseded by a newer event/.test(l))).toEqual([true, false]);
    expect((await runHook(site, {}, { args: ['drain'] })).code).toBe(0);
    expect(currentImages(site).map((i) => i.template.VMCATCHER_EVENT_SL_CHECKSUM_SHA512)).toEqual([v2.sha512]);
    expect(writeCalls(site.sim).filter((m) => m === 'one.image.allocate')).toHaveLength(1);
    expect(stateFiles(site, 'spool')).toEqual([]);
  });

  it('queue mode: the hook only spools and returns; drain processes', async () => {
    const img = cacheImage(site, 'qcow2', 'alpha-v1');
    const q = await runHook(site, Object.assign(availableEvent(site, img), { VMCHNDL_ON_QUEUE: 'yes' }));
    expect(q.code).toBe(0);
    expect(q.stderr).toMatch(/queued AvailablePostfix/);
    expect(site.sim.calls).toEqual([]);
    expect(stateFiles(site, 'spool')).toHaveLength(1);
    const d = await runHook(site, {}, { args: ['drain'] });
    expect(d.code).toBe(0);
    expect(currentImages(site)).toHaveLength(1);
    expect(stateFiles(site, 'spool')).toEqual([]);
  });

  it('queue mode with VMCHNDL_ON_QUEUE_SPAWN: a background drain does the work after the hook returned', async () => {
    const img = cacheImage(site, 'qcow2', 'alpha-v1');
    const q = await runHook(site, Object.assign(availableEvent(site, img), { VMCHNDL_ON_QUEUE: 'yes', VMCHNDL_ON_QUEUE_SPAWN: 'yes', VMCHNDL_ON_LOG_FILE: `${site.root}/drain.log` }));
    expect(q.code).toBe(0);
    await waitFor(() => currentImages(site).length === 1 && currentImages(site)[0].stateName === 'READY' && stateFiles(site, 'spool').length === 0, 20000, 'the background drain');
  });

  it('recover is safe at any time: with nothing wrong it changes nothing', async () => {
    const img = cacheImage(site, 'qcow2', 'alpha-v1');
    expect((await runHook(site, availableEvent(site, img))).code).toBe(0);
    site.sim.clearCalls();
    const r = await runHook(site, {}, { args: ['recover', '--json'] });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ identifiers: [], events: [] });
    expect(site.sim.calls).toEqual([]);
  });
});
