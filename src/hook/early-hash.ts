// The sha512 of the cached file is the longest part of most rotations, and it does not depend on what
// oned says. So it starts as soon as an AvailablePostfix is taken up, while oned is read and qemu-img
// looks at the file; the executor's checksum then waits for it instead of reading the file again. It
// hides the time spent observing (pool lookup, qemu-img info/check) behind the hash: about 0.1 s on the
// benchmark's small site, up to the pool lookup's ~0.7 s on a site with 10 000 images. When the plan
// turns out to need no hash, the hash stops at its next read.
import type { Tools } from '../exec/context';
import { FileIdentity, identityOf, sha512File } from '../files/checksum';
import { stat } from '../files/fs-async';
import type { ProgressListener } from '../qemu/types';

export interface EarlyHash {
  /**
   * `tools` whose sha512 takes this hash when asked for the same file (or a hard link to it), unchanged since it was opened;
   * asked for another file, or a changed one, it stops this hash and hashes that file itself.
   */
  wrap(tools: Tools): Tools;
  /** Stops the hash if nothing took it (nothing to do, a failure) and waits until its file is closed. */
  stop(): Promise<void>;
}

// The same bytes: the same inode, its size and mtime unchanged. Not its ctime: the plan hashes the hard
// link it made into staging (the file oned copies), and making that link changed the inode's ctime. A
// newer download moved over the cached name is another inode, whatever its times.
function sameContent(a: FileIdentity, b: FileIdentity): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;
}

async function identityNow(file: string): Promise<FileIdentity | undefined> {
  try {
    return identityOf(await stat(file));
  } catch (_) {
    return undefined;
  }
}

/** Starts hashing `file` now. */
export function startEarlyHash(file: string): EarlyHash {
  let stopped = false;
  let percent = -1;
  let listener: ProgressListener | undefined;
  let opened: (identity: FileIdentity | undefined) => void = () => undefined;
  const openedAs = new Promise<FileIdentity | undefined>((resolve) => (opened = resolve));
  const hashing = sha512File(file, {
    cancelled: () => stopped,
    onOpen: (identity) => opened(identity),
    onProgress: (p) => {
      percent = p;
      if (listener) listener(p);
    },
  });
  // Whoever takes the hash sees its failure; unopened or failed, it only means hashing again.
  hashing.catch(() => opened(undefined));

  /** The early hash of `f`, or undefined when `f` is another file, or changed, or the hash failed. */
  async function take(f: string, onProgress?: ProgressListener): Promise<string | undefined> {
    if (stopped) return undefined;
    const identity = await openedAs;
    const before = await identityNow(f);
    if (!identity || !before || !sameContent(identity, before)) {
      // A plan checks one file, once: a hash it will not take would only compete with the real one.
      stopped = true;
      return undefined;
    }
    listener = onProgress;
    if (onProgress && percent >= 0) onProgress(percent);
    let hex: string;
    try {
      hex = await hashing;
    } catch (_) {
      return undefined;
    }
    const after = await identityNow(f);
    return after && sameContent(identity, after) ? hex : undefined;
  }

  return {
    wrap: (tools) =>
      Object.assign({}, tools, {
        sha512: async (f: string, onProgress?: ProgressListener) => {
          const early = await take(f, onProgress);
          return early !== undefined ? early : tools.sha512(f, onProgress);
        },
      }),
    stop: async () => {
      stopped = true;
      await hashing.catch(() => undefined);
    },
  };
}
