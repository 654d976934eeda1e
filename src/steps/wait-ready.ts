// Step `wait-ready`: polls one.image.info with backoff until the new image is READY; ERROR or timeout fails.
import { ATTR_ERROR } from '../attributes';
import { OperationFailedError } from '../errors';
import { IMAGE_STATE, ImageStateName } from '../one/types';
import type { StepImpl } from './step';
import { nextReadyPollMs } from './ready-polls';
import { imageId, imageLabel } from './step';

type S = { kind: 'wait-ready'; image: number | 'new'; timeoutMs: number; path: string; datastore: string };

function stateName(n: number): string {
  for (const k of Object.keys(IMAGE_STATE) as ImageStateName[]) if (IMAGE_STATE[k] === n) return k;
  return String(n);
}

/** Turns oned's copy error into a message that tells the admin what to change. */
export function explainCopyError(error: string, path: string, datastore: string): string {
  if (/RESTRICTED_DIRS|Not allowed to copy/i.test(error)) {
    return (
      `oned refused to copy ${path} into datastore ${datastore}: ${error}. ` +
      `Add the directory to the datastore's SAFE_DIRS (onedatastore update ${datastore}), ` +
      `or set VMCHNDL_ON_STAGING_DIR to a directory it already allows (default /var/tmp/vmcatcher_eventHndl_ON)`
    );
  }
  return `oned could not copy ${path} into datastore ${datastore}: ${error || 'the image went to ERROR without a message'}`;
}

export const waitReadyStep: StepImpl<S> = {
  describe: (s) => `wait until ${imageLabel(s.image)} is READY (one.image.info, polls backing off; at most ${Math.round(s.timeoutMs / 1000)} s)`,
  async apply(s, ctx) {
    const id = imageId(ctx, s.image);
    const start = ctx.now();
    let lastLog = start;
    for (;;) {
      const img = await ctx.one.imageInfo(id);
      if (img.state === IMAGE_STATE.READY) {
        ctx.progress('ready', 100, `image ${id} is READY`);
        return;
      }
      if (img.state === IMAGE_STATE.ERROR) {
        throw new OperationFailedError(explainCopyError(img.template[ATTR_ERROR] || '', s.path, s.datastore));
      }
      const waited = ctx.now() - start;
      if (waited >= s.timeoutMs) {
        throw new OperationFailedError(
          `image ${id} is still ${stateName(img.state)} after ${Math.round(waited / 1000)} s (VMCHNDL_ON_READY_TIMEOUT=${Math.round(s.timeoutMs / 1000)})`,
        );
      }
      if (ctx.now() - lastLog >= 30000) {
        ctx.progress('ready', undefined, `image ${id} is ${stateName(img.state)} after ${Math.round(waited / 1000)} s`);
        lastLog = ctx.now();
      }
      // A tenth of the time waited so far (ready-polls.ts): READY is noticed at most 10 % late, and at most 30 s.
      const delay = nextReadyPollMs(waited, ctx.pollMs, ctx.maxPollMs);
      await ctx.sleep(Math.min(delay, Math.max(1, s.timeoutMs - waited)));
    }
  },
  async isDone(s, ctx) {
    const img = await ctx.one.imageInfo(imageId(ctx, s.image));
    return img.state === IMAGE_STATE.READY ? {} : false;
  },
  async undo() {
    // Waiting changes nothing.
  },
};
