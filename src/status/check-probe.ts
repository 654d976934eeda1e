// `check`: the monitoring probe's measurements and verdict, as a Nagios plugin and as Prometheus
// textfile metrics. Pure: the spool entries, the open journals and the clock come in.
import type { SpoolEntry } from '../spool/spool';

export type ProbeStatus = 'OK' | 'WARNING' | 'CRITICAL' | 'UNKNOWN';

/** Nagios plugin exit codes. */
export const PROBE_EXIT: Record<ProbeStatus, number> = { OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3 };

/** Alert when a value is above the threshold (Nagios' "N" range: OK from 0 to N). */
export interface Thresholds {
  readonly pending: { warn?: number; crit?: number };
  readonly oldestPendingS: { warn?: number; crit?: number };
  readonly interrupted: { warn?: number; crit?: number };
  readonly errors: { warn?: number; crit?: number };
}

export const DEFAULT_THRESHOLDS: Thresholds = {
  pending: { warn: 10, crit: 50 },
  oldestPendingS: { warn: 21600, crit: 86400 },
  interrupted: { warn: 0 },
  errors: { crit: 0 },
};

export interface ProbeInput {
  readonly entries: readonly SpoolEntry[];
  readonly interrupted: readonly string[];
  readonly now: number;
  /** VMCHNDL_ON_RETRY_WARN_AFTER: an event that failed this often needs an admin. */
  readonly warnAfter: number;
  readonly thresholds: Thresholds;
  /** Set when oned was asked and did not answer (check --oned). */
  readonly onedProblem?: string;
}

export interface ProbeResult {
  readonly status: ProbeStatus;
  readonly summary: string;
  readonly metrics: { pending: number; oldestPendingS: number; interrupted: number; errors: number };
}

type Key = keyof Thresholds;

function level(value: number, t: { warn?: number; crit?: number }): ProbeStatus {
  if (t.crit !== undefined && value > t.crit) return 'CRITICAL';
  if (t.warn !== undefined && value > t.warn) return 'WARNING';
  return 'OK';
}

const RANK: Record<ProbeStatus, number> = { OK: 0, WARNING: 1, UNKNOWN: 2, CRITICAL: 3 };

function duration(s: number): string {
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172800) return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60) ? `${Math.floor((s % 3600) / 60)}m` : ''}`;
  return `${Math.floor(s / 86400)}d`;
}

/** Measures and judges; the summary names the worst problem first. */
export function evaluateProbe(input: ProbeInput): ProbeResult {
  const { entries, now } = input;
  const oldest = entries.reduce((m, e) => Math.min(m, e.receivedAt), now);
  const failing = entries.filter((e) => e.attempts >= input.warnAfter);
  const metrics = { pending: entries.length, oldestPendingS: Math.max(0, Math.floor((now - oldest) / 1000)), interrupted: input.interrupted.length, errors: failing.length };
  const keyOf: Record<Key, keyof ProbeResult['metrics']> = { pending: 'pending', oldestPendingS: 'oldestPendingS', interrupted: 'interrupted', errors: 'errors' };
  const parts: Array<{ status: ProbeStatus; text: string }> = [];
  const say = (k: Key, text: string) => parts.push({ status: level(metrics[keyOf[k]], input.thresholds[k]), text });
  if (input.onedProblem) parts.push({ status: 'CRITICAL', text: `oned does not answer: ${input.onedProblem}` });
  if (failing.length) {
    const e = failing[0];
    say('errors', `${failing.length} event(s) failed ${input.warnAfter}+ times (${e.type} ${e.identifier}, ${e.attempts} attempts); \`vmcatcher_eventHndl_ON pending\` says why`);
  }
  if (metrics.interrupted) say('interrupted', `${metrics.interrupted} interrupted run(s); \`vmcatcher_eventHndl_ON recover\``);
  say('pending', `${metrics.pending} event(s) pending`);
  if (metrics.pending) say('oldestPendingS', `oldest ${duration(metrics.oldestPendingS)}`);
  const status = parts.reduce<ProbeStatus>((s, p) => (RANK[p.status] > RANK[s] ? p.status : s), 'OK');
  // The problems first, worst first; then the rest.
  const sorted = parts.map((p, i) => ({ p, i })).sort((a, b) => RANK[b.p.status] - RANK[a.p.status] || a.i - b.i).map((x) => x.p.text);
  return { status, summary: sorted.join(', '), metrics };
}

function range(n: number | undefined): string {
  return n === undefined ? '' : String(n);
}

/** The plugin's one line: `STATUS - summary | perfdata` (label=value[UOM];[warn];[crit];[min];[max]). */
export function formatNagios(r: ProbeResult, t: Thresholds): string {
  const m = r.metrics;
  const perf = [
    `pending=${m.pending};${range(t.pending.warn)};${range(t.pending.crit)};0;`,
    `oldest_pending_s=${m.oldestPendingS}s;${range(t.oldestPendingS.warn)};${range(t.oldestPendingS.crit)};0;`,
    `interrupted=${m.interrupted};${range(t.interrupted.warn)};${range(t.interrupted.crit)};0;`,
    `errors=${m.errors};${range(t.errors.warn)};${range(t.errors.crit)};0;`,
  ];
  // '|' would start the performance data: never in the text.
  return `${r.status} - ${r.summary.replace(/\|/g, '/').replace(/[\r\n]+/g, ' ')} | ${perf.join(' ')}\n`;
}

/** The node_exporter textfile collector's format. */
export function formatPrometheus(r: ProbeResult, now: number): string {
  const p = 'vmcatcher_eventhndl_on';
  const m = r.metrics;
  const gauge = (name: string, help: string, value: number) => `# HELP ${p}_${name} ${help}\n# TYPE ${p}_${name} gauge\n${p}_${name} ${value}\n`;
  return (
    gauge('pending_events', 'Events waiting in the spool.', m.pending) +
    gauge('oldest_pending_seconds', 'Age of the oldest pending event, in seconds (0 when none).', m.oldestPendingS) +
    gauge('interrupted_runs', 'Runs interrupted and not yet recovered.', m.interrupted) +
    gauge('failing_events', 'Pending events that failed VMCHNDL_ON_RETRY_WARN_AFTER times or more.', m.errors) +
    gauge('check_status', 'The check verdict: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.', PROBE_EXIT[r.status]) +
    gauge('check_timestamp_seconds', 'When this was measured (Unix time).', Math.floor(now / 1000))
  );
}
