// `template <identifier>`: create (or repair) the appliance's VM template on the admin's request.
import { EXIT, InvalidArgumentError } from '../../errors';
import { isUsableIdentifier } from '../../event/parse-event';
import { requireStateDir } from '../../files/state-dir';
import { makeTemplate } from '../../hook/make-template';
import { readRecord } from '../../record/record';
import { formatPlanText, planView } from '../../status/plan-view';
import { Io, reportError } from '../io';
import { bootstrapLogger, CommonOptions, makeRuntime } from '../runtime';
import { errorView } from './hook';

/** Creates or repairs the identifier's VM template; --dry-run prints the plan only. */
export async function runTemplate(o: CommonOptions & { dryRun?: boolean; json?: boolean; cacheDir?: string }, identifier: string, io: Io): Promise<number> {
  let log = bootstrapLogger(o);
  try {
    if (!isUsableIdentifier(identifier)) throw new InvalidArgumentError(`template: ${JSON.stringify(identifier)} is not a usable identifier`);
    const rt = makeRuntime(o, io.env, io.interactive);
    log = rt.log;
    requireStateDir(rt.config.stateDir, o.dryRun ? 'read' : 'write');
    const res = await makeTemplate(identifier, rt.deps, { dryRun: Boolean(o.dryRun), cacheDir: o.cacheDir || io.env.VMCATCHER_CACHE_DIR_CACHE || undefined });
    const rec = readRecord(rt.config.stateDir, identifier);
    const template = rec && rec.template ? rec.template.id : null;
    if (o.dryRun) io.stdout(o.json ? JSON.stringify(planView(res.plan), null, 2) + '\n' : formatPlanText(res.plan));
    else {
      if (o.json) io.stdout(JSON.stringify({ identifier, template, outcome: res.outcome, summary: res.plan.summary }, null, 2) + '\n');
      log.info('template', res.outcome === 'nothing' ? res.plan.summary : `done: ${res.plan.summary}${template !== null ? ` (VM template ${template})` : ''}`);
    }
    return EXIT.OK;
  } catch (e) {
    if (o.json) io.stdout(JSON.stringify({ error: errorView(e) }, null, 2) + '\n');
    return reportError(e, log);
  }
}
