// retry, drain and forget --json through the bundled command: each event's outcome (and error) as data.
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ALPHA, availableEvent, cacheImage } from '../e2e/scenario';
import { NodeKind, runHook, stateFiles } from '../e2e/site';
import { useSite } from '../e2e/use-site';
import { BETA, cli } from './cli-site';

const iso = z.string().regex(/^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/);
const Outcomes = z
  .object({
    events: z.array(
      z
        .object({ identifier: z.string(), type: z.string(), received: iso, attempts: z.number().int(), outcome: z.enum(['done', 'nothing', 'failed', 'waiting', 'blocked', 'busy', 'superseded']), error: z.string().optional() })
        .strict(),
    ),
  })
  .strict();
const Forgotten = z
  .object({ identifier: z.string(), forgotten: z.array(z.object({ type: z.string(), received: iso, attempts: z.number().int(), lastError: z.string().nullable() }).strict()) })
  .strict();

describe.each<NodeKind>(['node20', 'node10'])('retry, drain and forget --json under %s', (node) => {
  const getSite = useSite();

  it('prints what each processed, failed and dropped', async () => {
    const site = getSite();
    const queue = { VMCHNDL_ON_QUEUE: 'yes' };
    const good = cacheImage(site, 'raw', 'alpha', ALPHA, 1);
    expect((await runHook(site, Object.assign(availableEvent(site, good), queue), { node })).code).toBe(0);
    const bad = cacheImage(site, 'raw', 'beta', BETA, 1);
    fs.unlinkSync(bad.file);
    expect((await runHook(site, Object.assign(availableEvent(site, bad, { VMCATCHER_EVENT_DC_IDENTIFIER: BETA, VMCATCHER_EVENT_FILENAME: BETA }), queue), { node })).code).toBe(0);

    const drain = await cli(site, node, ['drain', '--json']);
    expect(drain.code).toBe(2);
    const d = Outcomes.parse(JSON.parse(drain.stdout));
    const by = (id: string) => d.events.filter((e) => e.identifier === id)[0];
    expect(by(ALPHA)).toMatchObject({ type: 'AvailablePostfix', outcome: 'done', attempts: 1 });
    expect(by(ALPHA).error).toBeUndefined();
    expect(by(BETA)).toMatchObject({ outcome: 'failed', attempts: 1, error: expect.stringMatching(/does not exist/) });

    const retry = await cli(site, node, ['retry', BETA, '--json']);
    expect(retry.code).toBe(2);
    expect(Outcomes.parse(JSON.parse(retry.stdout)).events).toEqual([expect.objectContaining({ identifier: BETA, outcome: 'failed', attempts: 2 })]);

    const forget = await cli(site, node, ['forget', BETA, '--yes', '--json']);
    expect(forget.code).toBe(0);
    expect(Forgotten.parse(JSON.parse(forget.stdout))).toEqual({
      identifier: BETA,
      forgotten: [expect.objectContaining({ type: 'AvailablePostfix', attempts: 2, lastError: expect.stringMatching(/does not exist/) })],
    });
    expect(stateFiles(site, 'spool')).toEqual([]);
    expect(Forgotten.parse(JSON.parse((await cli(site, node, ['forget', BETA, '--yes', '--json'])).stdout)).forgotten).toEqual([]);
    const none = await cli(site, node, ['retry', '--json']);
    expect(none.code).toBe(0);
    expect(JSON.parse(none.stdout)).toEqual({ events: [] });
  });
});
