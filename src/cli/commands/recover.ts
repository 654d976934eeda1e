// `recover [identifier…]`: finish or roll back interrupted runs; safe at any time.
import { EXIT } from '../../errors';
import { listOpenJournals } from '../../exec/journal';
import { acquireLock } from '../../exec/lock';
import { recoverIdentifier } from '../../hook/handle-event';
import { Io, reportError } from '../io';
import { bootstrapLogger, CommonOptions, makeRuntime } from '../runtime';

/** Recovers the given identifiers, or every one with an unfinished journal. */
export async function runRecover(o: CommonOptions & { json?: boolean }, identifiers: string[], io: Io): Promise<number> {
  let log = bootstrapLogger(o);
  try {
    const rt = makeRuntime(o, io.env, io.interactive);
    log = rt.log;
    const ids = identifiers.length ? identifiers : listOpenJournals(rt.config.stateDir);
    const results: { identifier: string; result: string }[] = [];
    for (const id of ids) {
      const lock = await acquireLock(rt.config.stateDir, id, { timeoutMs: rt.config.lockTimeoutMs, sleep: rt.deps.sleep, now: rt.deps.now });
      try {
        results.push({ identifier: id, result: await recoverIdentifier(id, rt.deps) });
      } finally {
        lock.release();
      }
    }
    if (o.json) io.stdout(JSON.stringify({ recovered: results }, null, 2) + '\n');
    if (!results.length) log.info('recover', 'no interrupted runs: nothing to recover');
    for (const r of results) log.info('recover', `${r.identifier}: ${r.result === 'none' ? 'nothing to recover' : r.result}`);
    return EXIT.OK;
  } catch (e) {
    return reportError(e, log);
  }
}
