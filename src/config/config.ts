// The configuration: written shape (file, environment, flags) → normalised Readonly<Config> → cross-field checks.
import { z } from 'zod';
import * as path from 'path';
import { InvalidConfigError } from '../errors';
import { RawConfig, SETTINGS } from './settings';

const yesNo = z
  .string()
  .transform((s) => s.trim().toLowerCase())
  .refine((s) => ['yes', 'no', 'true', 'false', '1', '0', 'on', 'off'].indexOf(s) >= 0, { message: 'expected yes or no' })
  .transform((s) => s === 'yes' || s === 'true' || s === '1' || s === 'on');

const seconds = z
  .string()
  .refine((s) => /^\d+(\.\d+)?$/.test(s.trim()) && Number(s) > 0, { message: 'expected a positive number of seconds' })
  .transform((s) => Math.round(Number(s) * 1000));

const octalMode = z.string().refine((s) => /^[0-7]{3}$/.test(s.trim()), { message: 'expected three octal digits, e.g. 600' });

const absDir = z
  .string()
  .min(1, 'must not be empty')
  .refine((s) => path.isAbsolute(s), { message: 'expected an absolute path' });

const nonEmpty = z.string().min(1, 'must not be empty');

function oneOf<T extends string>(values: readonly [T, ...T[]]) {
  return z.enum(values as [T, ...T[]], { errorMap: () => ({ message: `expected ${values.slice(0, -1).join(', ')} or ${values[values.length - 1]}` }) });
}

const optionalText = z.string().optional().transform((s) => (s === undefined || s.trim() === '' ? undefined : s));

const schema = z.object({
  endpoint: optionalText.refine((s) => s === undefined || /^https?:\/\/[^\s]+$/.test(s), { message: 'expected an http:// or https:// URL' }),
  authFile: optionalText,
  caFile: optionalText,
  caDir: optionalText,
  insecure: yesNo,
  callTimeout: seconds,
  datastore: nonEmpty,
  format: oneOf(['raw', 'qcow2'] as const),
  stagingDir: absDir,
  stateDir: absDir,
  verifyChecksum: yesNo,
  newMode: octalMode,
  restoreRetired: yesNo,
  retiredOwner: nonEmpty,
  retiredGroup: nonEmpty,
  retiredMode: octalMode,
  retiredNamePattern: nonEmpty.refine((s) => s.indexOf('{timestamp}') >= 0, { message: 'must contain {timestamp}' }),
  readyTimeout: seconds,
  pollInterval: seconds,
  lockTimeout: seconds,
  vmcatcherImage: nonEmpty,
  qemuImg: nonEmpty,
  logFile: optionalText,
  logFormat: oneOf(['text', 'json'] as const),
  logLevel: oneOf(['debug', 'info', 'warning', 'error'] as const),
  queue: yesNo,
  queueSpawn: yesNo,
  retryDelay: seconds,
  retryMaxDelay: seconds,
  retryWarnAfter: z.string().refine((s) => /^\d+$/.test(s.trim()) && Number(s) >= 1, { message: 'expected a whole number of attempts, at least 1' }).transform(Number),
});

type Parsed = z.infer<typeof schema>;

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

/** Validates and normalises; every problem is reported at once as `KEY: message`. */
export function normalizeConfig(raw: RawConfig): Readonly<Config> {
  const merged = Object.assign(defaultRawConfig(), raw);
  const r = schema.safeParse(merged);
  if (!r.success) {
    throw new InvalidConfigError(r.error.issues.map((i) => `${keyOf(String(i.path[0]))}: ${i.message}${describeValue(merged, i.path[0])}`));
  }
  const p: Parsed = r.data;
  const config: Config = {
    endpoint: p.endpoint,
    authFile: p.authFile,
    caFile: p.caFile,
    caDir: p.caDir,
    insecure: p.insecure,
    callTimeoutMs: p.callTimeout,
    datastore: p.datastore,
    format: p.format,
    stagingDir: path.normalize(p.stagingDir),
    stateDir: path.normalize(p.stateDir),
    verifyChecksum: p.verifyChecksum,
    newMode: p.newMode,
    restoreRetired: p.restoreRetired,
    retiredOwner: p.retiredOwner,
    retiredGroup: p.retiredGroup,
    retiredMode: p.retiredMode,
    retiredNamePattern: p.retiredNamePattern,
    readyTimeoutMs: p.readyTimeout,
    pollIntervalMs: p.pollInterval,
    lockTimeoutMs: p.lockTimeout,
    vmcatcherImage: p.vmcatcherImage,
    qemuImg: p.qemuImg,
    logFile: p.logFile,
    logFormat: p.logFormat,
    logLevel: p.logLevel,
    queue: p.queue,
    queueSpawn: p.queueSpawn,
    retryDelayMs: p.retryDelay,
    retryMaxDelayMs: p.retryMaxDelay,
    retryWarnAfter: p.retryWarnAfter,
  };
  validateConfig(config);
  return Object.freeze(config);
}

function describeValue(raw: RawConfig, field: unknown): string {
  const v = (raw as Record<string, unknown>)[String(field)];
  return typeof v === 'string' ? ` (found ${JSON.stringify(v)})` : '';
}

/** Cross-field checks. */
export function validateConfig(c: Config): void {
  const problems: string[] = [];
  if (c.stagingDir === c.stateDir) problems.push('VMCHNDL_ON_STAGING_DIR: must differ from VMCHNDL_ON_STATE_DIR');
  if (c.retiredNamePattern.indexOf('{identifier}') < 0) {
    problems.push('VMCHNDL_ON_RETIRED_NAME: must contain {identifier}, or retired images cannot be found again');
  }
  if (problems.length) throw new InvalidConfigError(problems);
}
