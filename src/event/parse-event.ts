// Reads a vmcatcher event from environment variables and checks every value we rely on.
import { join, resolve } from 'path';
import { EVENT_VAR_PREFIX } from '../attributes';
import { InvalidEventError } from '../errors';
import { kindOfEventType } from './event-types';

export interface IgnoredEvent {
  readonly kind: 'ignored';
  readonly type: string;
  readonly identifier?: string;
}

export interface ImageEvent {
  readonly kind: 'available' | 'expire';
  /** VMCATCHER_EVENT_TYPE as received. */
  readonly type: string;
  readonly identifier: string;
  /** Every non-empty VMCATCHER_EVENT_* variable, as received. */
  readonly vars: Readonly<Record<string, string>>;
  /** Absolute path of the cached file (available) or the expired file (expire), when known. */
  readonly file?: string;
  /** Lower-case sha512 from the image list, when given. */
  readonly checksum?: string;
  readonly sessionUuid?: string;
  /** vmcatcher's database, needed by vmcatcher_image. */
  readonly rdbms?: string;
}

export type Event = IgnoredEvent | ImageEvent;

const IDENTIFIER_RE = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,99}$/;
/** Whether a string is usable as an identifier (it names files in the state directory). */
export function isUsableIdentifier(s: string): boolean {
  return IDENTIFIER_RE.test(s);
}

const FILENAME_RE = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,254}$/;
const VAR_NAME_RE = /^VMCATCHER_EVENT_[A-Z0-9_]+$/;
const MAX_VALUE_LENGTH = 65536;

// Free text (descriptions, titles, comments) may hold control characters, e.g. CR LF line ends from an
// image list written on Windows: the template code changes them visibly (see one/template.ts), for one
// cosmetic byte must not keep an image out. Identifiers, file names and paths allow none.
function problemWithText(value: string, freeText: boolean): string | undefined {
  if (value.indexOf('\uFFFD') >= 0) return 'contains bytes that are not UTF-8';
  if (!freeText && /[\u0000-\u001f\u007f]/.test(value)) return 'contains control characters';
  if (value.length > MAX_VALUE_LENGTH) return `is longer than ${MAX_VALUE_LENGTH} characters`;
  return undefined;
}

function describe(value: string): string {
  const shown = value.length > 60 ? value.slice(0, 60) + '…' : value;
  return JSON.stringify(shown);
}

/** Resolves a vmcatcher directory, which may be relative to vmcatcher's (inherited) working directory. */
function dirOf(env: NodeJS.ProcessEnv, key: string, cwd: string): string | undefined {
  const v = env[key];
  if (v === undefined || v === '') return undefined;
  const p = problemWithText(v, false);
  if (p) throw new InvalidEventError(`${key} ${p}`);
  return resolve(cwd, v);
}

/** Parses the event in `env`; throws InvalidEventError naming the variable at fault. */
export function parseEvent(env: NodeJS.ProcessEnv, cwd: string): Event {
  const type = env.VMCATCHER_EVENT_TYPE;
  if (type === undefined || type.trim() === '') {
    throw new InvalidEventError(
      'VMCATCHER_EVENT_TYPE is not set: this command is run by vmcatcher (VMCATCHER_CACHE_EVENT) with the event in its environment; see --help for the commands an administrator can run',
    );
  }
  const kind = kindOfEventType(type);
  if (kind === 'ignored') return { kind, type, identifier: env.VMCATCHER_EVENT_DC_IDENTIFIER };

  const vars: Record<string, string> = {};
  for (const key of Object.keys(env).sort()) {
    const value = env[key];
    if (key.indexOf(EVENT_VAR_PREFIX) !== 0 || value === undefined || value === '') continue;
    if (!VAR_NAME_RE.test(key)) continue;
    // The identifier and file name get their own, stricter checks below.
    const p = problemWithText(value, true);
    if (p) throw new InvalidEventError(`${key} ${p}`);
    vars[key] = value;
  }

  const identifier = env.VMCATCHER_EVENT_DC_IDENTIFIER;
  if (!identifier) throw new InvalidEventError(`VMCATCHER_EVENT_DC_IDENTIFIER is missing or empty in a ${type} event`);
  if (!IDENTIFIER_RE.test(identifier)) {
    throw new InvalidEventError(
      `VMCATCHER_EVENT_DC_IDENTIFIER ${describe(identifier)} is not a usable identifier (expected letters, digits and . _ @ + -, at most 100, starting with a letter or digit)`,
    );
  }

  let checksum: string | undefined;
  const sum = vars.VMCATCHER_EVENT_SL_CHECKSUM_SHA512;
  if (sum !== undefined) {
    if (!/^[0-9a-fA-F]{128}$/.test(sum)) {
      throw new InvalidEventError(`VMCATCHER_EVENT_SL_CHECKSUM_SHA512 ${describe(sum)} is not a sha512 (128 hexadecimal digits)`);
    }
    checksum = sum.toLowerCase();
  }
  const size = vars.VMCATCHER_EVENT_HV_SIZE;
  if (size !== undefined && !/^\d+$/.test(size)) {
    throw new InvalidEventError(`VMCATCHER_EVENT_HV_SIZE ${describe(size)} is not a number of bytes`);
  }

  const cwd0 = resolve(cwd);
  let file: string | undefined;
  const filename = vars.VMCATCHER_EVENT_FILENAME;
  if (filename !== undefined && !FILENAME_RE.test(filename)) {
    throw new InvalidEventError(`VMCATCHER_EVENT_FILENAME ${describe(filename)} is not a bare file name`);
  }
  if (kind === 'available') {
    if (filename === undefined) throw new InvalidEventError(`VMCATCHER_EVENT_FILENAME is missing or empty in a ${type} event`);
    const cacheDir = dirOf(env, 'VMCATCHER_CACHE_DIR_CACHE', cwd0);
    if (!cacheDir) throw new InvalidEventError(`VMCATCHER_CACHE_DIR_CACHE is missing or empty in a ${type} event`);
    file = join(cacheDir, filename);
  } else {
    const expireDir = dirOf(env, 'VMCATCHER_CACHE_DIR_EXPIRE', cwd0);
    if (expireDir && filename !== undefined) file = join(expireDir, filename);
  }

  return {
    kind,
    type,
    identifier,
    vars,
    file,
    checksum,
    sessionUuid: env.VMCATCHER_EVENT_UUID_SESSION || undefined,
    rdbms: env.VMCATCHER_RDBMS || undefined,
  };
}
