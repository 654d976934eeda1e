// The configuration: written shape (file, environment, flags) → normalised Readonly<Config> → cross-field checks.
//
// The values are checked by the small parsers below rather than a zod schema: the configuration is
// read for every event vmcatcher sends, most of which need nothing else, and evaluating zod alone
// would cost such an event a third of its time (bench/RESULTS.md, start-up).
import { isAbsolute, normalize } from 'path';
import { InvalidConfigError } from '../errors';
import { RawConfig, SETTINGS } from './settings';

/** A value that is not what its setting expects; the message says what was expected. */
class Rejected {
  constructor(readonly message: string) {}
}

type Parse<T> = (value: string | undefined) => T;

function required(value: string | undefined): string {
  if (value === undefined) throw new Rejected('must be set');
  return value;
}

// A value used as written (a name, a path, a program) must not carry blanks it would be used with.
function noSurroundingBlanks(s: string): string {
  if (s.trim() !== s) throw new Rejected('has leading or trailing blanks, which would be taken as part of it; remove them');
  return s;
}

const text: Parse<string> = (value) => {
  const s = required(value);
  if (s.length === 0) throw new Rejected('must not be empty');
  return noSurroundingBlanks(s);
};

const optionalText: Parse<string | undefined> = (value) => (value === undefined || value.trim() === '' ? undefined : noSurroundingBlanks(value));

const YES = ['yes', 'true', '1', 'on'];
const NO = ['no', 'false', '0', 'off'];
const yesNo: Parse<boolean> = (value) => {
  const s = required(value).trim().toLowerCase();
  if (YES.indexOf(s) >= 0) return true;
  if (NO.indexOf(s) >= 0) return false;
  throw new Rejected('expected yes or no');
};

// The longest delay a Node.js timer can wait: a longer one would fire at once.
const MAX_SECONDS = 2147483;

/** Seconds as written, in milliseconds. */
const seconds: Parse<number> = (value) => {
  const s = required(value).trim();
  if (!/^\d+(\.\d+)?$/.test(s) || !(Number(s) > 0)) throw new Rejected('expected a positive number of seconds');
  const ms = Math.round(Number(s) * 1000);
  if (ms < 1) throw new Rejected('expected at least 0.001 seconds');
  if (Number(s) > MAX_SECONDS) throw new Rejected(`expected at most ${MAX_SECONDS} seconds (24 days)`);
  return ms;
};

// Used as written by one.image.chmod: exactly three octal digits, nothing around them.
const octalMode: Parse<string> = (value) => {
  const s = required(value);
  if (!/^[0-7]{3}$/.test(s)) throw new Rejected('expected three octal digits, e.g. 600');
  return s;
};

const absDir: Parse<string> = (value) => {
  const s = text(value);
  if (!isAbsolute(s)) throw new Rejected('expected an absolute path');
  return normalize(s);
};

const url: Parse<string | undefined> = (value) => {
  const s = optionalText(value);
  if (s !== undefined && !/^https?:\/\/[^\s]+$/.test(s)) throw new Rejected('expected an http:// or https:// URL');
  return s;
};

const attempts: Parse<number> = (value) => {
  const s = required(value).trim();
  if (!/^\d+$/.test(s) || Number(s) < 1) throw new Rejected('expected a whole number of attempts, at least 1');
  return Number(s);
};

const retiredName: Parse<string> = (value) => {
  const s = text(value);
  if (s.indexOf('{timestamp}') < 0) throw new Rejected('must contain {timestamp}');
  return s;
};

/** A whole number, 0 or more; unset stays undefined. */
const optionalCount: Parse<number | undefined> = (value) => {
  if (value === undefined || value.trim() === '') return undefined;
  const s = value.trim();
  if (!/^\d+$/.test(s)) throw new Rejected('expected a whole number, 0 or more (unset: keep all)');
  return Number(s);
};

