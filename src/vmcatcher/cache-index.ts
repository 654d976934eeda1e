// vmcatcher's cache.index (a JSON object keyed by dc:identifier) and the event variables it stands for.
import * as fs from 'fs';
import * as path from 'path';
import { InvalidArgumentError } from '../errors';

/** One image as vmcatcher_cache records it: image-list keys (`dc:*`, `hv:*`, `sl:*`, `hv:image.*` copies, …). */
export type CacheIndexEntry = Readonly<Record<string, unknown>>;

/**
 * Event variable ← cache.index keys, first present wins. vmcatcher_cache's own mapping; the bare
 * `uuid`, `size`, `sha512` keys are its deprecated spellings, used only when the new ones are absent.
 */
export const CACHE_INDEX_TO_EVENT: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['VMCATCHER_EVENT_DC_IDENTIFIER', ['dc:identifier', 'uuid']],
  ['VMCATCHER_EVENT_DC_TITLE', ['dc:title']],
  ['VMCATCHER_EVENT_DC_DESCRIPTION', ['dc:description']],
  ['VMCATCHER_EVENT_HV_URI', ['hv:uri']],
  ['VMCATCHER_EVENT_HV_SIZE', ['hv:size', 'size']],
  ['VMCATCHER_EVENT_HV_HYPERVISOR', ['hv:hypervisor']],
  ['VMCATCHER_EVENT_HV_VERSION', ['hv:version']],
  ['VMCATCHER_EVENT_HV_FORMAT', ['hv:image.hv:format', 'hv:format']],
  ['VMCATCHER_EVENT_SL_ARCH', ['sl:arch']],
  ['VMCATCHER_EVENT_SL_CHECKSUM_SHA512', ['sl:checksum:sha512', 'sha512']],
  ['VMCATCHER_EVENT_SL_COMMENTS', ['sl:comments']],
  ['VMCATCHER_EVENT_SL_OS', ['sl:os']],
  ['VMCATCHER_EVENT_SL_OSVERSION', ['sl:osversion']],
  ['VMCATCHER_EVENT_FILENAME', ['filename']],
  ['VMCATCHER_EVENT_IL_DC_IDENTIFIER', ['hv:imagelist.dc:identifier']],
  ['VMCATCHER_EVENT_AD_MPURI', ['hv:image.ad:mpuri', 'ad:mpuri']],
  ['VMCATCHER_EVENT_VO', ['hv:imagelist.ad:vo']],
];

/** The file vmcatcher keeps in its cache directory. */
export const CACHE_INDEX_FILE = 'cache.index';

// vmcatcher is Python: it passes str(value), so a JSON number stays as written and true becomes "True".
function pythonStr(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && isFinite(v)) return String(v);
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  return undefined;
}

/** The VMCATCHER_EVENT_* variables vmcatcher sets for this entry (only non-empty ones, as vmcatcher does). */
export function eventVarsOfCacheEntry(entry: CacheIndexEntry): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const [name, keys] of CACHE_INDEX_TO_EVENT) {
    for (const key of keys) {
      const v = pythonStr(entry[key]);
      if (v !== undefined && v !== '') {
        vars[name] = v;
        break;
      }
    }
  }
  return vars;
}

/** Parses cache.index text; `where` names the file in messages. */
export function parseCacheIndex(text: string, where: string): Record<string, CacheIndexEntry> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new InvalidArgumentError(`${where} is not vmcatcher's cache index: not JSON (${(e as Error).message})`);
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    throw new InvalidArgumentError(`${where} is not vmcatcher's cache index: expected a JSON object keyed by dc:identifier`);
  }
  const out: Record<string, CacheIndexEntry> = {};
  for (const id of Object.keys(data as object)) {
    const e = (data as Record<string, unknown>)[id];
    if (e && typeof e === 'object' && !Array.isArray(e)) out[id] = e as CacheIndexEntry;
  }
  return out;
}

/** Reads `<cacheDir>/cache.index`. */
export function readCacheIndex(cacheDir: string): Record<string, CacheIndexEntry> {
  const file = path.join(cacheDir, CACHE_INDEX_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new InvalidArgumentError(
      `cannot read vmcatcher's cache index ${file}: ${(e as Error).message} (is VMCATCHER_CACHE_DIR_CACHE or --cache-dir vmcatcher's cache directory?)`,
    );
  }
  return parseCacheIndex(text, file);
}

/** The event variables for one identifier of the index; throws naming what the index does hold. */
export function eventVarsFromCacheIndex(index: Record<string, CacheIndexEntry>, identifier: string, where: string): Record<string, string> {
  const entry = index[identifier];
  if (!entry) {
    const ids = Object.keys(index);
    const held = ids.length ? `it holds ${ids.slice(0, 10).join(', ')}${ids.length > 10 ? `, … (${ids.length} in all)` : ''}` : 'it is empty';
    throw new InvalidArgumentError(`${identifier} is not in ${where}: vmcatcher has not cached that image (${held})`);
  }
  const vars = eventVarsOfCacheEntry(entry);
  // The key is the identifier; older indexes may lack dc:identifier inside the entry.
  if (!vars.VMCATCHER_EVENT_DC_IDENTIFIER) vars.VMCATCHER_EVENT_DC_IDENTIFIER = identifier;
  return vars;
}
