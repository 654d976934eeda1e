// Checksum: the project's sha512File (in a probe process, Node 20 and Node 10) against sha512sum, same file, alternately.
import * as fs from 'fs';
import * as path from 'path';
import { NodeKind, nodeBinary, REPO } from './site';
import { median, mustSucceed, timeAsync, timeSync } from './stats';

export const PROBE = path.join(REPO, 'dist/bench/probe.js');

export interface ChecksumResult {
  bytes: number;
  sha512sumMs: number;
  oursMs: Record<NodeKind, number>;
  /** Our throughput over sha512sum's (≥ 0.9 wanted). */
  ratio: Record<NodeKind, number>;
}

/** Runs the probe with one task and returns its JSON answer (asynchronously: the simulator may be in this process). */
export async function probe(node: NodeKind, task: object): Promise<Record<string, unknown>> {
  const r = mustSucceed(`probe ${JSON.stringify(task)} (${node})`, await timeAsync(nodeBinary(node), [PROBE, JSON.stringify(task)]));
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

/** Medians of `runs` rounds; each round hashes the file with sha512sum, then our code under each Node. */
export async function measureChecksum(file: string, expected: string, runs: number): Promise<ChecksumResult> {
  const tool: number[] = [];
  const ours: Record<NodeKind, number[]> = { node20: [], node10: [] };
  for (let i = 0; i < runs; i++) {
    const r = mustSucceed('sha512sum', timeSync('sha512sum', ['-b', file]));
    if (r.stdout.split(' ')[0] !== expected) throw new Error('sha512sum changed its mind about the file');
    tool.push(r.ms);
    for (const node of ['node20', 'node10'] as NodeKind[]) {
      const a = await probe(node, { kind: 'sha512', file });
      if (a.hex !== expected) throw new Error(`sha512File under ${node} says ${a.hex}, sha512sum says ${expected}`);
      ours[node].push(a.ms as number);
    }
  }
  const sha512sumMs = median(tool);
  const oursMs = { node20: median(ours.node20), node10: median(ours.node10) };
  return {
    bytes: fs.statSync(file).size,
    sha512sumMs,
    oursMs,
    ratio: { node20: sha512sumMs / oursMs.node20, node10: sha512sumMs / oursMs.node10 },
  };
}
