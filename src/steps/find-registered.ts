// Finds the image a run registered by the run marker it carries, for when its id was never journalled.
import { ATTR_RUN } from '../attributes';
import type { ExecContext } from '../exec/context';
import type { ImageRecord } from '../one/types';

/** The image carrying this run's marker, if oned has one. */
export async function findRegisteredBy(ctx: ExecContext, runId: string): Promise<ImageRecord | undefined> {
  const pool = await ctx.one.imagePool();
  for (const img of pool) if (img.template[ATTR_RUN] === runId) return img;
  return undefined;
}
