// Pool lookup: the project's client reads every image (one.imagepool.info) and the planner's
// selectImages finds the current one, in a fresh process per run, for pools of growing size.
import { createHash } from 'crypto';
import { callBody, i, post, s } from '../test/sim/rpc';
import { probe } from './checksum';
import { BenchSite, eventVars, IDENTIFIER, NodeKind } from './site';
import { median, since } from './stats';
import { performance } from 'perf_hooks';

export interface PoolResult {
  images: number;
  answerBytes: number;
  /** The simulator producing and sending the answer, read by a bare HTTP client. */
  serverMs: number;
  ms: Record<NodeKind, number>;
  /** CPU time of the lookup process during the lookup (user + system). */
  cpuMs: Record<NodeKind, number>;
  peakMiB: Record<NodeKind, number>;
  baseMiB: Record<NodeKind, number>;
}

const hex = (n: number, what: string) => createHash('sha512').update(`${what}${n}`).digest('hex');
const uuid = (n: number) => hex(n, 'id').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12}).*$/, '$1-$2-$3-$4-$5');

// What a registration of ours stores: every VMCATCHER_EVENT_* of a real event, with this image's values.
function templateOf(base: Record<string, string>, identifier: string, n: number): Record<string, string> {
  const t: Record<string, string> = {};
  for (const k of Object.keys(base)) if (k.indexOf('VMCATCHER_EVENT_') === 0 && k !== 'VMCATCHER_EVENT_TYPE') t[k] = base[k];
  return Object.assign(t, {
    VMCATCHER_EVENT_DC_IDENTIFIER: identifier,
    VMCATCHER_EVENT_FILENAME: identifier,
    VMCATCHER_EVENT_AD_MPURI: `https://appdb.example.test/store/vm/image/${identifier}:${n}/`,
    VMCATCHER_EVENT_HV_URI: `https://images.example.org/images/image-${n}.qcow2`,
    VMCATCHER_EVENT_DC_TITLE: `Image ${n} Linux Base`,
    VMCATCHER_EVENT_HV_SIZE: String(196616 + n),
    VMCATCHER_EVENT_SL_CHECKSUM_SHA512: hex(n, 'file'),
    DESCRIPTION: base.VMCATCHER_EVENT_DC_DESCRIPTION,
    VMCHNDL_ON_RUN: `20251121T101010Z-${n}`,
  });
}

/** Adds images up to `total`: per identifier its current image and one retired predecessor. */
export function growPool(site: BenchSite, total: number): void {
  const base = eventVars('03-AvailablePostfix.env');
  let n = site.sim.images().length;
  while (n < total) {
    const k = n >> 1;
    // The image the lookups look for sits among the first hundred.
    const identifier = k === 25 ? IDENTIFIER : uuid(k);
    const t = templateOf(base, identifier, k);
    site.sim.addImage({ name: `${identifier} 2025-06-0${1 + (k % 9)} 10:00:00 +0200 CEST`, mode: '700', state: 'DISABLED', template: Object.assign({}, t, { VMCHNDL_ON_RETIRED: '2025-06-01T08:00:00Z' }) });
    site.sim.addImage({ name: identifier, gid: 1, mode: '640', template: t });
    n += 2;
  }
}

/** Times the pool answer alone, as a bare HTTP client reads it (the median of three after one warm-up). */
async function serverTime(site: BenchSite): Promise<{ ms: number; bytes: number }> {
  const body = callBody('one.imagepool.info', [s(site.session), i(-2), i(-1), i(-1)]);
  const times: number[] = [];
  let bytes = 0;
  for (let r = 0; r < 4; r++) {
    const start = performance.now();
    const a = await post(site.sim.url, body);
    if (r > 0) times.push(since(start));
    bytes = Buffer.byteLength(a.body);
  }
  return { ms: median(times), bytes };
}

/** Grows the pool to each size and measures the lookup `runs` times under each Node. */
export async function measurePool(site: BenchSite, sizes: readonly number[], runs: number, log: (s: string) => void): Promise<PoolResult[]> {
  const results: PoolResult[] = [];
  for (const size of sizes) {
    growPool(site, size);
    const server = await serverTime(site);
    const ms: Record<NodeKind, number[]> = { node20: [], node10: [] };
    const cpu: Record<NodeKind, number[]> = { node20: [], node10: [] };
    const peak: Record<NodeKind, number[]> = { node20: [], node10: [] };
    const base: Record<NodeKind, number[]> = { node20: [], node10: [] };
    for (let r = 0; r < runs; r++) {
      for (const node of ['node20', 'node10'] as NodeKind[]) {
        const a = await probe(node, { kind: 'pool', endpoint: site.sim.url, session: site.session, identifier: IDENTIFIER });
        if (a.images !== size || typeof a.current !== 'number' || a.retired !== 1) {
          throw new Error(`pool of ${size}: the lookup found ${a.images} images, current ${a.current}, ${a.retired} retired`);
        }
        ms[node].push(a.ms as number);
        cpu[node].push(a.cpuMs as number);
        peak[node].push((a.peakKiB as number) / 1024);
        base[node].push((a.rssBeforeKiB as number) / 1024);
      }
    }
    const r: PoolResult = {
      images: size,
      answerBytes: server.bytes,
      serverMs: server.ms,
      ms: { node20: median(ms.node20), node10: median(ms.node10) },
      cpuMs: { node20: median(cpu.node20), node10: median(cpu.node10) },
      peakMiB: { node20: Math.max(...peak.node20), node10: Math.max(...peak.node10) },
      baseMiB: { node20: median(base.node20), node10: median(base.node10) },
    };
    log(`  pool of ${size}: ${(r.answerBytes / 1048576).toFixed(1)} MiB answer; Node 20 ${r.ms.node20.toFixed(0)} ms, Node 10 ${r.ms.node10.toFixed(0)} ms`);
    results.push(r);
  }
  return results;
}
