// Observes what VMCHNDL_ON_TEMPLATE needs: the VM templates, the site's template file, and the
// appliance's minimum memory and CPUs from vmcatcher's cache.index (never failing the event over it).
import * as path from 'path';
import type { Config } from '../config/config';
import type { OneApi } from '../one/types';
import type { ObservedTemplates } from '../plan/types';
import { readSiteTemplate } from '../template/read-site-template';
import { CacheIndexEntry, readCacheIndex } from '../vmcatcher/cache-index';

function whole(entry: CacheIndexEntry, keys: readonly string[]): number | undefined {
  for (const k of keys) {
    const v = entry[k];
    const s = typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : '';
    if (/^\d{1,9}$/.test(s) && Number(s) > 0) return Number(s);
  }
  return undefined;
}

/** hv:ram_minimum (MB) and hv:core_minimum of an identifier in vmcatcher's cache index, when it has them. */
export function readSizing(cacheDir: string | undefined, identifier: string): Pick<ObservedTemplates, 'sizing' | 'sizingNote'> {
  if (!cacheDir) return { sizing: {} };
  let entry: CacheIndexEntry | undefined;
  try {
    entry = readCacheIndex(cacheDir)[identifier];
  } catch (e) {
    return { sizing: {}, sizingNote: `${(e as Error).message}: the new VM template gets VMCHNDL_ON_TEMPLATE_MEMORY and VMCHNDL_ON_TEMPLATE_CPU` };
  }
  if (!entry) return { sizing: {} };
  return {
    sizing: {
      memory: whole(entry, ['hv:image.hv:ram_minimum', 'hv:ram_minimum']),
      cpu: whole(entry, ['hv:image.hv:core_minimum', 'hv:core_minimum']),
    },
  };
}

/** The templates, the site file (a bad one is InvalidConfigError) and the sizing; `cacheDir` is vmcatcher's cache directory, if known. */
export async function observeTemplates(one: OneApi, config: Config, identifier: string, cacheDir: string | undefined): Promise<ObservedTemplates> {
  const site = config.templateFile ? readSiteTemplate(config.templateFile) : undefined;
  const pool = await one.templatePool();
  return Object.assign({ pool, site }, readSizing(cacheDir ? path.resolve(cacheDir) : undefined, identifier));
}
