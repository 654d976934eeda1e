// `replay`: rebuild an event from vmcatcher's cache.index (or a saved event) and handle it exactly as the hook does.
import * as crypto from 'crypto';
import * as path from 'path';
import { InvalidArgumentError } from '../../errors';
import { AVAILABLE_TYPES, EXPIRE_TYPES, KNOWN_IGNORED_TYPES } from '../../event/event-types';
import { CACHE_INDEX_FILE, eventVarsFromCacheIndex, readCacheIndex } from '../../vmcatcher/cache-index';
import { pickSavedEvent, readEventFile } from '../../vmcatcher/env-file';
import { Io, reportError } from '../io';
import { bootstrapLogger, CommonOptions } from '../runtime';
import { runHook } from './hook';

export interface ReplayOptions extends CommonOptions {
  cacheDir?: string;
  envFile?: string;
  type?: string;
  dryRun?: boolean;
  json?: boolean;
  /** `plan --env-file`: the plan as text on stdout. */
  planOnStdout?: boolean;
}

const CACHE_DIR_VARS = ['VMCATCHER_CACHE_DIR_CACHE', 'VMCATCHER_CACHE_DIR_DOWNLOAD', 'VMCATCHER_CACHE_DIR_EXPIRE'];
const EVENT_TYPES: readonly string[] = (AVAILABLE_TYPES as readonly string[]).concat(EXPIRE_TYPES, KNOWN_IGNORED_TYPES);

// vmcatcher gives every run a fresh session id; a replay is a run of its own.
function newSessionUuid(): string {
  const b = crypto.randomBytes(16);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * The environment the hook would have had: ours (settings, credentials) without any stray event
 * variables, plus vmcatcher's variables of the event. Relative vmcatcher directories of a saved
 * event are resolved against the saved PWD, since vmcatcher's working directory is not ours.
 */
export function buildReplayEnv(base: NodeJS.ProcessEnv, event: Readonly<Record<string, string>>, cwd: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const k of Object.keys(base)) if (k.indexOf('VMCATCHER_EVENT_') !== 0) env[k] = base[k];
  const savedPwd = event.PWD && path.isAbsolute(event.PWD) ? event.PWD : cwd;
  for (const k of Object.keys(event)) {
    if (k.indexOf('VMCATCHER_') !== 0 || event[k] === '') continue;
    env[k] = CACHE_DIR_VARS.indexOf(k) >= 0 ? path.resolve(savedPwd, event[k]) : event[k];
  }
  return env;
}

function eventFromCacheIndex(o: ReplayOptions, identifier: string | undefined, io: Io): Record<string, string> {
  if (!identifier) throw new InvalidArgumentError('replay: give the identifier of the image to replay (or --env-file FILE)');
  const dir = o.cacheDir || io.env.VMCATCHER_CACHE_DIR_CACHE;
  if (!dir) {
    throw new InvalidArgumentError(
      `replay: VMCATCHER_CACHE_DIR_CACHE is not set; give vmcatcher's cache directory (where ${CACHE_INDEX_FILE} is) with --cache-dir or that variable`,
    );
  }
  const cacheDir = path.resolve(io.cwd, dir);
  const vars = eventVarsFromCacheIndex(readCacheIndex(cacheDir), identifier, path.join(cacheDir, CACHE_INDEX_FILE));
  return Object.assign(vars, {
    VMCATCHER_CACHE_DIR_CACHE: cacheDir,
    VMCATCHER_EVENT_TYPE: 'AvailablePostfix',
    VMCATCHER_EVENT_UUID_SESSION: newSessionUuid(),
  });
}

/** Replays an event through the hook's own code path: same lock, spool and journal. */
export async function runReplay(o: ReplayOptions, identifier: string | undefined, io: Io): Promise<number> {
  const log = bootstrapLogger(o);
  let env: NodeJS.ProcessEnv;
  try {
    if (o.type !== undefined && EVENT_TYPES.indexOf(o.type) < 0) {
      throw new InvalidArgumentError(`replay --type ${JSON.stringify(o.type)}: expected one of ${EVENT_TYPES.join(', ')}`);
    }
    const event = o.envFile
      ? Object.assign({}, pickSavedEvent(readEventFile(path.resolve(io.cwd, o.envFile)), o.envFile, identifier, o.type))
      : eventFromCacheIndex(o, identifier, io);
    if (o.envFile && o.cacheDir) event.VMCATCHER_CACHE_DIR_CACHE = path.resolve(io.cwd, o.cacheDir);
    if (o.type) event.VMCATCHER_EVENT_TYPE = o.type;
    env = buildReplayEnv(io.env, event, io.cwd);
  } catch (e) {
    return reportError(e, log);
  }
  return runHook(o, Object.assign({}, io, { env }));
}
