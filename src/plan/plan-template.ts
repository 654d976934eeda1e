// The VM template steps of a plan (VMCHNDL_ON_TEMPLATE): create the appliance's template with its first
// image, point it at each new version, retire it with the image, bring it back on re-endorsement. Pure.
import { ATTR_IDENTIFIER, ATTR_RETIRED, ATTR_RETIRED_FROM_GID, ATTR_RETIRED_FROM_MODE } from '../attributes';
import type { Config } from '../config/config';
import type { ImageEvent } from '../event/parse-event';
import { bitsToOctal } from '../one/permissions';
import type { ImageRecord, TemplateAttrs, VmTemplateRecord } from '../one/types';
import { ApplianceFacts, buildApplianceTemplate, chooseTemplateName, versionAttrs } from '../template/appliance-template';
import { chooseImages } from './choose-images';
import { adminUids } from './plan-record';
import type { ImageRef, Observed, ObservedTemplates, Plan, RunContext, Step } from './types';

/** The group and mode a template gets: its image's. */
export interface TemplateTarget {
  readonly gid: number;
  readonly mode: string;
}

/** The appliance's facts from event variables (or the VMCATCHER_EVENT_* attributes an image carries). */
export function applianceFacts(identifier: string, vars: Readonly<Record<string, string>>): ApplianceFacts {
  return {
    identifier,
    title: vars.VMCATCHER_EVENT_DC_TITLE,
    description: vars.VMCATCHER_EVENT_DC_DESCRIPTION,
    version: vars.VMCATCHER_EVENT_HV_VERSION,
    mpuri: vars.VMCATCHER_EVENT_AD_MPURI,
    arch: vars.VMCATCHER_EVENT_SL_ARCH,
    vo: vars.VMCATCHER_EVENT_VO,
  };
}

/** The group and mode the plan gives its new image (its chown and chmod steps), VO mapping and restores included. */
export function newImageTarget(p: Plan, obs: Observed, config: Config): TemplateTarget {
  let gid = obs.caller.gid;
  let mode = config.newMode;
  for (const s of p.steps) {
    if (s.kind === 'chown' && s.image === 'new') gid = s.gid;
    if (s.kind === 'chmod' && s.image === 'new') mode = s.mode;
  }
  return { gid, mode };
}

/** The steps that create the appliance's template using `disk`, with the target's group and mode. */
export function createTemplateSteps(facts: ApplianceFacts, disk: ImageRef, target: TemplateTarget, obs: Observed, t: ObservedTemplates, config: Config, run: RunContext, warnings: string[]): Step[] {
  const replaces = obs.record && obs.record.template;
  const id = facts.identifier;
  if (t.sizingNote) warnings.push(t.sizingNote);
  const taken = t.pool.filter((x) => x.uid === obs.caller.uid).map((x) => x.name);
  const name = chooseTemplateName(facts, taken);
  const nodes = buildApplianceTemplate({
    facts,
    name,
    memory: t.sizing.memory !== undefined ? t.sizing.memory : config.templateMemory,
    cpu: t.sizing.cpu !== undefined ? t.sizing.cpu : config.templateCpu,
    runId: run.runId,
    site: t.site,
  });
  const base = { identifier: id, runId: run.runId };
  const steps: Step[] = [Object.assign({ kind: 'template-allocate' as const, name, nodes, disk }, replaces ? { replaces } : {}, base)];
  if (target.gid !== obs.caller.gid) steps.push(Object.assign({ kind: 'template-chown' as const, template: 'new' as const, gid: target.gid, fromGid: obs.caller.gid }, base));
  // Always: the mode oned gives a new template depends on its umask.
  steps.push(Object.assign({ kind: 'template-chmod' as const, template: 'new' as const, mode: target.mode, fromMode: '600' }, base));
  return steps;
}

function before(live: VmTemplateRecord, set: TemplateAttrs): TemplateAttrs {
  const out: Record<string, string> = {};
  for (const k of Object.keys(set)) out[k] = live.template[k] || '';
  return out;
}

/** The steps that make a live template use `disk`, carry these facts' version and have the target's group and mode. */
export function serveTemplateSteps(live: VmTemplateRecord, facts: ApplianceFacts, disk: ImageRef | undefined, from: readonly number[], target: TemplateTarget, run: RunContext): Step[] {
  const base = { identifier: facts.identifier, runId: run.runId, template: live.id };
  const set: Record<string, string> = versionAttrs(facts);
  for (const k of Object.keys(set)) if ((live.template[k] || '') === set[k]) delete set[k];
  if (live.template[ATTR_RETIRED]) set[ATTR_RETIRED] = '';
  const steps: Step[] = [];
  if (disk !== undefined || Object.keys(set).length) {
    steps.push(Object.assign({ kind: 'template-update' as const, disk, from: from.slice(), set, before: before(live, set) }, base));
  }
  if (live.gid !== target.gid) steps.push(Object.assign({ kind: 'template-chown' as const, gid: target.gid, fromGid: live.gid }, base));
  const mode = bitsToOctal(live.permissions);
  if (mode !== target.mode) steps.push(Object.assign({ kind: 'template-chmod' as const, mode: target.mode, fromMode: mode }, base));
  return steps;
}

