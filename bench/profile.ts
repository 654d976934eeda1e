// `npm run bench -- --profile [qcow2|raw] [MiB]`: one rotation of a small disk under Node 20 with
// --cpu-prof, to see where the hook's own time goes; prints the heaviest functions (self time) and
// leaves the .cpuprofile in dist/bench/profile/. A tool for the benchmark's "fixed part", not a measure.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { hashAndConvert, measureRotations } from './rotation';
import { REPO, withSite } from './site';
import { makeRawDisk, sha512sum } from './workspace';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount: number;
  children?: number[];
}

async function main(): Promise<void> {
  const format = process.argv[2] === 'raw' ? 'raw' : 'qcow2';
  const mib = Number(process.argv[3] || 64);
  const dir = fs.mkdtempSync('/tmp/vmc-profile-');
  const out = path.join(REPO, 'dist/bench/profile');
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  try {
    const raw = path.join(dir, 'disk.raw');
    makeRawDisk(raw, mib);
    let file = raw;
    if (format === 'qcow2') {
      file = path.join(dir, 'disk.qcow2');
      execFileSync('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', raw, file]);
    }
    const runs = await withSite(path.join(dir, 'site'), {}, async (site) => {
      // The hook's shebang runs `node` from PATH: this one profiles.
      const wrapper = path.join(dir, 'bin');
      fs.mkdirSync(wrapper);
      fs.writeFileSync(path.join(wrapper, 'node'), `#!/bin/sh\nexec '${process.execPath}' --cpu-prof --cpu-prof-dir='${out}' "$@"\n`, { mode: 0o755 });
      site.baseEnv.BENCH_PATH_FIRST = wrapper;
      return measureRotations(site, { file, format, sha512: sha512sum(file), baseline: format === 'qcow2' ? hashAndConvert : undefined, node: 'node20', runs: 1 });
    });
    const r = runs[0];
    process.stdout.write(`hook ${r.totalMs.toFixed(0)} ms, oned ${r.onedMs} ms, ours ${r.oursMs.toFixed(0)} ms, ${JSON.stringify(r.phases)}, CPU ${r.cpuMs} ms\n`);
    for (const f of fs.readdirSync(out)) {
      const prof = JSON.parse(fs.readFileSync(path.join(out, f), 'utf8')) as { nodes: Node[]; startTime: number; endTime: number; samples: number[] };
      const tick = (prof.endTime - prof.startTime) / 1000 / prof.samples.length;
      const self: Record<string, number> = {};
      for (const n of prof.nodes) {
        const where = `${n.callFrame.functionName || '(anonymous)'} ${path.basename(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
        self[where] = (self[where] || 0) + n.hitCount * tick;
      }
      const byFile: Record<string, number> = {};
      for (const n of prof.nodes) {
        const u = path.basename(n.callFrame.url) || n.callFrame.functionName;
        byFile[u] = (byFile[u] || 0) + n.hitCount * tick;
      }
      process.stdout.write(`\n${f}: ${((prof.endTime - prof.startTime) / 1000).toFixed(0)} ms profiled\n`);
      for (const [k, v] of Object.entries(self).sort((a, b) => b[1] - a[1]).slice(0, 25)) process.stdout.write(`  ${v.toFixed(1).padStart(7)} ms  ${k}\n`);
      process.stdout.write('  by file:\n');
      for (const [k, v] of Object.entries(byFile).sort((a, b) => b[1] - a[1]).slice(0, 10)) process.stdout.write(`  ${v.toFixed(1).padStart(7)} ms  ${k}\n`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : e}\n`);
  process.exitCode = 1;
});
