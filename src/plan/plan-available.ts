// The plan for AvailablePostfix: register a new image, or rotate the current one.
import { ATTR_DESCRIPTION, ATTR_IDENTIFIER, ATTR_NAME, ATTR_PATH, ATTR_RUN, ATTR_TYPE } from '../attributes';
import type { Config } from '../config/config';
import { InvalidConfigError, OperationFailedError } from '../errors';
import type { ImageEvent } from '../event/parse-event';
import { bitsToOctal } from '../one/permissions';
import { neutralizeValue } from '../one/template';
import { IMAGE_STATE, ImageRecord, TemplateAttrs } from '../one/types';
import { stagingDirProblem } from './datastore-dirs';
import { chownStep, planRetire, retiredStateOf, validateNotLocked } from './plan-retire';
import { planSource } from './prepare-source';
import { chooseRetiredName } from './retired-name';
import type { Choice } from './choose-images';
import { chooseForPlan, recordStep } from './plan-record';
import { holdsSameFile } from './select-images';
import type { Observed, Plan, RunContext, Step } from './types';

/** What the new image must end up with. */
interface Target {
  uid: number;
  gid: number;
  mode: string;
  disabled: boolean;
  why: string;
}

function templateFor(event: ImageEvent, sourcePath: string, config: Config, runId: string, warnings: string[]): TemplateAttrs {
  const t: Record<string, string> = {};
  for (const k of Object.keys(event.vars)) {
    // What oned cannot store exactly is changed here, visibly, so the plan shows what will be sent.
    const n = neutralizeValue(k, event.vars[k]);
    t[k] = n.value;
    warnings.push(...n.warnings);
  }
  t[ATTR_NAME] = event.identifier;
  t[ATTR_PATH] = sourcePath;
  t[ATTR_TYPE] = 'OS';
  const description = event.vars.VMCATCHER_EVENT_DC_DESCRIPTION || event.vars.VMCATCHER_EVENT_DC_TITLE;
  if (description) t[ATTR_DESCRIPTION] = neutralizeValue(ATTR_DESCRIPTION, description).value;
  if (config.format === 'qcow2') t.DRIVER = 'qcow2';
  t[ATTR_RUN] = runId;
  return t;
}

/** The owner, group, mode and state a first registration gets: what the handler recorded at the last retirement, else the VO's group (VMCHNDL_ON_VO_GROUPS), else private. */
function targetForNewImage(choice: Choice, obs: Observed, config: Config, vo: string | undefined): Target {
  const r = choice.restore;
  if (config.restoreRetired && r) {
    const f = r.from;
    const where = r.source === 'record' ? 'as the handler recorded it' : 'as recorded on it';
    return {
      uid: f.uid,
      gid: f.gid,
      mode: f.mode,
      disabled: f.state === 'DISABLED',
      why: `restoring what retired image ${r.imageId} had, ${where}: owner ${f.uid}, group ${f.gid}, mode ${f.mode}, ${f.state === 'DISABLED' ? 'disabled' : 'enabled'}`,
    };
  }
  const g = obs.voGroup;
  if (g && g.vo === vo) {
    // The mapping is the admin's decision to publish the VO's images to its group; the owner stays the handler's user.
    return {
      uid: obs.caller.uid,
      gid: g.gid,
      mode: config.voMode,
      disabled: false,
      why: `first registration: VO ${g.vo} is mapped to group ${g.name} (VMCHNDL_ON_VO_GROUPS): group ${g.gid}, mode ${config.voMode}`,
    };
  }
  return { uid: obs.caller.uid, gid: obs.caller.gid, mode: config.newMode, disabled: false, why: `first registration: private to ${obs.caller.name}, mode ${config.newMode}` };
}

function nameClash(images: readonly ImageRecord[], uid: number, name: string, except?: number): ImageRecord | undefined {
  for (const i of images) if (i.uid === uid && i.name === name && i.id !== except) return i;
  return undefined;
}

