// `recover [identifier…]`: finish or roll back interrupted runs, then process what they left pending.
import { EXIT, InvalidArgumentError } from '../../errors';
import { abandonJournal } from '../../exec/executor';
import { acquireLock } from '../../exec/lock';
import { Journal, listOpenJournals, listParkedJournals, readParkedJournals } from '../../exec/journal';
import type { HookDeps } from '../../hook/deps';
import { failIfAnyFailed } from '../../hook/handle-event';
import { EntryResult, processIdentifier } from '../../hook/process-identifier';
import { spooledIdentifiers } from '../../spool/spool';
import { requireStateDir } from '../../files/state-dir';
import { Io, reportError } from '../io';
import { bootstrapLogger, CommonOptions, makeRuntime } from '../runtime';

/** Closes the interrupted and parked runs of an identifier without doing the rest (the admin's way out). */
async function abandonRuns(identifier: string, deps: HookDeps): Promise<number> {
  const lock = await acquireLock(deps.config.stateDir, identifier, { timeoutMs: deps.config.lockTimeoutMs, sleep: deps.sleep, now: deps.now });
  try {
    const open = Journal.readOpen(deps.config.stateDir, identifier);
    const runs = (open ? [open] : []).concat(readParkedJournals(deps.config.stateDir, identifier));
    for (const j of runs) abandonJournal(j, deps.exec());
    if (!runs.length) deps.log.info('recover', `${identifier} has no interrupted or waiting run to abandon`);
    return runs.length;
  } finally {
    lock.release();
  }
}

/** Recovers the given identifiers, or every one with an unfinished journal or a pending event. Safe at any time. */
export async function runRecover(o: CommonOptions & { json?: boolean; abandon?: boolean }, identifiers: string[], io: Io): Promise<number> {
  let log = bootstrapLogger(o);
  try {
    if (o.abandon && !identifiers.length) throw new InvalidArgumentError('recover --abandon needs the identifier(s) whose interrupted runs to abandon');
    const rt = makeRuntime(o, io.env, io.interactive);
    log = rt.log;
    const stateDir = rt.config.stateDir;
    requireStateDir(stateDir, 'write');
    if (o.abandon) for (const id of identifiers) await abandonRuns(id, rt.deps);
    const interrupted = listOpenJournals(stateDir);
    const waiting = listParkedJournals(stateDir).filter((i) => interrupted.indexOf(i) < 0);
    const known = interrupted.concat(waiting);
    const spooled = spooledIdentifiers(stateDir);
    const candidates = identifiers.length ? identifiers : known.concat(spooled.filter((i) => known.indexOf(i) < 0));
    // Only what has something to recover is touched (and counted): a named identifier with neither is said so.
    const ids = candidates.filter((i) => known.indexOf(i) >= 0 || spooled.indexOf(i) >= 0);
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