/** The steps that retire a live template: marked with what it had, then the retired group and mode. Never deleted. */
export function retireTemplateSteps(live: VmTemplateRecord, obs: Observed, config: Config, run: RunContext, identifier: string): Step[] {
  if (live.template[ATTR_RETIRED]) return [];
  const base = { identifier, runId: run.runId, template: live.id };
  const mode = bitsToOctal(live.permissions);
  const set = { [ATTR_RETIRED]: new Date(run.now).toISOString(), [ATTR_RETIRED_FROM_GID]: String(live.gid), [ATTR_RETIRED_FROM_MODE]: mode };
  const steps: Step[] = [Object.assign({ kind: 'template-update' as const, from: [] as number[], set, before: before(live, set) }, base)];
  if (live.gid !== obs.retiredOwner.gid) steps.push(Object.assign({ kind: 'template-chown' as const, gid: obs.retiredOwner.gid, fromGid: live.gid }, base));
  if (mode !== config.retiredMode) steps.push(Object.assign({ kind: 'template-chmod' as const, mode: config.retiredMode, fromMode: mode }, base));
  return steps;
}

/** The recorded template of the identifier and oned's view of it (undefined: deleted by an admin). */
export function recordedTemplate(obs: Observed, t: ObservedTemplates): { id?: number; live?: VmTemplateRecord } {
  const rec = obs.record && obs.record.template;
  if (!rec) return {};
  return { id: rec.id, live: t.pool.filter((x) => x.id === rec.id)[0] };
}

/** Templates that carry the identifier but are not the handler's recorded one. */
export function lookAlikeTemplates(t: ObservedTemplates, identifier: string, recordedId: number | undefined): VmTemplateRecord[] {
  return t.pool.filter((x) => x.template[ATTR_IDENTIFIER] === identifier && x.id !== recordedId);
}

function currentOf(obs: Observed, identifier: string, config: Config): ImageRecord | undefined {
  return chooseImages(obs.images, identifier, config.retiredNamePattern, { record: obs.record, recordsSince: obs.recordsSince, adminUids: adminUids(obs) }).current;
}

/** Adds the template steps to an event's plan (after its commit: rolled forward). Pure; the plan as it is when the setting is off. */
export function planTemplateSteps(event: ImageEvent, obs: Observed, config: Config, run: RunContext, p: Plan): Plan {
  const t = obs.templates;
  if (!config.template || !t) return p;
  const id = event.identifier;
  const warnings: string[] = [];
  const facts = applianceFacts(id, event.vars);
  const rec = recordedTemplate(obs, t);
  const registers = p.steps.some((s) => s.kind === 'allocate');
  const current = currentOf(obs, id, config);
  let steps: Step[] = [];
  let what = '';
  if (rec.id !== undefined && !rec.live) {
    if (registers || current) {
      warnings.push(
        `VM template ${rec.id} of ${id} no longer exists (deleted by an administrator?): it is not made again behind their back; \`vmcatcher_eventHndl_ON template ${id}\` creates it anew`,
      );
    }
  } else if (rec.live && rec.live.lock) {
    warnings.push(`VM template ${rec.live.id} of ${id} is locked (one.template.lock): left as it is; unlock it, then \`vmcatcher_eventHndl_ON template ${id}\` brings it up to date`);
  } else if (rec.live) {
    if (registers) {
      const from = (current ? [current.id] : []).concat(obs.record ? obs.record.retired.map((r) => r.id) : []);
      steps = serveTemplateSteps(rec.live, facts, 'new', from, newImageTarget(p, obs, config), run);
      what = `point VM template ${rec.live.id} at the new image`;
    } else if (p.action === 'retire') {
      steps = retireTemplateSteps(rec.live, obs, config, run, id);
      if (steps.length) what = `retire VM template ${rec.live.id}`;
    }
  } else if (registers || (current && p.action === 'nothing')) {
    const others = lookAlikeTemplates(t, id, undefined);
    if (others.length) {
      warnings.push(
        `VM template${others.length > 1 ? 's' : ''} ${others.map((x) => `${x.id} (${JSON.stringify(x.name)}, owner ${x.uname})`).join(', ')} carr${others.length > 1 ? 'y' : 'ies'} ${ATTR_IDENTIFIER}=${id} but ${others.length > 1 ? 'are' : 'is'} not in the handler's record: no other template is created; \`vmcatcher_eventHndl_ON template ${id}\` creates the handler's own`,
      );
    } else if (registers) {
      steps = createTemplateSteps(facts, 'new', newImageTarget(p, obs, config), obs, t, config, run, warnings);
      what = 'create its VM template';
    } else if (current) {
      steps = createTemplateSteps(facts, current.id, { gid: current.gid, mode: bitsToOctal(current.permissions) }, obs, t, config, run, warnings);
      what = `create a VM template for image ${current.id}`;
    }
  }
  if (!steps.length && !warnings.length) return p;
  return Object.assign({}, p, {
    steps: p.steps.concat(steps),
    warnings: p.warnings.concat(warnings),
    summary: what ? `${p.summary}; ${what}` : p.summary,
  });
}
