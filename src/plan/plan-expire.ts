// The plan for ExpirePostfix: retire the current image, unless the image is still subscribed.
import type { Config } from '../config/config';
import type { ImageEvent } from '../event/parse-event';
import { planRetire, retiredStateOf, validateNotLocked } from './plan-retire';
import { chooseRetiredName } from './retired-name';
import { selectImages } from './select-images';
import type { Observed, Plan, RunContext, Step } from './types';

/** vmcatcher_image's state for "subscribed and in a valid image list". */
export const SUBSCRIBED_AND_VALID = 3;

/** Plans an ExpirePostfix event. Pure: no I/O, no clock. */
export function planExpire(event: ImageEvent, obs: Observed, config: Config, run: RunContext): Plan {
  const id = event.identifier;
  const sel = selectImages(obs.images, id, config.retiredNamePattern);
  const base = { identifier: id, runId: run.runId, warnings: [] as string[], commitIndex: 0, steps: [] as Step[] };
  const current = sel.current;
  if (!current) return Object.assign(base, { action: 'nothing' as const, summary: `no current image for ${id}: nothing to retire` });
  if (sel.others.length) {
    base.warnings.push(`other images also look current for ${id}: ${sel.others.map((i) => i.id).join(', ')}; retiring image ${current.id} only`);
  }
  if (obs.subscriptionState === SUBSCRIBED_AND_VALID) {
    return Object.assign(base, {
      action: 'nothing' as const,
      summary: `${id} is still subscribed and endorsed (vmcatcher_image state 3): keeping image ${current.id}; the coming AvailablePostfix will rotate it`,
    });
  }
  // Every step of an expiry is undone on failure: a lock of any level would only make it fail late.
  validateNotLocked(current, 3, id);
  const name = chooseRetiredName(config.retiredNamePattern, id, run.stamp, current, [current.uid, obs.retiredOwner.uid], obs.images);
  const steps: Step[] = [{ kind: 'rename', image: current.id, from: current.name, to: name }];
  steps.push(...planRetire(current, obs, config, run, retiredStateOf(current)));
  const why = obs.subscriptionState === undefined ? 'no longer subscribed' : `vmcatcher_image state ${obs.subscriptionState}`;
  return Object.assign(base, {
    action: 'retire' as const,
    summary: `retire image ${current.id} of ${id} (${why}) as ${JSON.stringify(name)}`,
    steps,
    // Every step of an expiry can be undone: a failure leaves the image exactly as it was.
    commitIndex: steps.length,
  });
}