/** A whole number, 1 or more. */
const positiveWhole: Parse<number> = (value) => {
  const s = required(value).trim();
  if (!/^\d{1,9}$/.test(s) || Number(s) < 1) throw new Rejected('expected a whole number, 1 or more');
  return Number(s);
};

/** Seconds, 0 or more, in milliseconds: an age, never a timer's delay. */
const age: Parse<number> = (value) => {
  const s = required(value).trim();
  if (!/^\d+(\.\d+)?$/.test(s)) throw new Rejected('expected a number of seconds, 0 or more');
  return Math.round(Number(s) * 1000);
};

/** One VO's group: the VO as vmcatcher names it (VMCATCHER_EVENT_VO), the group by name or id. */
export interface VoGroup {
  readonly vo: string;
  readonly group: string;
}

const voGroups: Parse<readonly VoGroup[]> = (value) => {
  if (value === undefined || value.trim() === '') return [];
  const out: VoGroup[] = [];
  for (const part of value.split(',')) {
    const pair = part.trim();
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const vo = eq > 0 ? pair.slice(0, eq).trim() : '';
    const group = eq > 0 ? pair.slice(eq + 1).trim() : '';
    if (!vo || !group) throw new Rejected(`expected vo=group pairs separated by commas, found ${JSON.stringify(pair)}`);
    if (out.some((g) => g.vo === vo)) throw new Rejected(`VO ${JSON.stringify(vo)} is mapped twice`);
    out.push({ vo, group });
  }
  return out;
};

function oneOf<T extends string>(values: readonly T[]): Parse<T> {
  return (value) => {
    const s = required(value);
    for (const v of values) if (v === s) return v;
    throw new Rejected(`expected ${values.slice(0, -1).join(', ')} or ${values[values.length - 1]}`);
  };
}

/** The state directory a value names, or the default one when the value is not valid. */
export function parseStateDir(value: string | undefined): string {
  const fallback = absDir(defaultRawConfig().stateDir);
  if (value === undefined) return fallback;
  try {
    return absDir(value);
  } catch (e) {
    if (e instanceof Rejected) return fallback;
    throw e;
  }
}

/** The normalised configuration; durations in milliseconds. */
export interface Config {
  readonly endpoint?: string;
  readonly authFile?: string;
  readonly caFile?: string;
  readonly caDir?: string;
  readonly insecure: boolean;
  readonly callTimeoutMs: number;
  readonly datastore: string;
  readonly format: 'raw' | 'qcow2';
  readonly stagingDir: string;
  readonly stateDir: string;
  readonly verifyChecksum: boolean;
  readonly newMode: string;
  readonly restoreRetired: boolean;
  readonly retiredOwner: string;
  readonly retiredGroup: string;
  readonly retiredMode: string;
  readonly retiredNamePattern: string;
  readonly readyTimeoutMs: number;
  readonly pollIntervalMs: number;
  readonly lockTimeoutMs: number;
  readonly vmcatcherImage: string;
  readonly qemuImg: string;
  readonly logFile?: string;
  readonly logFormat: 'text' | 'json';
  readonly logLevel: 'debug' | 'info' | 'warning' | 'error';
  readonly queue: boolean;
  readonly queueSpawn: boolean;
  readonly retryDelayMs: number;
  readonly retryMaxDelayMs: number;
  readonly retryWarnAfter: number;
  /** VMCHNDL_ON_VO_GROUPS, in the order written; [] when unset. */
  readonly voGroups: readonly VoGroup[];
  readonly voMode: string;
  /** VMCHNDL_ON_TEMPLATE: keep a VM template per appliance. */
  readonly template: boolean;
  readonly templateFile?: string;
  /** MEMORY (MB) and CPU/VCPU of a new VM template when the image list has no minimum. */
  readonly templateMemory: number;
  readonly templateCpu: number;
  /** VMCHNDL_ON_KEEP_RETIRED: undefined keeps every retired version. */
  readonly keepRetired?: number;
  readonly pruneMinAgeMs: number;
}

