// A newer AvailablePostfix makes older pending ones for the same image pointless: vmcatcher's cached
// file holds the newer version now, so the older event could only fail its checksum. Done under the
// identifier's lock, so that no entry another run is working on ever disappears under it.
import { formatLocalTime } from '../clock/local-time';
import type { Logger } from '../log/logger';
import { removeEntry, SpoolEntry } from '../spool/spool';

/** The pending AvailablePostfix entries that a later one for the same image supersedes (entries oldest first). */
export function superseded(entries: readonly SpoolEntry[]): SpoolEntry[] {
  const newest: Record<string, SpoolEntry> = {};
  for (const e of entries) if (e.event.kind === 'available') newest[e.identifier] = e;
  return entries.filter((e) => e.event.kind === 'available' && newest[e.identifier] !== e);
}

/** Removes every pending AvailablePostfix of one image that a later one supersedes; returns those removed. */
export function supersedeOlder(stateDir: string, entries: readonly SpoolEntry[], log: Logger, ownId?: string): SpoolEntry[] {
  const available = entries.filter((e) => e.event.kind === 'available');
  const newest = available[available.length - 1];
  const gone: SpoolEntry[] = [];
  for (const old of superseded(entries)) {
    removeEntry(stateDir, old);
    gone.push(old);
    const by = newest.id === ownId ? 'this event' : `a newer ${newest.type} received ${formatLocalTime(newest.receivedAt)}`;
    const why = old.event.checksum === newest.event.checksum ? 'the same version arrived again' : 'the cached file now holds a newer version';
    log.warn('spool', `pending ${old.type} for ${old.identifier} received ${formatLocalTime(old.receivedAt)} is superseded by ${by} (${why})`);
  }
  return gone;
}
