// bench/RESULTS.md: the machine, the table, the pool's details and how each figure was made.
import { Results, table } from './report';
import { fmtBytes, fmtMs } from './stats';

const MB = 1e6;
const mb = (mib: number) => Math.round((mib * 1048576) / MB);

const s = (ms: number) => (ms / 1000).toFixed(2);

// One line per rotation: where the medians come from.
function runsTable(r: Results): string {
  const lines = ['| rotation | hook | oned\'s copy | READY noticed after | ours | baseline | ours / baseline |', '|---|---|---|---|---|---|---|'];
  for (const [what, runs] of [['qcow2 → raw', r.rotationRuns], ['qcow2 → raw, checksum off', r.unverifiedRuns], ['raw → raw', r.sameFormatRuns]] as const) {
    for (const x of runs) lines.push(`| ${what} | ${s(x.totalMs)} s | ${s(x.onedMs)} s | ${s(x.pollLagMs)} s | ${s(x.oursMs)} s | ${s(x.baselineMs)} s | ${(x.oursMs / x.baselineMs).toFixed(2)} |`);
  }
  return lines.join('\n');
}

/** The text of bench/RESULTS.md. */
export function resultsMarkdown(r: Results): string {
  const m = r.machine;
  const pool = ['| images | answer | answer alone | lookup Node 20 / 10 | CPU Node 20 / 10 | peak RSS Node 20 / 10 |', '|---|---|---|---|---|---|'];
  for (const p of r.pool) {
    pool.push(
      `| ${p.images} | ${fmtBytes(p.answerBytes)} | ${fmtMs(p.serverMs)} | ${fmtMs(p.ms.node20)} / ${fmtMs(p.ms.node10)} | ${fmtMs(p.cpuMs.node20)} / ${fmtMs(p.cpuMs.node10)} | ` +
        `${mb(p.peakMiB.node20)} / ${mb(p.peakMiB.node10)} MB (at start ${mb(p.baseMiB.node20)} / ${mb(p.baseMiB.node10)}) |`,
    );
  }
  return `# Benchmark results

Written by \`npm run bench\` on ${m.date}. Every figure is a ratio of two things measured side by side
in the same run (alternating), so that a busy machine slows both alike; times are medians.

Machine: ${m.cpus} CPUs (nproc), ${m.cpuModel}, ${m.memory} memory, ${m.kernel}.
Node.js ${m.node20} and ${m.node10}; ${m.qemuImg}; ${m.sha512sum}. Bundle: ${fmtBytes(r.bundleBytes)}, of which ${fmtBytes(r.entryBytes)} compiled for every event.

${table(r)}

## How

- **start-up**: \`node bin/vmcatcher_eventHndl_ON\` with vmcatcher's real ProcessPrefix environment
  (default settings, nothing pending) against \`node -e 0\`, alternating, each started directly.
- **rotation overhead**: the disk is ${r.sizeMiB} MiB (${r.dataMiB} MiB of incompressible data, the rest
  holes), cached as qcow2; the current image (group users, mode 640) holds another version. The
  hook runs under Node 10 as vmcatcher runs it (\`/bin/sh -c\`, default settings: checksum
  verification on, READY polls 0.25 s apart at first, then a quarter of the time waited) against the oned simulator in the benchmark's
  process. oned's part, from receiving one.image.allocate to the image being READY (its copy into the
  datastore), is subtracted; the time until our poll sees READY is not. Baseline: \`qemu-img convert
  -f qcow2 -O raw -W\` of the same file (our convert step's command, without \`-p\`). \`sync\`
  before each timed run; files are in the page cache for both. The floor is our sha512 of the
  qcow2 file alone at the throughput the checksum measure found: with verification on, no rotation
  can take less, wherever the hash runs.
- **for comparison, checksum off**: the same rotation on a site with \`VMCHNDL_ON_VERIFY_CHECKSUM=no\`:
  what a rotation costs besides the hash (starting Node, reading oned, qemu-img info and check,
  the calls around the copy, noticing READY).
- **same format**: the same disk cached as raw, registered as raw. Bytes written are the wchar of
  \`/proc/<pid>/io\` of the hook (children it waited for included), read at its exit; oned reading
  the cached file itself is checked by the inode behind the PATH it was given. Baseline: \`sha512sum\`.

${runsTable(r)}

- **pool lookup**: \`createOneClient(...).imagePool()\` and the planner's \`selectImages\` in a fresh
  process per run (shipped code, built for Node 10), against the simulator holding that many images:
  per identifier a current image and a retired one, each with every VMCATCHER_EVENT_* attribute of a
  real event. "Answer alone" is the simulator producing and sending the answer, read by a bare HTTP
  client: oned's part, taken out of "ours" as in the rotation. CPU is the lookup process's user +
  system time during the lookup; peak RSS its VmHWM.

${pool.join('\n')}

- **checksum**: \`sha512File\` (src/files/checksum.ts) in a fresh process against \`sha512sum -b\`,
  the ${r.sizeMiB} MiB raw disk, from the page cache.
- **calls**: the simulator's call log of the rotation above, and of a small rotation whose copy
  takes 3 s with \`VMCHNDL_ON_POLL_INTERVAL=0.1\`, to show the back-off.
`;
}
