// `recover [identifier…]`: finish or roll back interrupted runs, then process what they left pending.
import { EXIT } from '../../errors';
import { listOpenJournals } from '../../exec/journal';
import { failIfAnyFailed } from '../../hook/handle-event';
import { EntryResult, processIdentifier } from '../../hook/process-identifier';
import { spooledIdentifiers } from '../../spool/spool';
import { requireStateDir } from '../../files/state-dir';
import { Io, reportError } from '../io';
import { bootstrapLogger, CommonOptions, makeRuntime } from '../runtime';

/** Recovers the given identifiers, or every one with an unfinished journal or a pending event. Safe at any time. */
export async function runRecover(o: CommonOptions & { json?: boolean }, identifiers: string[], io: Io): Promise<number> {
  let log = bootstrapLogger(o);
  try {
    const rt = makeRuntime(o, io.env, io.interactive);
    log = rt.log;
    const stateDir = rt.config.stateDir;
    requireStateDir(stateDir, 'write');
    const interrupted = listOpenJournals(stateDir);
    const spooled = spooledIdentifiers(stateDir);
    const candidates = identifiers.length ? identifiers : interrupted.concat(spooled.filter((i) => interrupted.indexOf(i) < 0));
    // Only what has something to recover is touched (and counted): a named identifier with neither is said so.
    const ids = candidates.filter((i) => interrupted.indexOf(i) >= 0 || spooled.indexOf(i) >= 0);
    for (const id of candidates) if (ids.indexOf(id) < 0) log.info('recover', `nothing to recover for ${id}: no interrupted run and no pending event`);
    const results: EntryResult[] = [];
    for (const id of ids) results.push(...(await processIdentifier(id, rt.deps, { ignoreBackoff: true })));
    if (o.json) {
      io.stdout(JSON.stringify({ identifiers: ids, events: results.map((r) => ({ identifier: r.entry.identifier, type: r.entry.type, outcome: r.outcome })) }, null, 2) + '\n');
    }
    if (!candidates.length) log.info('recover', 'no interrupted runs and no pending events: nothing to recover');
    else if (ids.length) {
      const finished = ids.filter((i) => interrupted.indexOf(i) >= 0).length;
      log.info('recover', `${finished} interrupted run(s) finished or rolled back; ${results.filter((r) => r.outcome !== 'failed').length} pending event(s) processed`);
    }
    failIfAnyFailed(results, 'recover');
    return EXIT.OK;
  } catch (e) {
    return reportError(e, log);
  }
}
