// Taking a file out of the page cache before a timed run, so that it is read from the disk as a file
// vmcatcher downloaded a while ago would be. Only the benchmark's own files are dropped (dd's
// iflag=nocache, posix_fadvise DONTNEED over the whole file, after a sync): the machine is shared, and
// dropping every cache (/proc/sys/vm/drop_caches) would also take Node and qemu-img out, which a site
// running the hook every few minutes keeps cached. fincore (util-linux) checks what is left.
import { execFileSync } from 'child_process';

/** Bytes of `file` in the page cache (fincore), or undefined when fincore is missing. */
export function residentBytes(file: string): number | undefined {
  try {
    const out = execFileSync('fincore', ['--bytes', '--noheadings', '--output', 'RES', file], { encoding: 'utf8' });
    return Number(out.trim());
  } catch {
    return undefined;
  }
}

/** Drops `files` from the page cache; returns the bytes of them still cached afterwards. */
export function dropFromCache(files: readonly string[]): number {
  execFileSync('sync');
  let left = 0;
  for (const f of files) {
    execFileSync('dd', [`if=${f}`, 'iflag=nocache', 'count=0', 'status=none']);
    const r = residentBytes(f);
    if (r === undefined) throw new Error('fincore (util-linux) is needed to check that the page cache was dropped');
    left += r;
  }
  return left;
}
