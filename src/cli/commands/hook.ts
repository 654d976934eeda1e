// The default command: handle the event vmcatcher passes in the environment (also `plan` / --dry-run).
import { EXIT, InvalidConfigError } from '../../errors';
import { parseEvent } from '../../event/parse-event';
import { handleEvent } from '../../hook/handle-event';
import { keepDespiteConfig } from '../../hook/keep-event';
import { hookResultView } from '../../status/plan-view';
import { Io, reportError } from '../io';
import { bootstrapLogger, CommonOptions, flagSettings, makeRuntime, Runtime } from '../runtime';

/** Runs the hook; with dryRun it only observes and plans. */
export async function runHook(o: CommonOptions & { dryRun?: boolean; json?: boolean }, io: Io): Promise<number> {
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
    const event = parseEvent(io.env, io.cwd);
    const res = await handleEvent(event, rt.deps, Boolean(o.dryRun));
    if (o.json) io.stdout(JSON.stringify(hookResultView(res), null, 2) + '\n');
    return EXIT.OK;
  } catch (e) {
    return reportError(e, log);
  }
}
