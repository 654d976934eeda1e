// A real small tmpfs (as root): the file system of a full state disk, mounted for one test and unmounted after.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export interface Tmpfs {
  readonly dir: string;
  /** Fills the file system with a filler file until at most `leaveBytes` are free. */
  fill(leaveBytes: number): void;
  /** Removes the filler. */
  unfill(): void;
  close(): void;
}

/** Mounts a tmpfs of `size` (e.g. `64k`) on a new directory; fails loudly when not root. */
export function mountTmpfs(size: string, mode = '0755'): Tmpfs {
  if (process.getuid && process.getuid() !== 0) throw new Error('mounting a tmpfs needs root (CI runs as root)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmc-tmpfs-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=${mode}`, 'tmpfs', dir]);
  const filler = path.join(dir, 'filler');
  return {
    dir,
    fill(leaveBytes: number) {
      const fd = fs.openSync(filler, 'a');
      const chunk = Buffer.alloc(1024, 120);
      try {
        for (;;) {
          const st = fs.statfsSync ? fs.statfsSync(dir) : undefined;
          if (st && st.bavail * st.bsize <= leaveBytes) break;
          try {
            fs.writeSync(fd, chunk);
          } catch (e) {
            if ((e as NodeJS.ErrnoException).code === 'ENOSPC') break;
            throw e;
          }
        }
      } finally {
        fs.closeSync(fd);
      }
    },
    unfill() {
      if (fs.existsSync(filler)) fs.unlinkSync(filler);
    },
    close() {
      try {
        execFileSync('umount', [dir]);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
