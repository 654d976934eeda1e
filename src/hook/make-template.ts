// `template <identifier>`: the admin asks for the appliance's VM template. Under the identifier's lock,
// after finishing an interrupted run, it is created (or repaired) by a journalled plan like an event's.
import { formatRetiredStamp } from '../clock/retired-stamp';
import { InvalidConfigError } from '../errors';
import { lockIdentifier } from './identifier-lock';
import { executePlan, Outcome } from '../exec/executor';
import { observeOne } from '../observe/observe-one';
import { observeTemplates } from '../observe/observe-templates';
import { planTemplateCommand } from '../plan/plan-template-command';
import type { Observed, Plan } from '../plan/types';
import { ATTR_IDENTIFIER, ATTR_RUN } from '../attributes';
import { readBaseline, readRecord, writeRecord } from '../record/record';
import type { HookDeps } from './deps';
import { logPlan, recoverIdentifier } from './plan-event';
import { newRunId } from './run-id';

/** Observes and plans the template command for an identifier. Changes nothing. */
async function planFor(identifier: string, deps: HookDeps, cacheDir: string | undefined): Promise<Plan> {
  const one = deps.one();
  const seen = await observeOne(one, deps.config, deps.sessionUser());
  const record = readRecord(deps.config.stateDir, identifier);
  const baseline = readBaseline(deps.config.stateDir);
  const templates = await observeTemplates(one, deps.config, identifier, cacheDir);
  const obs: Observed = Object.assign({}, seen, { record, recordsSince: baseline === undefined ? undefined : Math.floor(baseline / 1000), templates });
  const now = deps.now();
  return planTemplateCommand(identifier, obs, deps.config, { runId: newRunId(now), now, stamp: formatRetiredStamp(now, deps.env.TZ) });
}

/**
 * Where the record names no template (a lost state directory) but exactly one template of the handler's
 * user carries the identifier and a run marker (a run of this handler made it), the record takes it on
 * instead of a second template being made.
 */
async function takeOnTemplate(identifier: string, deps: HookDeps): Promise<void> {
  const rec = readRecord(deps.config.stateDir, identifier);
  if (!rec || rec.template) return;
  const me = await deps.one().userInfo(-1);
  const ours = (await deps.one().templatePool()).filter((t) => t.uid === me.id && t.template[ATTR_IDENTIFIER] === identifier && t.template[ATTR_RUN]);
  if (ours.length !== 1) return;
  writeRecord(deps.config.stateDir, identifier, Object.assign({}, rec, { template: { id: ours[0].id, at: new Date(deps.now()).toISOString() } }));
  deps.log.warn('template', `VM template ${ours[0].id} (${JSON.stringify(ours[0].name)}) carries ${ATTR_IDENTIFIER}=${identifier} and was made by this handler: recorded as the template of ${identifier}`);
}

/** Creates or repairs the identifier's VM template (dryRun: only plans it). */
export async function makeTemplate(identifier: string, deps: HookDeps, opts: { dryRun: boolean; cacheDir?: string }): Promise<{ plan: Plan; outcome: Outcome | 'planned' | 'nothing' }> {
  if (!deps.config.template) {
    throw new InvalidConfigError([`VMCHNDL_ON_TEMPLATE: is no: set it to yes so that the handler keeps the VM template it makes up to date, then run \`template ${identifier}\` again`]);
  }
  if (opts.dryRun) {
    const p = await planFor(identifier, deps, opts.cacheDir);
    logPlan(p, deps.log, 'debug');
    return { plan: p, outcome: 'planned' };
  }
  const lock = await lockIdentifier(identifier, deps);
  try {
    // An interrupted run ends first: it may be about to create or change this very template.
    await recoverIdentifier(identifier, deps);
    await takeOnTemplate(identifier, deps);
    const p = await planFor(identifier, deps, opts.cacheDir);
    logPlan(p, deps.log);
    if (!p.steps.length) return { plan: p, outcome: 'nothing' };
    return { plan: p, outcome: await executePlan(p, 'template', deps.exec()) };
  } finally {
    lock.release();
  }
}
