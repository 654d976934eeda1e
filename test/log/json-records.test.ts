// The hook's log records through the bundled command: JSON records name the identifier, event, step,
// image and error code; text lines put the cause first and keep the long part for -v.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireQemuImg } from '../helpers/images';
import { ALPHA, availableEvent, cacheImage } from '../e2e/scenario';
import { makeSite, runHook, Site } from '../e2e/site';

type Rec = Record<string, unknown> & { level: string; where: string; message: string };
const records = (stderr: string): Rec[] => stderr.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Rec);

describe('log records', () => {
  let site: Site;
  beforeAll(async () => {
    requireQemuImg();
    site = await makeSite();
    const r = await runHook(site, availableEvent(site, cacheImage(site, 'qcow2', 'alpha-v1')));
    if (r.code !== 0) throw new Error(r.stderr);
  });
  afterAll(() => site && site.close());

  it('JSON: every record of a rotation names the identifier and event; step records their number, kind and image', async () => {
    const old = site.sim.images()[0].id;
    const r = await runHook(site, Object.assign(availableEvent(site, cacheImage(site, 'qcow2', 'alpha-v2')), { VMCHNDL_ON_LOG_FORMAT: 'json' }));
    expect(r.code, r.stderr).toBe(0);
    const recs = records(r.stderr);
    const own = recs.filter((x) => x.where !== 'progress');
    for (const x of own) expect(x, x.message).toMatchObject({ identifier: ALPHA, event: 'AvailablePostfix' });
    const steps = recs.filter((x) => x.where === 'execute');
    expect(steps.length).toBeGreaterThan(5);
    steps.forEach((x, i) => expect(x).toMatchObject({ step: i + 1, stepKind: expect.any(String) }));
    const rename = steps.filter((x) => x.stepKind === 'rename')[0];
    expect(rename.image).toBe(old);
    // The new image's id once it is registered.
    const current = site.sim.images().filter((i) => i.name === ALPHA)[0].id;
    const onNew = steps.filter((x) => x.stepKind === 'chmod' && x.image === current);
    expect(onNew).toHaveLength(1);
    const registered = recs.filter((x) => x.where === 'register')[0];
    expect(registered).toMatchObject({ stepKind: 'allocate', identifier: ALPHA });
  });

  it('a failure: the cause first and short in text, the step and checksums at -v and in JSON (with its code)', async () => {
    const bad = Object.assign(availableEvent(site, cacheImage(site, 'qcow2', 'alpha-v3')), { VMCATCHER_EVENT_SL_CHECKSUM_SHA512: 'd'.repeat(128) });
    const text = await runHook(site, bad);
    expect(text.code).toBe(2);
    const errors = text.stderr.split('\n').filter((l) => / ERROR; /.test(l)).map((l) => l.replace(/^.* -- /, ''));
    expect(errors).toHaveLength(3);
    for (const m of errors) expect(m.length, m).toBeLessThanOrEqual(240);
    expect(errors[0]).toMatch(/^the cached file is damaged or was replaced .*\(step 1\/\d+, convert\): rolling back$/);
    expect(errors[1]).toMatch(/^the cached file is damaged .* Everything was rolled back\. — AvailablePostfix for .* stays pending/);
    expect(text.stderr).not.toMatch(/[0-9a-f]{128}/);

    const verbose = await runHook(site, bad, { args: ['-v'] });
    expect(verbose.stderr).toMatch(/DEBUG; vmcatcher_eventHndl_ON; execute -- {3}step 1\/\d+: check the sha512 of .*; the sha512 of .* is [0-9a-f]{128}, but the image list says d{128}/);

    const json = await runHook(site, Object.assign({}, bad, { VMCHNDL_ON_LOG_FORMAT: 'json' }));
    const failed = records(json.stderr).filter((x) => x.level === 'ERROR');
    expect(failed[0]).toMatchObject({ where: 'execute', identifier: ALPHA, event: 'AvailablePostfix', step: 1, stepKind: 'convert', code: 'OPERATION_FAILED' });
    expect(failed[0].detail).toMatch(/but the image list says d{128}/);
    expect(failed[1]).toMatchObject({ where: 'main', identifier: ALPHA, code: 'OPERATION_FAILED', exitCode: 2 });
    expect(failed[1].detail).toMatch(/^AvailablePostfix for .* received \d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}, attempt \d+; step 1/);
  });
});
