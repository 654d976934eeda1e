// Where oned is and who we are, found the way OpenNebula's own clients find them
// (src/oca/ruby/opennebula/client.rb, Client#initialize). Environment and home are passed in.

import * as fs from 'fs';
import * as path from 'path';
import { InvalidConfigError } from '../errors';

export type Env = Readonly<Record<string, string | undefined>>;

export interface WhereToLook {
  /** From our configuration: an endpoint URL, or the path of an auth file. Wins when set. */
  readonly explicit?: string;
  readonly env: Env;
  /** The user's home directory; undefined when HOME is not set. */
  readonly home?: string;
  /** oneadmin's fallback directory; tests point it elsewhere. */
  readonly systemDir?: string;
}

export const DEFAULT_ENDPOINT = 'http://localhost:2633/RPC2';
export const SYSTEM_ONE_DIR = '/var/lib/one/.one';

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function set(value: string | undefined): value is string {
  return value !== undefined && value !== '';
}

/** The XML-RPC endpoint: explicit, $ONE_XMLRPC, ~/.one/one_endpoint, /var/lib/one/.one/one_endpoint, default. */
export function resolveEndpoint(where: WhereToLook): { endpoint: string; source: string } {
  if (set(where.explicit) && where.explicit.trim()) return { endpoint: where.explicit.trim(), source: 'configuration' };
  const fromEnv = where.env.ONE_XMLRPC;
  if (set(fromEnv) && fromEnv.trim()) return { endpoint: fromEnv.trim(), source: '$ONE_XMLRPC' };
  const files = [where.home && path.join(where.home, '.one', 'one_endpoint'), path.join(where.systemDir || SYSTEM_ONE_DIR, 'one_endpoint')];
  for (const file of files) {
    if (!file || !isFile(file)) continue;
    const endpoint = readText(file).split('\n')[0].trim();
    if (!endpoint) throw new InvalidConfigError([`${file}: the endpoint file is empty; write the URL of oned, e.g. ${DEFAULT_ENDPOINT}`]);
    return { endpoint, source: file };
  }
  return { endpoint: DEFAULT_ENDPOINT, source: 'default' };
}

function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not readable by this user' : `cannot be read (${code})`;
    throw new InvalidConfigError([`${file}: the file ${why}`]);
  }
}

// The problem with an auth file's content, never quoting it: it holds the password.
function sessionProblem(session: string): string | undefined {
  if (session === '') return 'the auth file is empty; write one line user:password';
  if (session.indexOf('\n') >= 0) return 'the auth file has more than one line; write one line user:password';
  const colon = session.indexOf(':');
  if (colon < 0) return 'the auth file has no ":"; write one line user:password';
  if (colon === 0) return 'the auth file has no user name before ":"; write one line user:password';
  return undefined;
}

/**
 * The session string user:password: from the auth file given in our configuration, else the file
 * named by $ONE_AUTH, else ~/.one/one_auth, else /var/lib/one/.one/one_auth.
 * Warns when the file can be read by group or others.
 */
export function resolveSession(where: WhereToLook): { session: string; source: string; warnings: string[] } {
  const warnings: string[] = [];
  let file: string | undefined;
  if (set(where.explicit)) file = where.explicit;
  else {
    const fromEnv = where.env.ONE_AUTH;
    // Like the Ruby client, a $ONE_AUTH that names no file is passed over; we say so.
    if (set(fromEnv) && isFile(fromEnv)) file = fromEnv;
    else if (set(fromEnv)) warnings.push(`$ONE_AUTH names ${fromEnv}, which is not a file: ignored, as OpenNebula's clients do`);
    const candidates = [where.home && path.join(where.home, '.one', 'one_auth'), path.join(where.systemDir || SYSTEM_ONE_DIR, 'one_auth')];
    if (!file) file = candidates.find((c): c is string => !!c && isFile(c));
    if (!file) {
      const looked = [set(fromEnv) ? '$ONE_AUTH' : '', ...candidates].filter(Boolean).join(', ');
      throw new InvalidConfigError([`no OpenNebula credentials found (looked at ${looked}); set ONE_AUTH or write user:password to ~/.one/one_auth`]);
    }
  }
  const session = readText(file).replace(/\s+$/, '');
  const problem = sessionProblem(session);
  if (problem) throw new InvalidConfigError([`${file}: ${problem}`]);
  const mode = fs.statSync(file).mode;
  if (mode & 0o044) {
    warnings.push(`${file} can be read by ${mode & 0o004 ? 'every user' : 'its group'} (mode ${(mode & 0o777).toString(8)}); it holds a password: chmod 600 it`);
  }
  return { session, source: file, warnings };
}

/** Per-call timeout from $ONE_XMLRPC_TIMEOUT (seconds, as the Ruby client reads it), or undefined. */
export function resolveTimeoutMs(env: Env): number | undefined {
  const raw = env.ONE_XMLRPC_TIMEOUT;
  if (!set(raw)) return undefined;
  if (!/^\s*\d+\s*$/.test(raw) || Number(raw) <= 0) {
    throw new InvalidConfigError([`$ONE_XMLRPC_TIMEOUT: expected a positive number of seconds, found ${JSON.stringify(raw)}`]);
  }
  return Number(raw) * 1000;
}
