// `check` through the bundled command, read as a Nagios plugin is read: the status word, the exit code
// that must agree with it, and performance data in the plugin grammar
// ('label'=value[UOM];[warn];[crit];[min];[max]); and as node_exporter reads a textfile.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { availableEvent, cacheImage } from '../e2e/scenario';
import { NodeKind, RunResult, runHook } from '../e2e/site';
import { useSite } from '../e2e/use-site';
import { cli } from './cli-site';

const EXIT: Record<string, number> = { OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3 };
const UOM = '(?:s|ms|us|%|B|KB|MB|GB|TB|c)?';
const RANGE = '@?(?:~|-?\\d+(?:\\.\\d+)?)?(?::(?:-?\\d+(?:\\.\\d+)?)?)?';
const NUM = '-?\\d+(?:\\.\\d+)?';
const PERF = new RegExp(`^('[^'=]+'|[^'= ]+)=(${NUM})(${UOM});(${RANGE});(${RANGE});(${NUM})?;(${NUM})?$`);

interface Perf {
  value: number;
  uom: string;
  warn: string;
  crit: string;
  min: string;
}

/** Parses plugin output as Nagios does: first line `STATUS - text | perfdata`; the exit code must match the status. */
function parsePlugin(r: RunResult): { status: string; text: string; perf: Record<string, Perf> } {
  const lines = r.stdout.split('\n').filter((l) => l !== '');
  expect(lines).toHaveLength(1);
  const m = /^(OK|WARNING|CRITICAL|UNKNOWN) - ([^|]*?)(?: \| (.*))?$/.exec(lines[0]);
  if (!m) throw new Error(`not plugin output: ${JSON.stringify(r.stdout)}`);
  expect(r.code).toBe(EXIT[m[1]]);
  const perf: Record<string, Perf> = {};
  for (const item of (m[3] || '').split(' ').filter(Boolean)) {
    const p = PERF.exec(item);
    if (!p) throw new Error(`performance data item ${JSON.stringify(item)} does not follow label=value[UOM];[warn];[crit];[min];[max]`);
    perf[p[1].replace(/^'|'$/g, '')] = { value: Number(p[2]), uom: p[3], warn: p[4], crit: p[5], min: p[6] };
  }
  return { status: m[1], text: m[2], perf };
}

