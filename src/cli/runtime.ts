// Wires the real parts together for a command: configuration, logger, the oned client, file tools.
import * as os from 'os';
import { readConfig } from '../config/read-config';
import { InvalidConfigError } from '../errors';
import type { Config } from '../config/config';
import type { Progress, Tools } from '../exec/context';
import { HookDeps, makeExecContext } from '../hook/deps';
import { spawnDrain } from './spawn-drain';
import { configuredLogger } from '../log/configured-logger';
import { createLogger, Logger, stderrSink } from '../log/logger';
import { secretsOfSession } from '../log/redact';
import { createOneClient } from '../one/client';
import { resolveEndpoint, resolveSession } from '../one/credentials';
import { resolveTls } from '../one/tls';
import type { OneApi } from '../one/types';
import { realTools } from './tools';
import { logProgress, ttyProgress } from './progress';

export interface CommonOptions {
  verbose?: boolean;
  quiet?: boolean;
  logFile?: string;
  logFormat?: string;
  config?: string;
  set?: string[];
  logConfigFile?: string;
  generator?: string;
}

export interface Runtime {
  readonly config: Config;
  readonly log: Logger;
  readonly deps: HookDeps;
}

/** Turns `--set KEY=VALUE` flags and the dedicated flags into settings by key. */
export function flagSettings(o: CommonOptions): Record<string, string> {
  const flags: Record<string, string> = {};
  for (const kv of o.set || []) {
    const eq = kv.indexOf('=');
    flags[eq > 0 ? kv.slice(0, eq) : kv] = eq > 0 ? kv.slice(eq + 1) : '';
  }
  if (o.logFile) flags.VMCHNDL_ON_LOG_FILE = o.logFile;
  if (o.logFormat) flags.VMCHNDL_ON_LOG_FORMAT = o.logFormat;
  if (o.verbose) flags.VMCHNDL_ON_LOG_LEVEL = 'debug';
  else if (o.quiet) flags.VMCHNDL_ON_LOG_LEVEL = 'warning';
  return flags;
}

// A wrong endpoint is reported with where it came from ($ONE_XMLRPC, ~/.one/one_endpoint, the setting).
function withEndpointSource<T>(source: string, make: () => T): T {
  try {
    return make();
  } catch (e) {
    if (!(e instanceof InvalidConfigError)) throw e;
    const from = source === 'configuration' ? 'VMCHNDL_ON_ENDPOINT' : source;
    throw new InvalidConfigError(e.problems.map((p) => (/^endpoint /.test(p) ? `${p} (from ${from})` : p)));
  }
}

// The auth file and the setting or variable that named it.
function authSource(file: string, configured: string | undefined, env: NodeJS.ProcessEnv): string {
  if (configured) return `${file} (VMCHNDL_ON_AUTH_FILE)`;
  if (env.ONE_AUTH === file) return `${file} ($ONE_AUTH)`;
  return file;
}

/** A logger before the configuration is known (for configuration errors themselves). */
export function bootstrapLogger(o: CommonOptions): Logger {
  return createLogger({ level: o.verbose ? 'debug' : o.quiet ? 'warning' : 'info', format: o.logFormat === 'json' ? 'json' : 'text', sink: stderrSink() });
}

/** Builds everything a command needs; oned is only contacted when a command first uses it. */
export function makeRuntime(o: CommonOptions, env: NodeJS.ProcessEnv, interactive: boolean): Runtime {
  const loaded = readConfig({ file: o.config, env, flags: flagSettings(o) });
  const config = loaded.config;
  const log = configuredLogger(config);
  for (const w of loaded.warnings) log.warn('config', w);
  if (o.logConfigFile) log.debug('config', `--log-config-file ${o.logConfigFile}: accepted for compatibility with 0.0.8; use --log-file, VMCHNDL_ON_LOG_LEVEL and VMCHNDL_ON_LOG_FORMAT`);
  if (o.generator) log.debug('config', `--generator ${o.generator}: accepted for compatibility with 0.0.8, not used`);

  const home = env.HOME || os.homedir();
  let session: { session: string; user: string; source: string } | undefined;
  const getSession = () => {
    if (!session) {
      const s = resolveSession({ explicit: config.authFile, env, home });
      for (const w of s.warnings) log.warn('auth', w);
      log.addSecrets(secretsOfSession(s.session));
      session = { session: s.session, user: s.session.slice(0, s.session.indexOf(':')), source: s.source };
    }
    return session;
  };
  let client: OneApi | undefined;
  const one = () => {
    if (!client) {
      const ep = resolveEndpoint({ explicit: config.endpoint, env, home });
      const tls = resolveTls(env);
      log.debug('one', `oned endpoint ${ep.endpoint} (from ${ep.source})`);
      client = withEndpointSource(ep.source, () => createOneClient({
        endpoint: ep.endpoint,
        endpointSource: ep.source === 'configuration' ? 'VMCHNDL_ON_ENDPOINT' : ep.source === 'default' ? undefined : ep.source,
        session: getSession().session,
        credentials: { user: getSession().user, source: authSource(getSession().source, config.authFile, env) },
        timeoutMs: config.callTimeoutMs,
        caFile: config.caFile,
        caDir: config.caDir || tls.caDir,
        insecure: config.insecure || tls.insecure,
        onCall: (method, ms, ok) => log.debug('one', `${method} ${ok ? 'ok' : 'failed'} in ${ms} ms`),
      }));
    }
    return client;
  };
  const now = () => Date.now();
  const logP = logProgress(log, now);
  const bar = interactive && process.stderr.isTTY && !config.logFile ? ttyProgress(process.stderr, !env.NO_COLOR) : undefined;
  const progress: Progress = bar
    ? (what, pct, detail) => {
        bar(what, pct, detail);
        if (pct === undefined || pct >= 100) logP(what, pct, detail);
      }
    : logP;
  const tools: Tools = realTools(config.qemuImg);
  const base = {
    config,
    log,
    env,
    one,
    sessionUser: () => getSession().user,
    tools,
    now,
    sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)),
    progress,
  };
  const deps: HookDeps = Object.assign({}, base, {
    exec: () => makeExecContext(base),
    spawnDrain: () => spawnDrain(o, env, log),
  });
  return { config, log, deps };
}
