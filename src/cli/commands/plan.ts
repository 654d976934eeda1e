// `plan [identifier]`: the hook's dry run, printed on stdout; the event from the environment or a saved one.
import { InvalidArgumentError } from '../../errors';
import { Io, reportError } from '../io';
import { bootstrapLogger, CommonOptions } from '../runtime';
import { runHook } from './hook';
import { runReplay } from './replay';

/** Plans the event in the environment, or the saved one of --env-file. */
export async function runPlan(o: CommonOptions & { envFile?: string; cacheDir?: string; json?: boolean }, identifier: string | undefined, io: Io): Promise<number> {
  const opts = Object.assign({}, o, { dryRun: true, planOnStdout: true });
  if (o.envFile) return runReplay(opts, identifier, io);
  if (identifier || o.cacheDir) {
    const what = identifier ? `an identifier (${JSON.stringify(identifier)})` : '--cache-dir';
    return reportError(new InvalidArgumentError(`plan: ${what} goes with --env-file; without it the event comes from the environment (for an image in vmcatcher's cache: replay --dry-run)`), bootstrapLogger(o));
  }
  return runHook(opts, io);
}