/** Plans an AvailablePostfix event. Pure: no I/O, no clock. */
export function planAvailable(event: ImageEvent, obs: Observed, config: Config, run: RunContext): Plan {
  const id = event.identifier;
  const warnings: string[] = [];
  const sel = chooseForPlan(obs, id, config.retiredNamePattern, warnings);
  const current = sel.current;
  if (current && holdsSameFile(current, event.vars, event.checksum)) {
    // An adopted image is recorded even when nothing else is done: from now on the record decides.
    const steps: Step[] = sel.adopt ? [recordStep(id, obs, run, { current: current.id, how: 'adopted' })] : [];
    return {
      identifier: id,
      action: 'nothing',
      summary: `image ${current.id} (${JSON.stringify(current.name)}) already holds this version of ${id}: nothing to do${sel.adopt ? ' but record it as current' : ''}`,
      warnings,
      steps,
      commitIndex: steps.length,
      runId: run.runId,
    };
  }
  if (!obs.file) throw new OperationFailedError(`the cached file for ${id} was not observed`);

  const source = planSource(obs.file, config, id, run.runId);
  // Refuse before converting gigabytes that oned would then refuse to copy.
  const refused = source.stagingDir ? stagingDirProblem(obs.datastore, config.stagingDir) : undefined;
  if (refused) throw new InvalidConfigError([refused]);
  const steps: Step[] = [];
  const verify = config.verifyChecksum && event.checksum ? event.checksum : undefined;
  if (config.verifyChecksum && !event.checksum) warnings.push('the event carries no VMCATCHER_EVENT_SL_CHECKSUM_SHA512: the file cannot be verified');
  // A conversion reads the whole file anyway: the checksum is computed alongside it.
  const converting = source.steps.length > 0 && source.steps[0].kind === 'convert';
  const listed = (event.vars.VMCATCHER_EVENT_HV_FORMAT || '').toLowerCase();
  if (listed && !obs.file.ovaMember && listed !== obs.file.info.format) {
    warnings.push(`the image list says format ${JSON.stringify(listed)}, but qemu-img finds ${obs.file.info.format}: trusting qemu-img`);
  }
  for (const st of source.steps) steps.push(st.kind === 'convert' && verify ? Object.assign({}, st, { expectedSha512: verify }) : st);
  // Checked after the hard link, through it: the bytes checked are the bytes oned copies.
  if (verify && !converting) steps.push({ kind: 'verify-checksum', file: source.path, expected: verify, cached: obs.file.path });

  const target: Target = current
    ? {
        uid: current.uid,
        gid: current.gid,
        mode: bitsToOctal(current.permissions),
        disabled: current.state === IMAGE_STATE.DISABLED,
        why: `carrying over image ${current.id}'s owner ${current.uname}, group ${current.gname}, mode ${bitsToOctal(current.permissions)}, ${current.state === IMAGE_STATE.DISABLED ? 'disabled' : 'enabled'}`,
      }
    : targetForNewImage(sel, obs, config, event.vars.VMCATCHER_EVENT_VO);

  // Names are unique per owner: refuse before changing anything when the name is held by an unrelated image.
  for (const uid of target.uid === obs.caller.uid ? [obs.caller.uid] : [obs.caller.uid, target.uid]) {
    const clash = nameClash(obs.images, uid, id, current ? current.id : undefined);
    if (clash) {
      if (clash.template[ATTR_IDENTIFIER] === id) {
        throw new OperationFailedError(
          `image ${clash.id} owned by ${clash.uname} is already named ${JSON.stringify(id)} but is not the handler's current image of ${id}: rename it, or make it the current image with \`vmcatcher_eventHndl_ON adopt ${id} ${clash.id}\`, then replay the event`,
        );
      }
      throw new OperationFailedError(
        `image ${clash.id} owned by ${clash.uname} is already named ${JSON.stringify(id)} but does not serve ${id} (no matching ${ATTR_IDENTIFIER}): rename it, then replay the event`,
      );
    }
  }

  let retiredName: string | undefined;
  if (current) {
    // A lock on MANAGE forbids the rename; an ADMIN lock lets the rotation through and parks the rest of the retirement.
    validateNotLocked(current, 2, id);
    retiredName = chooseRetiredName(config.retiredNamePattern, id, run.stamp, current, [current.uid, obs.retiredOwner.uid], obs.images);
    steps.push({ kind: 'rename', image: current.id, from: current.name, to: retiredName });
  }
  const template = templateFor(event, source.path, config, run.runId, warnings);
  steps.push({ kind: 'allocate', name: id, template, datastoreId: obs.datastore.id, runId: run.runId });
  steps.push({ kind: 'wait-ready', image: 'new', timeoutMs: config.readyTimeoutMs, path: source.path, datastore: obs.datastore.name });
  if (source.stagingDir) steps.push({ kind: 'remove-staging', dir: source.stagingDir });
  if (target.uid !== obs.caller.uid || target.gid !== obs.caller.gid) {
    steps.push(chownStep(obs, 'new', target, obs.caller));
  }
  // Always chmod: the mode oned gives a new image depends on the server's umask.
  steps.push({ kind: 'chmod', image: 'new', mode: target.mode, fromMode: '600' });
  if (target.disabled) steps.push({ kind: 'enable', image: 'new', enable: false, bestEffort: false });
  // The new image and the retirement enter the handler's record with the commit: a crash after the
  // allocate finishes the run, record included.
  steps.push(recordStep(id, obs, run, { current: 'new', how: 'registered', retire: current }));
  const commitIndex = steps.length;

  if (current && retiredName) {
    steps.push(...planRetire(current, obs, config, run, retiredStateOf(current)));
  }
  const summary = current
    ? `rotate ${id}: register the new version (${source.note}), give it ${target.why.replace(/^carrying over /, '')}; retire image ${current.id} as ${JSON.stringify(retiredName)}`
    : `register ${id} (${source.note}); ${target.why}`;
  return {
    identifier: id,
    action: current ? 'rotate' : 'register',
    summary,
    warnings,
    steps,
    commitIndex,
    stagingDir: source.stagingDir,
    runId: run.runId,
  };
}
