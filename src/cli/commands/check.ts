// `check`: a monitoring probe. One Nagios plugin line with performance data and exit 0/1/2/3, or
// Prometheus metrics for node_exporter's textfile collector. Reads the state directory only (and oned with --oned).
import { listOpenJournals } from '../../exec/journal';
import { listSpool } from '../../spool/spool';
import { DEFAULT_THRESHOLDS, evaluateProbe, formatNagios, formatPrometheus, PROBE_EXIT, Thresholds } from '../../status/check-probe';
import { Io } from '../io';
import { bootstrapLogger, CommonOptions, makeRuntime } from '../runtime';

export interface CheckOptions extends CommonOptions {
  format?: string;
  oned?: boolean;
  pendingWarn?: string;
  pendingCrit?: string;
  ageWarn?: string;
  ageCrit?: string;
  interruptedWarn?: string;
  interruptedCrit?: string;
  errorsWarn?: string;
  errorsCrit?: string;
}

class BadThreshold extends Error {}

// A number, or '' for no threshold.
function threshold(flag: string, given: string | undefined, dflt: number | undefined): number | undefined {
  if (given === undefined) return dflt;
  if (given === '') return undefined;
  if (!/^\d+$/.test(given)) throw new BadThreshold(`--${flag} ${JSON.stringify(given)}: expected a whole number (or '' for none)`);
  return Number(given);
}

function thresholdsOf(o: CheckOptions): Thresholds {
  const d = DEFAULT_THRESHOLDS;
  return {
    pending: { warn: threshold('pending-warn', o.pendingWarn, d.pending.warn), crit: threshold('pending-crit', o.pendingCrit, d.pending.crit) },
    oldestPendingS: { warn: threshold('age-warn', o.ageWarn, d.oldestPendingS.warn), crit: threshold('age-crit', o.ageCrit, d.oldestPendingS.crit) },
    interrupted: { warn: threshold('interrupted-warn', o.interruptedWarn, d.interrupted.warn), crit: threshold('interrupted-crit', o.interruptedCrit, d.interrupted.crit) },
    errors: { warn: threshold('errors-warn', o.errorsWarn, d.errors.warn), crit: threshold('errors-crit', o.errorsCrit, d.errors.crit) },
  };
}

/** Prints the verdict; exit codes are the plugin's (prometheus: 0 unless UNKNOWN). */
export async function runCheck(o: CheckOptions, io: Io): Promise<number> {
  const format = o.format || 'nagios';
  const unknown = (why: string) => {
    // Nagios reads stdout only: the reason goes there, on one line.
    io.stdout(`UNKNOWN - ${why.replace(/\s*\n\s*/g, '; ')}\n`);
    return PROBE_EXIT.UNKNOWN;
  };
  if (format !== 'nagios' && format !== 'prometheus') return unknown(`--format ${JSON.stringify(format)}: expected nagios or prometheus`);
  let log = bootstrapLogger(o);
  try {
    const t = thresholdsOf(o);
    const rt = makeRuntime(o, io.env, false);
    log = rt.log;
    const unreadable: string[] = [];
    const entries = listSpool(rt.config.stateDir, undefined, (f) => unreadable.push(f));
    if (unreadable.length) log.warn('check', `${unreadable.length} unreadable spool entr${unreadable.length === 1 ? 'y' : 'ies'}: ${unreadable.join(', ')}`);
    let onedProblem: string | undefined;
    if (o.oned) {
      try {
        await rt.deps.one().systemVersion();
      } catch (e) {
        onedProblem = (e as Error).message;
      }
    }
    const now = Date.now();
    const r = evaluateProbe({ entries, interrupted: listOpenJournals(rt.config.stateDir), now, warnAfter: rt.config.retryWarnAfter, thresholds: t, onedProblem });
    if (format === 'prometheus') {
      io.stdout(formatPrometheus(r, now));
      return 0;
    }
    io.stdout(formatNagios(r, t));
    return PROBE_EXIT[r.status];
  } catch (e) {
    log.debug('check', (e as Error).stack || String(e));
    return unknown((e as Error).message);
  }
}
