// A fresh site for each test of a describe block (vitest's hooks around makeSite).
import { afterEach, beforeEach } from 'vitest';
import { requireQemuImg } from '../helpers/images';
import { makeSite, Site, SiteOptions } from './site';

/** A fresh site for each test of the enclosing describe (qemu-img required); call the result to get it. */
export function useSite(opts: SiteOptions = {}): () => Site {
  let site: Site | undefined;
  beforeEach(async () => {
    requireQemuImg();
    site = await makeSite(opts);
  });
  afterEach(async () => {
    if (site) await site.close();
    site = undefined;
  });
  return () => {
    if (!site) throw new Error('useSite: no site outside a test');
    return site;
  };
}
