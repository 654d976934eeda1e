// Cached files that are not what vmcatcher promised: text, a cut qcow2, OVAs that try to escape, tar bombs.
import * as fs from 'fs';
import * as path from 'path';
import { makeOva, makeQcow2, ovfText, sha512, tempDir, TarEntry, writeTar } from '../../helpers/images';
import { ALPHA, CachedImage } from '../../e2e/scenario';
import type { Site } from '../../e2e/site';

/** Puts `write`'s file into vmcatcher's cache as `<cache>/<identifier>`; scratch files stay outside the site. */
function intoCache(site: Site, write: (file: string) => void, identifier = ALPHA): CachedImage {
  const dir = tempDir('vmc-bad-');
  try {
    const scratch = path.join(dir, 'file');
    write(scratch);
    const file = path.join(site.cacheDir, identifier);
    fs.copyFileSync(scratch, file);
    return { file, sha512: sha512(file) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** An HTML error page saved as the image, as a broken download would leave it. */
export function cacheTextFile(site: Site): CachedImage {
  return intoCache(site, (f) => fs.writeFileSync(f, '<html><body><h1>404 Not Found</h1></body></html>\n'));
}

/** A file of zero bytes. */
export function cacheEmptyFile(site: Site): CachedImage {
  return intoCache(site, (f) => fs.writeFileSync(f, ''));
}

/** A real qcow2 cut after its first `keepBytes` bytes: header intact, clusters missing. */
export function cacheTruncatedQcow2(site: Site, keepBytes = 300000): CachedImage {
  return intoCache(site, (f) => {
    makeQcow2(f, 4, { pattern: 'truncated' });
    fs.truncateSync(f, keepBytes);
  });
}

/** A real OVA (OVF and a streamOptimized VMDK) with `hostile` members written first. */
export function cacheOva(site: Site, opts: { hostile?: readonly TarEntry[]; ovf?: string | false; diskName?: string; diskAs?: TarEntry } = {}): CachedImage {
  return intoCache(site, (f) => {
    const made = makeOva(f, { diskFormat: 'vmdk', sizeMiB: 1, pattern: 'ova', hostileMembers: opts.hostile, ovf: opts.ovf, diskName: opts.diskName });
    if (opts.diskAs) {
      // The disk replaced by a member of another kind (a link) under the same name.
      const ovf = opts.ovf === undefined ? ovfText([made.diskName]) : opts.ovf;
      const entries: TarEntry[] = (opts.hostile || []).concat(ovf === false ? [] : [{ name: 'appliance.ovf', data: Buffer.from(ovf, 'utf8') }], [opts.diskAs]);
      writeTar(f, entries);
    }
  });
}

/** A tar of `count` tiny members: a bomb for anything that unpacks or lists without a limit. */
export function cacheManyMemberTar(site: Site, count: number): CachedImage {
  return intoCache(site, (f) => {
    const entries: TarEntry[] = [];
    for (let i = 0; i < count; i++) entries.push({ name: `m/${i}.txt`, data: Buffer.from('x') });
    writeTar(f, entries);
  });
}

/** A tar whose disk member declares far more bytes than the archive holds (an extraction bomb). */
export function cacheSizeLyingTar(site: Site, declaredSize: number): CachedImage {
  return intoCache(site, (f) => writeTar(f, [{ name: 'appliance-disk1.vmdk', data: Buffer.alloc(512, 1), declaredSize }], { endMarker: false }));
}
