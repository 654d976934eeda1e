// The default command: handle the event vmcatcher passes in the environment (also `plan` / --dry-run).
import { EXIT, exitCodeFor, InvalidArgumentError, InvalidConfigError, VmcError } from '../../errors';
import { parseEvent } from '../../event/parse-event';
import { handleEvent } from '../../hook/handle-event';
import { keepDespiteConfig } from '../../hook/keep-event';
import { formatPlanText, hookResultView } from '../../status/plan-view';
import { Io, reportError } from '../io';
import { bootstrapLogger, CommonOptions, flagSettings, makeRuntime, Runtime } from '../runtime';

/** Runs the hook; with dryRun it only observes and prints the plan (on stdout with planOnStdout, as `plan` does). */
export async function runHook(o: CommonOptions & { dryRun?: boolean; json?: boolean; planOnStdout?: boolean }, io: Io): Promise<number> {
  let log = bootstrapLogger(o);
  try {
    let rt: Runtime;
    try {
      rt = makeRuntime(o, io.env, io.interactive);
    } catch (e) {
      // vmcatcher sends each event once: a settings typo must not lose it.
      if (e instanceof InvalidConfigError && !o.dryRun) throw keepDespiteConfig(e, { file: o.config, env: io.env, flags: flagSettings(o) }, io.cwd, log);
      throw e;
    }
    log = rt.log;
    if (o.planOnStdout && !io.env.VMCATCHER_EVENT_TYPE) {
      throw new InvalidArgumentError('plan: no event in the environment (VMCATCHER_EVENT_TYPE is not set): give a saved event with --env-file FILE, or see `replay --dry-run`');
    }
    const event = parseEvent(io.env, io.cwd);
    // Every record of this event carries its identifier and type (JSON log fields).
    if (event.identifier) log = log.with({ identifier: event.identifier, event: event.type });
    const res = await handleEvent(event, Object.assign({}, rt.deps, { log }), Boolean(o.dryRun), Boolean(o.planOnStdout) && !o.json);
    if (o.json) io.stdout(JSON.stringify(hookResultView(res), null, 2) + '\n');
    else if (o.planOnStdout) io.stdout(res.plan ? formatPlanText(res.plan) : `${event.type}${event.identifier ? ` for ${event.identifier}` : ''}: nothing to plan (${res.outcome})\n`);
    return EXIT.OK;
  } catch (e) {
    // A script asking for the plan as data gets the refusal as data too (the log still says it on stderr).
    if (o.json && o.dryRun) io.stdout(JSON.stringify({ error: errorView(e) }, null, 2) + '\n');
    return reportError(e, log);
  }
}

/** An error as data: its code, message and (for a configuration error) each problem. */
export function errorView(e: unknown): { code: string; exitCode: number; message: string; problems?: readonly string[] } {
  const code = e instanceof VmcError ? e.code : 'INTERNAL';
  const message = e instanceof Error ? e.message : String(e);
  const view = { code, exitCode: exitCodeFor(e), message };
  return e instanceof InvalidConfigError ? Object.assign(view, { problems: e.problems }) : view;
}
