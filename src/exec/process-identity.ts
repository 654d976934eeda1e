// A pid alone does not name a process: after a reboot (or once pids wrap around) the pid in a lock
// file may belong to some other program. On Linux the boot id and the process's start time do.
import * as fs from 'fs';

export interface ProcessIdentity {
  /** /proc/sys/kernel/random/boot_id: changes at every boot. */
  readonly boot?: string;
  /** Field 22 of /proc/<pid>/stat: the process's start, in clock ticks since boot. */
  readonly start?: string;
}

function read(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch (_) {
    return undefined;
  }
}

/** The start time of a process as /proc/<pid>/stat says, or undefined where there is no /proc. */
export function readStartTicks(pid: number | 'self'): string | undefined {
  const stat = read(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  // The command name (field 2) is in parentheses and may hold anything: count fields after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[19];
}

/** This process's identity, to write into the lock files it takes. */
export function ownIdentity(): ProcessIdentity {
  return { boot: read('/proc/sys/kernel/random/boot_id'), start: readStartTicks('self') };
}

/**
 * Whether a live pid on this host is still the process that recorded `id`: false when the machine
 * rebooted since or the pid now belongs to a process started later; true when it cannot tell.
 */
export function isSameProcess(pid: number, id: ProcessIdentity): boolean {
  const now = ownIdentity();
  if (id.boot && now.boot && id.boot !== now.boot) return false;
  const start = readStartTicks(pid);
  if (id.start && start && id.start !== start) return false;
  return true;
}
