// Unreadable spool entries are moved aside, never dropped, and said at every run until an admin acts.
import type { Logger } from '../log/logger';
import { identifierOfEntryFile, listQuarantined, listSpool } from '../spool/spool';

/** What to tell the administrator about one unreadable spool entry. */
export function unreadableEntryMessage(file: string, why?: string): string {
  const id = identifierOfEntryFile(file);
  return (
    `unreadable spool entry ${file}${why ? ` (${why})` : ''}: the event it held for ${id} is not processed. ` +
    `Look at it (a write torn by a full disk, or an edit), re-send the event if it is still needed ` +
    `(\`vmcatcher_eventHndl_ON replay ${id}\`), then delete the file`
  );
}

/** Moves newly unreadable entries aside (unless readOnly) and warns about every one; returns their files. */
export function warnUnreadableEntries(stateDir: string, log: Logger, readOnly = false): string[] {
  try {
    return warnAll(stateDir, log, readOnly);
  } catch (_) {
    // A state directory that cannot be read is reported by the caller's own check, naming the setting.
    return [];
  }
}

function warnAll(stateDir: string, log: Logger, readOnly: boolean): string[] {
  const fresh: string[] = [];
  listSpool(
    stateDir,
    undefined,
    (file, why) => {
      fresh.push(file);
      log.warn('spool', unreadableEntryMessage(file, why));
    },
    !readOnly,
  );
  const all = listQuarantined(stateDir);
  for (const file of all) if (fresh.indexOf(file) < 0) log.warn('spool', unreadableEntryMessage(file));
  return all.concat(fresh.filter((f) => all.indexOf(f) < 0));
}
