// `config`: the effective settings and where each came from (file:line, environment, -s, default),
// plus where oned and the credentials are found. Secrets are masked. Reads only; contacts nothing.
import * as fs from 'fs';
import * as os from 'os';
import { parseConfigText } from '../../config/parse-file';
import { readConfig } from '../../config/read-config';
import { SETTINGS } from '../../config/settings';
import { EXIT } from '../../errors';
import { resolveEndpoint, resolveSession } from '../../one/credentials';
import { Io, reportError } from '../io';
import { bootstrapLogger, CommonOptions, flagSettings } from '../runtime';
import { formatTable } from '../table';

export interface SettingView {
  readonly key: string;
  /** null: unset. */
  readonly value: string | null;
  readonly default: string | null;
  /** `<file>:<line>`, `environment`, `-s`, `--log-file` (a dedicated flag), or `default`. */
  readonly from: string;
}

// user:password@ in a URL is a secret too.
function maskUrl(u: string): string {
  return u.replace(/^(\w+:\/\/)[^/@]*@/, '$1***@');
}

/** The settings with their origins; the derived endpoint and credentials (password masked). */
export function describeConfig(o: CommonOptions, env: NodeJS.ProcessEnv) {
  const flags = flagSettings(o);
  const loaded = readConfig({ file: o.config, env, flags });
  const fileValues = loaded.file ? parseConfigText(fs.readFileSync(loaded.file, 'utf8'), loaded.file).values : {};
  // flagSettings lets the dedicated flags override -s.
  const dedicated: Record<string, string | undefined> = {
    VMCHNDL_ON_LOG_FILE: o.logFile ? '--log-file' : undefined,
    VMCHNDL_ON_LOG_FORMAT: o.logFormat ? '--log-format' : undefined,
    VMCHNDL_ON_LOG_LEVEL: o.verbose ? '--verbose' : o.quiet ? '--quiet' : undefined,
  };
  const settings: SettingView[] = SETTINGS.map((s) => {
    const origin = loaded.origins[s.key];
    let value: string | undefined = s.default;
    let from = 'default';
    if (origin === 'command line') {
      value = flags[s.key];
      from = dedicated[s.key] || '-s';
    } else if (origin === 'environment') {
      value = env[s.key];
      from = 'environment';
    } else if (origin) {
      value = fileValues[s.key];
      from = origin;
    }
    if (s.key === 'VMCHNDL_ON_ENDPOINT' && value) value = maskUrl(value);
    return { key: s.key, value: value === undefined || value === '' ? null : value, default: s.default === undefined ? null : s.default, from };
  });
  const home = env.HOME || os.homedir();
  let endpoint: { value: string | null; from: string };
  try {
    const ep = resolveEndpoint({ explicit: loaded.config.endpoint, env, home });
    endpoint = { value: maskUrl(ep.endpoint), from: ep.source === 'configuration' ? 'VMCHNDL_ON_ENDPOINT' : ep.source };
  } catch (e) {
    endpoint = { value: null, from: (e as Error).message.replace(/^invalid configuration:\s*/, '') };
  }
  let credentials: { user: string | null; from: string };
  try {
    const s = resolveSession({ explicit: loaded.config.authFile, env, home });
    credentials = { user: s.session.slice(0, s.session.indexOf(':')), from: s.source };
  } catch (e) {
    credentials = { user: null, from: (e as Error).message.replace(/^invalid configuration:\s*/, '') };
  }
  return { file: loaded.file || null, settings, endpoint, credentials, warnings: loaded.warnings };
}

/** Prints the effective settings and their origins. */
export async function runConfig(o: CommonOptions & { json?: boolean }, io: Io): Promise<number> {
  const log = bootstrapLogger(o);
  try {
    const c = describeConfig(o, io.env);
    for (const w of c.warnings) log.warn('config', w);
    if (o.json) {
      io.stdout(JSON.stringify({ file: c.file, settings: c.settings, endpoint: c.endpoint, credentials: c.credentials }, null, 2) + '\n');
      return EXIT.OK;
    }
    let out = `settings file: ${c.file || '(none read)'}\n`;
    out += formatTable(['KEY', 'VALUE', 'FROM'], c.settings.map((s) => [s.key, s.value === null ? '(unset)' : s.value, s.from]));
    out += `oned endpoint: ${c.endpoint.value || '(none)'} (from ${c.endpoint.from})\n`;
    out += `credentials: ${c.credentials.user ? `${c.credentials.user}:*** (from ${c.credentials.from})` : `none: ${c.credentials.from}`}\n`;
    io.stdout(out);
    return EXIT.OK;
  } catch (e) {
    return reportError(e, log);
  }
}
