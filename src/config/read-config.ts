// Reads the configuration from its three sources: the file, the environment and flags (highest).
import { readFileSync } from 'fs';
import { InvalidConfigError } from '../errors';
import { Config, normalizeConfig, parseStateDir } from './config';
import { parseConfigText } from './parse-file';
import { suggestName } from '../suggest';
import { DEFAULT_CONFIG_FILE, RawConfig, SETTING_PREFIX, SETTINGS, settingByKey } from './settings';

export interface ConfigSources {
  /** The file named by a flag; when set it must exist. */
  file?: string;
  env: NodeJS.ProcessEnv;
  /** Settings given on the command line, by key. */
  flags: Record<string, string>;
}

export interface LoadedConfig {
  config: Readonly<Config>;
  file?: string;
  warnings: string[];
  /** Where each setting's value came from, by key: `file:line`, `environment` or `command line`; absent = default. */
  origins: Record<string, string>;
}

interface Gathered {
  raw: RawConfig;
  problems: string[];
  warnings: string[];
  fileName: string;
  text?: string;
  origins: Record<string, string>;
}

// "; did you mean VMCHNDL_ON_DATASTORE?" for a mistyped key (compared without the common prefix).
function didYouMean(key: string): string {
  const short = (k: string) => (k.indexOf(SETTING_PREFIX) === 0 ? k.slice(SETTING_PREFIX.length) : k);
  const known = SETTINGS.map((s) => short(s.key).toLowerCase());
  const hint = suggestName(short(key).toLowerCase(), known);
  return hint ? `; did you mean ${SETTING_PREFIX}${hint.toUpperCase()}?` : '';
}

// The settings as written, from the file, the environment and flags, with the problems found reading them.
function gather(src: ConfigSources): Gathered {
  const problems: string[] = [];
  const warnings: string[] = [];
  const raw: RawConfig = {};
  const origins: Record<string, string> = {};
  const fileName = src.file || src.env.VMCHNDL_ON_CONFIG || DEFAULT_CONFIG_FILE;
  const explicit = Boolean(src.file || src.env.VMCHNDL_ON_CONFIG);
  let text: string | undefined;
  try {
    text = readFileSync(fileName, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (explicit || code !== 'ENOENT') problems.push(`${fileName}: cannot read the configuration file (${code || String(e)})`);
  }
  const apply = (values: Record<string, string>, where: string, strict: boolean, origin: (key: string) => string = () => where) => {
    for (const key of Object.keys(values)) {
      const s = settingByKey(key);
      if (s) {
        raw[s.field] = values[key];
        origins[key] = origin(key);
      }
      else if (strict) problems.push(`${key}: unknown setting (${origin(key)}${didYouMean(key)})`);
      else if (key.indexOf(SETTING_PREFIX) === 0 && key !== 'VMCHNDL_ON_CONFIG') warnings.push(`${key}: unknown setting in the environment, ignored${didYouMean(key).replace(/^;/, ' —')}`);
    }
  };
  if (text !== undefined) {
    const parsed = parseConfigText(text, fileName);
    problems.push(...parsed.problems);
    apply(parsed.values, fileName, true, (key) => `${fileName}:${parsed.lines[key]}`);
  }
  const envValues: Record<string, string> = {};
  for (const key of Object.keys(src.env)) {
    const v = src.env[key];
    if (key.indexOf(SETTING_PREFIX) === 0 && v !== undefined) envValues[key] = v;
  }
  apply(envValues, 'environment', false);
  apply(src.flags, 'command line', true);
  return { raw, problems, warnings, fileName, text, origins };
}

/** Loads and validates the configuration; throws InvalidConfigError listing every problem. */
export function readConfig(src: ConfigSources): LoadedConfig {
  const { raw, problems, warnings, fileName, text, origins } = gather(src);
  try {
    const config = normalizeConfig(raw);
    if (problems.length) throw new InvalidConfigError(problems);
    return { config, file: text !== undefined ? fileName : undefined, warnings, origins };
  } catch (e) {
    if (e instanceof InvalidConfigError) throw new InvalidConfigError(problems.concat(e.problems.filter((p) => problems.indexOf(p) < 0)));
    throw e;
  }
}

/**
 * The state directory even when the rest of the configuration is invalid: its own setting when that
 * is valid, else the default. An event is kept there while the administrator fixes the configuration.
 */
export function readStateDirAnyway(src: ConfigSources): string {
  return parseStateDir(gather(src).raw.stateDir);
}
