// The default command: handle the event vmcatcher passes in the environment (also `plan` / --dry-run).
import { EXIT } from '../../errors';
import { parseEvent } from '../../event/parse-event';
import { handleEvent } from '../../hook/handle-event';
import { hookResultView } from '../../status/plan-view';
import { Io, reportError } from '../io';
import { bootstrapLogger, CommonOptions, makeRuntime } from '../runtime';

/** Runs the hook; with dryRun it only observes and prints the plan. */
export async function runHook(o: CommonOptions & { dryRun?: boolean; json?: boolean }, io: Io): Promise<number> {
  let log = bootstrapLogger(o);
  try {
    const rt = makeRuntime(o, io.env, io.interactive);
    log = rt.log;
    const event = parseEvent(io.env, io.cwd);
    const res = await handleEvent(event, rt.deps, Boolean(o.dryRun));
    if (o.json) io.stdout(JSON.stringify(hookResultView(res), null, 2) + '\n');
    return EXIT.OK;
  } catch (e) {
    return reportError(e, log);
  }
}
