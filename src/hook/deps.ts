// What handling an event needs from the outside world, passed in.
import type { Config } from '../config/config';
import type { ExecContext, Progress, Tools } from '../exec/context';
import type { Logger } from '../log/logger';
import type { OneApi } from '../one/types';

export interface HookDeps {
  readonly config: Config;
  readonly log: Logger;
  readonly env: NodeJS.ProcessEnv;
  /** Opens the connection to oned only when an event needs it. */
  readonly one: () => OneApi;
  readonly sessionUser: () => string;
  readonly tools: Tools;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly progress: Progress;
  /** A fresh executor context for one run. */
  readonly exec: () => ExecContext;
  /** Starts `drain` in the background (queue mode with VMCHNDL_ON_QUEUE_SPAWN). */
  readonly spawnDrain: () => void;
}

/** The executor's context built from the deps. */
export function makeExecContext(deps: Omit<HookDeps, 'exec' | 'spawnDrain'>): ExecContext {
  return {
    one: deps.one(),
    tools: deps.tools,
    log: deps.log,
    config: deps.config,
    now: deps.now,
    sleep: deps.sleep,
    progress: deps.progress,
    pollMs: deps.config.pollIntervalMs,
    maxPollMs: Math.max(deps.config.pollIntervalMs, 30000),
  };
}