/** Every setting at its default. */
export function defaultRawConfig(): RawConfig {
  const raw: RawConfig = {};
  for (const s of SETTINGS) if (s.default !== undefined) raw[s.field] = s.default;
  return raw;
}

function keyOf(field: string): string {
  for (const s of SETTINGS) if (s.field === field) return s.key;
  return field;
}

/** Validates and normalises; every problem is reported at once as `KEY: message (found "value")`. */
export function normalizeConfig(raw: RawConfig): Readonly<Config> {
  const merged = Object.assign(defaultRawConfig(), raw);
  const problems: string[] = [];
  function take<T>(field: keyof RawConfig, parse: Parse<T>): T {
    try {
      return parse(merged[field]);
    } catch (e) {
      if (!(e instanceof Rejected)) throw e;
      problems.push(`${keyOf(field)}: ${e.message}${describeValue(merged, field)}`);
      return (undefined as unknown) as T;
    }
  }
  const config: Config = {
    endpoint: take('endpoint', url),
    authFile: take('authFile', optionalText),
    caFile: take('caFile', optionalText),
    caDir: take('caDir', optionalText),
    insecure: take('insecure', yesNo),
    callTimeoutMs: take('callTimeout', seconds),
    datastore: take('datastore', text),
    format: take('format', oneOf(['raw', 'qcow2'] as const)),
    stagingDir: take('stagingDir', absDir),
    stateDir: take('stateDir', absDir),
    verifyChecksum: take('verifyChecksum', yesNo),
    newMode: take('newMode', octalMode),
    restoreRetired: take('restoreRetired', yesNo),
    retiredOwner: take('retiredOwner', text),
    retiredGroup: take('retiredGroup', text),
    retiredMode: take('retiredMode', octalMode),
    retiredNamePattern: take('retiredNamePattern', retiredName),
    readyTimeoutMs: take('readyTimeout', seconds),
    pollIntervalMs: take('pollInterval', seconds),
    lockTimeoutMs: take('lockTimeout', seconds),
    vmcatcherImage: take('vmcatcherImage', text),
    qemuImg: take('qemuImg', text),
    logFile: take('logFile', optionalText),
    logFormat: take('logFormat', oneOf(['text', 'json'] as const)),
    logLevel: take('logLevel', oneOf(['debug', 'info', 'warning', 'error'] as const)),
    queue: take('queue', yesNo),
    queueSpawn: take('queueSpawn', yesNo),
    retryDelayMs: take('retryDelay', seconds),
    retryMaxDelayMs: take('retryMaxDelay', seconds),
    retryWarnAfter: take('retryWarnAfter', attempts),
    voGroups: take('voGroups', voGroups),
    voMode: take('voMode', octalMode),
    template: take('template', yesNo),
    templateFile: take('templateFile', optionalText),
    templateMemory: take('templateMemory', positiveWhole),
    templateCpu: take('templateCpu', positiveWhole),
    keepRetired: take('keepRetired', optionalCount),
    pruneMinAgeMs: take('pruneMinAge', age),
  };
  if (problems.length) throw new InvalidConfigError(problems);
  validateConfig(config);
  return Object.freeze(config);
}

function describeValue(raw: RawConfig, field: keyof RawConfig): string {
  const v = raw[field];
  return typeof v === 'string' ? ` (found ${JSON.stringify(v)})` : '';
}

/** Cross-field checks. */
export function validateConfig(c: Config): void {
  const problems: string[] = [];
  if (c.stagingDir === c.stateDir) problems.push('VMCHNDL_ON_STAGING_DIR: must differ from VMCHNDL_ON_STATE_DIR');
  if (c.retiredNamePattern.indexOf('{identifier}') < 0) {
    problems.push('VMCHNDL_ON_RETIRED_NAME: must contain {identifier}, or retired images cannot be found again');
  }
  if (c.templateFile !== undefined && !isAbsolute(c.templateFile)) problems.push('VMCHNDL_ON_TEMPLATE_FILE: expected an absolute path');
  if (problems.length) throw new InvalidConfigError(problems);
}
