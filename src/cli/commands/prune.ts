// `prune [identifier…]`: retention on demand. For each identifier with a record (or those given), under its
// lock: finish an interrupted run, observe, plan what VMCHNDL_ON_KEEP_RETIRED (or --keep) deletes, and run
// it journalled like any plan. --dry-run only says what would go and why each other version stays.
import { EXIT, InvalidArgumentError } from '../../errors';
import { isUsableIdentifier } from '../../event/parse-event';
import { executePlan } from '../../exec/executor';
import { lockIdentifier } from '../../hook/identifier-lock';
import { requireStateDir } from '../../files/state-dir';
import type { HookDeps } from '../../hook/deps';
import { logPlan, recoverIdentifier } from '../../hook/plan-event';
import { newRunId } from '../../hook/run-id';
import { observeRecorded } from '../../observe/observe';
import { PruneReport, prunePlan } from '../../plan/plan-prune';
import { listRecords, readRecord } from '../../record/record';
import { Io, reportError } from '../io';
import { bootstrapLogger, CommonOptions, makeRuntime } from '../runtime';

export type PruneOptions = CommonOptions & { dryRun?: boolean; json?: boolean; keep?: string };

interface Pruned {
  readonly report: PruneReport;
  /** Images deleted by this run (empty with --dry-run). */
  readonly deleted: number[];
}

async function pruneOne(identifier: string, deps: HookDeps, dryRun: boolean): Promise<Pruned> {
  const observeNow = async () => {
    const obs = await observeRecorded(identifier, { one: deps.one(), config: deps.config, sessionUser: deps.sessionUser(), env: deps.env });
    const now = deps.now();
    return prunePlan(identifier, obs, deps.config, { runId: newRunId(now), now, stamp: '' });
  };
  if (dryRun) return { report: (await observeNow()).report, deleted: [] };
  const lock = await lockIdentifier(identifier, deps);
  try {
    // An interrupted run first ends as it must: it may be about to record a retirement.
    await recoverIdentifier(identifier, deps);
    const { plan, report } = await observeNow();
    if (!plan.steps.length) return { report, deleted: [] };
    logPlan(plan, deps.log);
    await executePlan(plan, 'prune', deps.exec());
    const rec = readRecord(deps.config.stateDir, identifier);
    const pruned = rec ? rec.retired.filter((r) => r.pruned).map((r) => r.id) : [];
    return { report, deleted: plan.steps.map((s) => (s as { image: number }).image).filter((id) => pruned.indexOf(id) >= 0) };
  } finally {
    lock.release();
  }
}

function text(results: readonly Pruned[], dryRun: boolean): string {
  const out: string[] = [];
  for (const r of results) {
    out.push(`${r.report.identifier}:`);
    if (!r.report.verdicts.length) out.push('  no retired version');
    for (const v of r.report.verdicts) {
      const what = v.delete ? (dryRun ? 'would delete' : r.deleted.indexOf(v.id) >= 0 ? 'deleted' : 'kept (see the log)') : 'keeps';
      out.push(`  ${what} image ${v.id} ${JSON.stringify(v.name)}: ${v.why}`);
    }
  }
  return out.join('\n') + '\n';
}

/** Deletes (or, with --dry-run, lists) the retired versions retention lets go. */
export async function runPrune(o: PruneOptions, identifiers: string[], io: Io): Promise<number> {
  let log = bootstrapLogger(o);
  try {
    for (const id of identifiers) if (!isUsableIdentifier(id)) throw new InvalidArgumentError(`prune: ${JSON.stringify(id)} is not a usable identifier`);
    if (o.keep !== undefined && !/^\d{1,6}$/.test(o.keep)) throw new InvalidArgumentError(`prune: --keep expects a whole number, 0 or more, got ${JSON.stringify(o.keep)}`);
    const rt = makeRuntime(o, io.env, io.interactive);
    log = rt.log;
    const keep = o.keep !== undefined ? Number(o.keep) : rt.config.keepRetired;
    if (keep === undefined) {
      throw new InvalidArgumentError('prune: VMCHNDL_ON_KEEP_RETIRED is not set, so every retired version is kept; set it, or say how many to keep with --keep N');
    }
    const config = Object.assign({}, rt.config, { keepRetired: keep });
    const deps: HookDeps = Object.assign({}, rt.deps, { config, exec: () => Object.assign(rt.deps.exec(), { config }) });
    requireStateDir(config.stateDir, o.dryRun ? 'read' : 'write');
    const ids = identifiers.length ? identifiers : listRecords(config.stateDir);
    const results: Pruned[] = [];
    for (const id of ids) results.push(await pruneOne(id, deps, Boolean(o.dryRun)));
    if (o.json) {
      const view = results.map((r) => ({ identifier: r.report.identifier, verdicts: r.report.verdicts, deleted: r.deleted }));
      io.stdout(JSON.stringify({ keep, minAgeSeconds: config.pruneMinAgeMs / 1000, dryRun: Boolean(o.dryRun), identifiers: view }, null, 2) + '\n');
    } else io.stdout(text(results, Boolean(o.dryRun)));
    if (!ids.length) log.info('prune', 'the handler has no record of any image: nothing to prune');
    return EXIT.OK;
  } catch (e) {
    return reportError(e, log);
  }
}