/** Parses node_exporter textfile lines: HELP/TYPE comments and `name value` samples. */
function parseProm(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  const typed = new Set<string>();
  for (const line of text.split('\n').filter(Boolean)) {
    const t = /^# TYPE (\w+) (gauge|counter)$/.exec(line);
    if (t) typed.add(t[1]);
    else if (/^# HELP \w+ .+$/.test(line)) continue;
    else {
      const s = /^([a-zA-Z_:][a-zA-Z0-9_:]*) (-?\d+(?:\.\d+)?)$/.exec(line);
      if (!s) throw new Error(`not a textfile sample: ${line}`);
      expect(typed.has(s[1])).toBe(true);
      out[s[1]] = Number(s[2]);
    }
  }
  return out;
}

describe.each<NodeKind>(['node20', 'node10'])('check under %s', (node) => {
  const getSite = useSite();

  it('says OK with zeroed performance data on a quiet site, and the thresholds in it', async () => {
    const site = getSite();
    const p = parsePlugin(await cli(site, node, ['check']));
    expect(p.status).toBe('OK');
    expect(p.text).toBe('0 event(s) pending');
    expect(p.perf).toEqual({
      pending: { value: 0, uom: '', warn: '10', crit: '50', min: '0' },
      oldest_pending_s: { value: 0, uom: 's', warn: '21600', crit: '86400', min: '0' },
      interrupted: { value: 0, uom: '', warn: '0', crit: '', min: '0' },
      errors: { value: 0, uom: '', warn: '', crit: '0', min: '0' },
    });
    const q = parsePlugin(await cli(site, node, ['check', '--pending-warn', '3', '--age-crit', '']));
    expect(q.perf.pending.warn).toBe('3');
    expect(q.perf.oldest_pending_s.crit).toBe('');
  });

  it('goes CRITICAL for an event that keeps failing, WARNING for pending events over the threshold or an interrupted run', async () => {
    const site = getSite();
    const img = cacheImage(site, 'raw', 'x', undefined, 1);
    fs.unlinkSync(img.file);
    expect((await runHook(site, availableEvent(site, img), { node })).code).toBe(2);
    const env = { VMCHNDL_ON_RETRY_WARN_AFTER: '1' };
    const crit = parsePlugin(await cli(site, node, ['check'], env));
    expect(crit.status).toBe('CRITICAL');
    expect(crit.text).toMatch(/^1 event\(s\) failed 1\+ times \(AvailablePostfix 1e2b8099-febf-444f-8078-8942ca3e5210, 1 attempts\); `vmcatcher_eventHndl_ON pending` says why, 1 event\(s\) pending, oldest \d+s$/);
    expect(crit.perf.errors.value).toBe(1);
    expect(crit.perf.pending.value).toBe(1);
    // Below VMCHNDL_ON_RETRY_WARN_AFTER (5 by default) a failed event is only pending.
    const ok = parsePlugin(await cli(site, node, ['check']));
    expect(ok.status).toBe('OK');
    expect(ok.perf.errors.value).toBe(0);
    const warn = parsePlugin(await cli(site, node, ['check', '--pending-warn', '0']));
    expect(warn.status).toBe('WARNING');
    expect(warn.text).toMatch(/^1 event\(s\) pending, oldest \d+s$/);
    fs.mkdirSync(path.join(site.stateDir, 'journal'), { recursive: true });
    fs.writeFileSync(path.join(site.stateDir, 'journal', 'x.jsonl'), '');
    const intr = parsePlugin(await cli(site, node, ['check']));
    expect(intr.status).toBe('WARNING');
    expect(intr.text).toMatch(/^1 interrupted run\(s\); `vmcatcher_eventHndl_ON recover`, /);
    expect(intr.perf.interrupted.value).toBe(1);
    // Prometheus: the same measures, exit 0.
    const prom = await cli(site, node, ['check', '--format', 'prometheus'], env);
    expect(prom.code).toBe(0);
    const m = parseProm(prom.stdout);
    expect(m).toMatchObject({
      vmcatcher_eventhndl_on_pending_events: 1,
      vmcatcher_eventhndl_on_interrupted_runs: 1,
      vmcatcher_eventhndl_on_failing_events: 1,
      vmcatcher_eventhndl_on_check_status: 2,
    });
    expect(m.vmcatcher_eventhndl_on_oldest_pending_seconds).toBeGreaterThanOrEqual(0);
    expect(Math.abs(m.vmcatcher_eventhndl_on_check_timestamp_seconds - Date.now() / 1000)).toBeLessThan(120);
  });

  it('is CRITICAL with --oned when oned does not answer, UNKNOWN for bad settings or thresholds', async () => {
    const site = getSite();
    expect(parsePlugin(await cli(site, node, ['check', '--oned'])).status).toBe('OK');
    const down = parsePlugin(await cli(site, node, ['check', '--oned'], { VMCHNDL_ON_ENDPOINT: 'http://127.0.0.1:1/RPC2' }));
    expect(down.status).toBe('CRITICAL');
    expect(down.text).toMatch(/^oned does not answer: one\.system\.version failed \(connection\)/);
    const bad = parsePlugin(await cli(site, node, ['check'], { VMCHNDL_ON_RETRY_WARN_AFTER: 'many' }));
    expect(bad.status).toBe('UNKNOWN');
    expect(bad.text).toMatch(/VMCHNDL_ON_RETRY_WARN_AFTER/);
    const thr = parsePlugin(await cli(site, node, ['check', '--errors-crit', '-1']));
    expect(thr.text).toBe(`--errors-crit "-1": expected a whole number (or '' for none)`);
    expect(parsePlugin(await cli(site, node, ['check', '--format', 'xml'])).status).toBe('UNKNOWN');
  });
});
