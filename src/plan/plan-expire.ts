// The plan for ExpirePostfix: retire the current image, unless the image is still subscribed.
import type { Config } from '../config/config';
import type { ImageEvent } from '../event/parse-event';
import { planRetire, retiredStateOf, validateNotLocked } from './plan-retire';
import { chooseRetiredName } from './retired-name';
import { chooseForPlan, recordStep } from './plan-record';
import type { Observed, Plan, RunContext, Step } from './types';

/** vmcatcher_image's state for "subscribed and in a valid image list". */
export const SUBSCRIBED_AND_VALID = 3;

/** Plans an ExpirePostfix event. Pure: no I/O, no clock. */
export function planExpire(event: ImageEvent, obs: Observed, config: Config, run: RunContext): Plan {
  const id = event.identifier;
  const warnings: string[] = [];
  const sel = chooseForPlan(obs, id, config.retiredNamePattern, warnings);
  const base = { identifier: id, runId: run.runId, warnings, commitIndex: 0, steps: [] as Step[] };
  const current = sel.current;
  if (!current) return Object.assign(base, { action: 'nothing' as const, summary: `no current image for ${id}: nothing to retire` });
  if (obs.subscriptionState === SUBSCRIBED_AND_VALID) {
    // An adopted image is recorded even when nothing else is done: from now on the record decides.
    const steps: Step[] = sel.adopt ? [recordStep(id, obs, run, { current: current.id, how: 'adopted' })] : [];
    return Object.assign(base, {
      action: 'nothing' as const,
      summary: `${id} is still subscribed and endorsed (vmcatcher_image state 3): keeping image ${current.id}${sel.adopt ? ' (recording it as current)' : ''}; the coming AvailablePostfix will rotate it`,
      steps,
      commitIndex: steps.length,
    });
  }
  // Every step of an expiry is undone on failure: a lock of any level would only make it fail late.
  validateNotLocked(current, 3, id);
  const name = chooseRetiredName(config.retiredNamePattern, id, run.stamp, current, [current.uid, obs.retiredOwner.uid], obs.images);
  const steps: Step[] = [{ kind: 'rename', image: current.id, from: current.name, to: name }];
  steps.push(...planRetire(current, obs, config, run, retiredStateOf(current)));
  steps.push(recordStep(id, obs, run, { current: null, how: 'registered', retire: current }));
  const why = obs.subscriptionState === undefined ? 'no longer subscribed' : `vmcatcher_image state ${obs.subscriptionState}`;
  return Object.assign(base, {
    action: 'retire' as const,
    summary: `retire image ${current.id} of ${id} (${why}) as ${JSON.stringify(name)}`,
    steps,
    // Every step of an expiry can be undone: a failure leaves the image exactly as it was.
    commitIndex: steps.length,
  });
}
