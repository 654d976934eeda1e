// Queue mode: start `drain` detached, so that vmcatcher gets its answer at once.
import { spawn } from 'child_process';
import type { Logger } from '../log/logger';
import type { CommonOptions } from './runtime';

/** Starts this same program with `drain` in the background (no shell; settings via the environment). */
export function spawnDrain(o: CommonOptions, env: NodeJS.ProcessEnv, log: Logger): void {
  const args = [process.argv[1], 'drain'];
  if (o.config) args.push('--config', o.config);
  for (const kv of o.set || []) args.push('--set', kv);
  if (o.logFile) args.push('--log-file', o.logFile);
  try {
    const child = spawn(process.execPath, args, { detached: true, stdio: 'ignore', env });
    child.on('error', (e) => log.error('spool', `could not start drain: ${e.message}`));
    child.unref();
    log.info('spool', `started drain in the background (pid ${child.pid})`);
  } catch (e) {
    log.error('spool', `could not start drain: ${(e as Error).message}; the event stays queued for the next drain`);
  }
}
