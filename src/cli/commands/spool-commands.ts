// `pending`, `retry`, `forget`, `drain`: what the spool holds and what to do with it.
import * as readline from 'readline';
import { formatLocalTime } from '../../clock/local-time';
import { EXIT, InvalidArgumentError } from '../../errors';
import { failIfAnyFailed, retryPending } from '../../hook/handle-event';
import { EntryResult, retryPolicy } from '../../hook/process-identifier';
import { unreadableEntryMessage, warnUnreadableEntries } from '../../hook/spool-warnings';
import { superseded } from '../../hook/supersede';
import { nextAttemptAt } from '../../spool/retry-policy';
import { identifierOfEntryFile, listSpool, removeEntry, SpoolEntry } from '../../spool/spool';
import { requireStateDir } from '../../files/state-dir';
import { shortError } from '../../status/short-error';
import { Io, reportError } from '../io';
import { bootstrapLogger, CommonOptions, makeRuntime } from '../runtime';
import { formatTable } from '../table';

function row(e: SpoolEntry, next: number, isSuperseded: boolean) {
  return {
    identifier: e.identifier,
    type: e.type,
    received: new Date(e.receivedAt).toISOString(),
    attempts: e.attempts,
    lastError: e.lastError || '',
    nextAttempt: new Date(next).toISOString(),
    // A newer AvailablePostfix for the same image replaces it (dropped when the image is next handled).
    superseded: isSuperseded,
  };
}

/** Lists pending events, as a table or JSON. */
export async function runPending(o: CommonOptions & { json?: boolean }, io: Io): Promise<number> {
  let log = bootstrapLogger(o);
  try {
    const rt = makeRuntime(o, io.env, io.interactive);
    log = rt.log;
    requireStateDir(rt.config.stateDir, 'read');
    const policy = retryPolicy(rt.deps);
    const unreadable = warnUnreadableEntries(rt.config.stateDir, log, true);
    const entries = listSpool(rt.config.stateDir, undefined, undefined, false);
    const replaced = superseded(entries);
    const rows = entries.map((e) => row(e, nextAttemptAt(e, policy), replaced.indexOf(e) >= 0));
    const bad = unreadable.map((file) => ({ file, identifier: identifierOfEntryFile(file) }));
    // unreadable: entries moved aside (spool/bad/), listed until an administrator removes them.
    if (o.json) io.stdout(JSON.stringify(bad.length ? { pending: rows, unreadable: bad } : { pending: rows }, null, 2) + '\n');
    else if (!rows.length && !bad.length) io.stdout('no pending events\n');
    else {
      for (const b of bad) io.stdout(`UNREADABLE: ${unreadableEntryMessage(b.file)}\n`);
      if (!rows.length) return EXIT.OK;
      io.stdout(
        formatTable(
          ['IDENTIFIER', 'TYPE', 'RECEIVED', 'ATTEMPTS', 'NEXT ATTEMPT', 'LAST ERROR'],
          // Local time with its offset, as every command prints times for people; --json keeps ISO 8601 UTC.
          rows.map((r) => [r.identifier, r.type, formatLocalTime(r.received), String(r.attempts), r.superseded ? 'superseded by a newer event' : formatLocalTime(r.nextAttempt), shortError(r.lastError)]),
        ),
      );
    }
    return EXIT.OK;
  } catch (e) {
    return reportError(e, log);
  }
}

/** Processes pending events now (all, or those of the given identifiers), ignoring the back-off; --json prints each event's outcome. */
export async function runRetry(o: CommonOptions & { json?: boolean }, identifiers: string[], io: Io, drain = false): Promise<number> {
  let log = bootstrapLogger(o);
  let results: EntryResult[] = [];
  const print = () => {
    if (!o.json) return;
    const events = results.map((r) => {
      const v = { identifier: r.entry.identifier, type: r.entry.type, received: new Date(r.entry.receivedAt).toISOString(), attempts: r.entry.attempts, outcome: r.outcome };
      return r.error instanceof Error ? Object.assign(v, { error: r.error.message }) : v;
    });
    io.stdout(JSON.stringify({ events }, null, 2) + '\n');
  };
  try {
    const rt = makeRuntime(o, io.env, io.interactive);
    log = rt.log;
    requireStateDir(rt.config.stateDir, 'write');
    warnUnreadableEntries(rt.config.stateDir, log);
    results = await retryPending(rt.deps, !drain, identifiers.length ? identifiers : undefined);
    const done = results.filter((r) => r.outcome === 'done' || r.outcome === 'nothing').length;
    const superseded = results.filter((r) => r.outcome === 'superseded').length;
    log.info(drain ? 'drain' : 'retry', `${done} event(s) processed, ${superseded ? `${superseded} superseded, ` : ''}${results.length - done - superseded} still pending`);
    print();
    failIfAnyFailed(results, drain ? 'drain' : 'retry');
    return EXIT.OK;
  } catch (e) {
    return reportError(e, log);
  }
}

function ask(question: string): Promise<boolean> {
  return new Promise((resolve) => {
    const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
    rl.question(question, (answer) => {
      rl.close();
      resolve(/^y(es)?$/i.test(answer.trim()));
    });
  });
}

/** Removes the pending events of one identifier, after asking (or with --yes); --json prints what was dropped. */
export async function runForget(o: CommonOptions & { yes?: boolean; json?: boolean }, identifier: string, io: Io): Promise<number> {
  let log = bootstrapLogger(o);
  const print = (forgotten: SpoolEntry[]) => {
    if (o.json) {
      const events = forgotten.map((e) => ({ type: e.type, received: new Date(e.receivedAt).toISOString(), attempts: e.attempts, lastError: e.lastError || null }));
      io.stdout(JSON.stringify({ identifier, forgotten: events }, null, 2) + '\n');
    }
    return EXIT.OK;
  };
  try {
    const rt = makeRuntime(o, io.env, io.interactive);
    log = rt.log;
    requireStateDir(rt.config.stateDir, 'write');
    const entries = listSpool(rt.config.stateDir, identifier);
    if (!entries.length) {
      log.info('forget', `no pending events for ${identifier}`);
      return print([]);
    }
    const list = entries.map((e) => `${e.type} received ${formatLocalTime(e.receivedAt)}`).join(', ');
    if (!o.yes) {
      if (!io.interactive) throw new InvalidArgumentError(`forget ${identifier}: would drop ${entries.length} pending event(s) (${list}); confirm with --yes`);
      if (!(await ask(`Forget ${entries.length} pending event(s) for ${identifier} (${list})? OpenNebula is not changed. [y/N] `))) {
        log.info('forget', 'nothing forgotten');
        return print([]);
      }
    }
    for (const e of entries) {
      removeEntry(rt.config.stateDir, e);
      log.warn('forget', `forgot pending ${e.type} for ${identifier} received ${formatLocalTime(e.receivedAt)} (attempts: ${e.attempts}; last error: ${e.lastError || 'none'})`);
    }
    return print(entries);
  } catch (e) {
    return reportError(e, log);
  }
}
