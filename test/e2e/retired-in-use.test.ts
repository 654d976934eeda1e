// A retired image that could not be disabled because VMs used it is disabled by a later run for the
// same image once no VM uses it; one the admin enabled again on purpose is left alone.
import { describe, expect, it } from 'vitest';
import { availableEvent, cacheImage, currentImages } from './scenario';
import { NodeKind, runHook } from './site';
import { useSite } from './use-site';

describe.each<NodeKind>(['node20', 'node10'])('a retired image in use, under %s', (node) => {
  const getSite = useSite();

  it('stays enabled while used, is disabled by the next run once unused, and is then left to the admin', async () => {
    const site = getSite();
    const v1 = cacheImage(site, 'raw', 'v1', undefined, 1);
    expect((await runHook(site, availableEvent(site, v1), { node })).code).toBe(0);
    const old = currentImages(site)[0].id;
    site.sim.setRunningVms(old, 1);
    const v2 = cacheImage(site, 'raw', 'v2', undefined, 1);
    const ev2 = availableEvent(site, v2);
    const rot = await runHook(site, ev2, { node });
    expect(rot.code).toBe(0);
    expect(rot.stderr).toMatch(new RegExp(`image ${old} could not be disabled and stays enabled .*a later run disables it once no VM uses it`));
    expect(site.sim.image(old)).toMatchObject({ stateName: 'USED', template: expect.objectContaining({ VMCHNDL_ON_DISABLE_WHEN_UNUSED: expect.stringMatching(/^\d{4}-/) }) });

    // Still in use: the same event again changes nothing.
    expect((await runHook(site, ev2, { node })).code).toBe(0);
    expect(site.sim.image(old)!.stateName).toBe('USED');

    // No VM uses it any more: the next run for the image (here vmcatcher re-sending the event) disables it.
    site.sim.setRunningVms(old, 0);
    const plan = await runHook(site, ev2, { node, args: ['plan'] });
    expect(plan.stdout).toMatch(new RegExp(`nothing to do; disable retired image ${old}, no longer in use`));
    const again = await runHook(site, ev2, { node });
    expect(again.code).toBe(0);
    expect(site.sim.image(old)).toMatchObject({ stateName: 'DISABLED', template: expect.objectContaining({ VMCHNDL_ON_DISABLE_WHEN_UNUSED: '' }) });

    // The admin enables it again on purpose: it is theirs to decide, later runs leave it.
    const { createOneClient } = await import('../../src/one/client');
    const fs = await import('node:fs');
    await createOneClient({ endpoint: site.sim.url, session: fs.readFileSync(site.authFile, 'utf8').trim() }).imageEnable(old, true);
    expect((await runHook(site, ev2, { node })).code).toBe(0);
    expect(site.sim.image(old)!.stateName).toBe('READY');
  });
});
