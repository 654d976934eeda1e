// The plan of `template <identifier>`: the admin asks for the appliance's VM template, so it is created
// (also when they deleted the recorded one) or repaired (pointed at the current image, version attributes,
// not retired, the current image's group and mode). Pure.
import { TPL_DISK, TPL_IMAGE_ID } from '../attributes';
import type { Config } from '../config/config';
import { InvalidArgumentError } from '../errors';
import { bitsToOctal } from '../one/permissions';
import { chooseImages } from './choose-images';
import { adminUids } from './plan-record';
import { applianceFacts, createTemplateSteps, lookAlikeTemplates, recordedTemplate, serveTemplateSteps } from './plan-template';
import type { Observed, Plan, RunContext, Step } from './types';

/** Plans `template <identifier>`; throws InvalidArgumentError when the identifier has no current image. */
export function planTemplateCommand(identifier: string, obs: Observed, config: Config, run: RunContext): Plan {
  const t = obs.templates || { pool: [], sizing: {} };
  const sel = chooseImages(obs.images, identifier, config.retiredNamePattern, { record: obs.record, recordsSince: obs.recordsSince, adminUids: adminUids(obs) });
  const current = sel.current;
  if (!current || !obs.record || !obs.record.current) {
    throw new InvalidArgumentError(
      `template: ${identifier} has no current image in the handler's record${current ? ` (image ${current.id} is adopted at its next event, or by \`vmcatcher_eventHndl_ON adopt ${identifier} ${current.id}\`)` : ''}: there is nothing to make a VM template for`,
    );
  }
  const warnings: string[] = [];
  const facts = applianceFacts(identifier, current.template);
  const target = { gid: current.gid, mode: bitsToOctal(current.permissions) };
  const rec = recordedTemplate(obs, t);
  let steps: Step[];
  let summary: string;
  let commitIndex = 0;
  if (!rec.live) {
    for (const x of lookAlikeTemplates(t, identifier, rec.id)) {
      warnings.push(`VM template ${x.id} (${JSON.stringify(x.name)}, owner ${x.uname}) carries the identifier but is not the handler's: left as it is`);
    }
    steps = createTemplateSteps(facts, current.id, target, obs, t, config, run, warnings);
    // The template this run creates is deleted again if the run fails before it is recorded.
    commitIndex = 1;
    summary = `create a VM template for ${identifier} using image ${current.id}${rec.id !== undefined ? ` (VM template ${rec.id}, in the handler's record, no longer exists)` : ''}`;
  } else {
    const uses = rec.live.nodes.some((n) => n.name === TPL_DISK && 'vector' in n && n.vector[TPL_IMAGE_ID] === String(current.id));
    const from = obs.record.retired.map((r) => r.id);
    steps = serveTemplateSteps(rec.live, facts, uses ? undefined : current.id, from, target, run);
    summary = steps.length ? `bring VM template ${rec.live.id} of ${identifier} up to date with image ${current.id}` : `VM template ${rec.live.id} of ${identifier} already uses image ${current.id}: nothing to do`;
  }
  return { identifier, action: steps.length ? 'template' : 'nothing', summary, warnings, steps, commitIndex: Math.min(commitIndex, steps.length), runId: run.runId };
}
