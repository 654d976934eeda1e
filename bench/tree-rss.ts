// Peak resident set of a process's descendants (qemu-img under the hook), read from /proc while they
// run: each poll reads the VmHWM (the kernel's own peak) of every descendant, so a peak between two
// polls is still seen; only a child that lives less than one poll interval can be missed.
import * as fs from 'fs';

function read(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function children(pid: number): number[] {
  const out: number[] = [];
  for (const tid of read(`/proc/${pid}/task/${pid}/children`).split(/\s+/)) if (tid) out.push(Number(tid));
  return out;
}

/** Name and VmHWM (KiB) of a process, or undefined when it is gone. */
function peakOf(pid: number): { name: string; kib: number } | undefined {
  const status = read(`/proc/${pid}/status`);
  const name = /^Name:\s*(.*)$/m.exec(status);
  const hwm = /^VmHWM:\s*(\d+) kB/m.exec(status);
  return name && hwm ? { name: name[1].trim(), kib: Number(hwm[1]) } : undefined;
}

export interface TreeWatch {
  /** Stops polling; the highest VmHWM seen per program name among the descendants, in KiB. */
  stop(): Record<string, number>;
}

/** Polls the descendants of `pid` every `everyMs` until stopped. */
export function watchDescendants(pid: number, everyMs = 20): TreeWatch {
  const peak: Record<string, number> = {};
  const poll = () => {
    const todo = children(pid);
    while (todo.length) {
      const p = todo.pop()!;
      const got = peakOf(p);
      if (got) peak[got.name] = Math.max(peak[got.name] || 0, got.kib);
      todo.push(...children(p));
    }
  };
  const timer = setInterval(poll, everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      return peak;
    },
  };
}
