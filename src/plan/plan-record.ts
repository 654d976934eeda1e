// The handler's record in a plan: choosing by it, refusing what only the admin can decide, and the
// `record` step that writes what the plan changes.
import { AdminDecisionError } from '../errors';
import { bitsToOctal } from '../one/permissions';
import type { ImageRecord } from '../one/types';
import { Choice, chooseImages, describeCandidate } from './choose-images';
import { retiredStateOf } from './plan-retire';
import type { ImageRef, Observed, RunContext, Step } from './types';

/** The owners only an admin can give an image to. */
export function adminUids(obs: Observed): number[] {
  const uids = [0, obs.caller.uid, obs.retiredOwner.uid];
  return uids.filter((u, i) => uids.indexOf(u) === i);
}

/** Chooses by the record; throws AdminDecisionError when several images could be current and none is recorded. */
export function chooseForPlan(obs: Observed, identifier: string, pattern: string, warnings: string[]): Choice {
  const c = chooseImages(obs.images, identifier, pattern, { record: obs.record, recordsSince: obs.recordsSince, adminUids: adminUids(obs) });
  if (c.ambiguous.length) {
    throw new AdminDecisionError(
      `the handler has no record of ${identifier} and several images could be its current one: ${c.ambiguous.map(describeCandidate).join('; ')}. ` +
        `Nothing was changed and the event is kept. Say which one is current with \`vmcatcher_eventHndl_ON adopt ${identifier} <image id>\`; the event is then processed`,
    );
  }
  for (const i of c.lookAlikes) {
    warnings.push(
      `${describeCandidate(i)} carries VMCATCHER_EVENT_DC_IDENTIFIER=${identifier} but is not in the handler's record${obs.record ? '' : ' and was registered after the handler started keeping records'}: ignored (\`vmcatcher_eventHndl_ON adopt ${identifier} ${i.id}\` would make it current)`,
    );
  }
  if (c.adopt) {
    warnings.push(
      `the handler has no record of ${identifier} (first contact with this version, or a lost state directory): adopting ${describeCandidate(c.adopt)} as its current image and recording it`,
    );
  }
  return c;
}

/** The `record` step of a plan: the image that becomes current, the one retired (with what it had). */
export function recordStep(
  identifier: string,
  obs: Observed,
  run: RunContext,
  change: { current?: ImageRef | null; how: 'registered' | 'adopted'; retire?: ImageRecord },
): Step {
  const r = change.retire;
  return {
    kind: 'record',
    identifier,
    current: change.current,
    how: change.how,
    runId: run.runId,
    at: new Date(run.now).toISOString(),
    retire: r
      ? { id: r.id, at: new Date(run.now).toISOString(), from: { name: r.name, uid: r.uid, gid: r.gid, mode: bitsToOctal(r.permissions), state: retiredStateOf(r) } }
      : undefined,
    before: obs.record || null,
  };
}
