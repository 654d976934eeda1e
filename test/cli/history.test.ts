// `history <identifier>` through the bundled command: the journalled runs of an image, newest first,
// with the images each touched, the outcome and the error; its pending events; --json as data.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ALPHA, availableEvent, cacheImage, currentImages } from '../e2e/scenario';
import { NodeKind, runHook } from '../e2e/site';
import { useSite } from '../e2e/use-site';
import { cli } from './cli-site';

const iso = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
const HistorySchema = z
  .object({
    identifier: z.string(),
    runs: z.array(
      z
        .object({
          runId: z.string(),
          startedAt: iso,
          endedAt: iso.nullable(),
          event: z.string(),
          action: z.enum(['register', 'rotate', 'retire', 'nothing']),
          summary: z.string(),
          outcome: z.enum(['done', 'rolled-back', 'interrupted']),
          error: z.string().nullable(),
          newImage: z.number().int().nullable(),
          oldImage: z.number().int().nullable(),
          retiredName: z.string().nullable(),
          steps: z.number().int(),
          stepsDone: z.number().int(),
        })
        .strict(),
    ),
    pending: z.array(z.object({ type: z.string(), received: iso, attempts: z.number().int(), lastError: z.string().nullable() }).strict()),
  })
  .strict();

describe.each<NodeKind>(['node20', 'node10'])('history under %s', (node) => {
  const getSite = useSite();

  it('lists a registration, a rotation and a failed attempt newest first, with images, outcome and error', async () => {
    const site = getSite();
    const v1 = cacheImage(site, 'qcow2', 'v1', ALPHA, 1);
    expect((await runHook(site, availableEvent(site, v1), { node })).code).toBe(0);
    const first = currentImages(site)[0].id;
    const v2 = cacheImage(site, 'qcow2', 'v2', ALPHA, 1);
    expect((await runHook(site, availableEvent(site, v2), { node })).code).toBe(0);
    const second = currentImages(site)[0].id;
    const v3 = cacheImage(site, 'qcow2', 'v3', ALPHA, 1);
    expect((await runHook(site, availableEvent(site, v3, { VMCATCHER_EVENT_SL_CHECKSUM_SHA512: 'e'.repeat(128) }), { node })).code).toBe(2);

    const r = await cli(site, node, ['history', ALPHA, '--json']);
    expect(r.code).toBe(0);
    const h = HistorySchema.parse(JSON.parse(r.stdout));
    expect(h.runs.map((x) => [x.event, x.action, x.outcome])).toEqual([
      ['AvailablePostfix', 'rotate', 'rolled-back'],
      ['AvailablePostfix', 'rotate', 'done'],
      ['AvailablePostfix', 'register', 'done'],
    ]);
    expect(h.runs[0]).toMatchObject({ newImage: null, oldImage: second, error: expect.stringMatching(/sha512 .* but the image list says e{128}/) });
    expect(h.runs[1]).toMatchObject({ newImage: second, oldImage: first, error: null, retiredName: expect.stringMatching(new RegExp(`^${ALPHA} \\d{4}-`)) });
    expect(h.runs[2]).toMatchObject({ newImage: first, oldImage: null });
    expect(h.runs[1].stepsDone).toBe(h.runs[1].steps);
    expect(h.pending).toEqual([expect.objectContaining({ type: 'AvailablePostfix', attempts: 1, lastError: expect.stringMatching(/sha512/) })]);

    const text = await cli(site, node, ['history', ALPHA]);
    expect(text.code).toBe(0);
    const lines = text.stdout.split('\n');
    expect(lines[0]).toMatch(/^WHEN +EVENT +ACTION +OUTCOME +IMAGES +ERROR$/);
    // One time format: local time with its offset (the site runs in Europe/Madrid).
    expect(lines[1]).toMatch(new RegExp(`^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2} \\+0[12]00 +AvailablePostfix +rotate +rolled-back +old ${second} +.*sha512`));
    expect(lines[2]).toMatch(new RegExp(`rotate +done +new ${second}, old ${first} *$`));
    expect(lines[3]).toMatch(new RegExp(`register +done +new ${first} *$`));
    expect(lines[4]).toMatch(/^pending: AvailablePostfix received .* 1 attempt\(s\); last error: /);
  });

  it('says so when nothing is recorded, and refuses a path as an identifier (exit 3)', async () => {
    const site = getSite();
    const r = await cli(site, node, ['history', ALPHA]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`no run recorded for ${ALPHA} (the journals keep the last runs of each image that changed something)`);
    const bad = await cli(site, node, ['history', '../etc']);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/history: "\.\.\/etc" is not an image list identifier/);
  });
});
