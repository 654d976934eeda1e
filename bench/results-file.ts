// bench/RESULTS.md: the machine, the table, the pool's details and how each figure was made.
import type { RotationRun } from './rotation';
import { COPY_DELAY_MS } from './site';
import { Results, table } from './report';
import { fmtBytes, fmtMs } from './stats';

const MB = 1e6;
const mb = (mib: number) => Math.round((mib * 1048576) / MB);

const s = (ms: number) => (ms / 1000).toFixed(2);

const mbKiB = (kib: number) => Math.round((kib * 1024) / MB);

function runLine(what: string, x: RotationRun): string {
  const child = x.childPeakKiB['qemu-img'];
  return (
    `| ${what} | ${s(x.totalMs)} s | ${s(x.onedMs)} s | ${s(x.pollLagMs)} s / ${x.polls} | ${s(x.oursMs)} s | ${s(x.oursMs - x.phases.log.workMs)} s | ${s(x.baselineMs)} s | ${(x.oursMs / x.baselineMs).toFixed(2)} | ` +
    `${fmtBytes(x.writtenBytes)} | ${mbKiB(x.peakKiB)} / ${child ? mbKiB(child) : '—'} MB | ${fmtBytes(x.cachedBytesAtStart)} |`
  );
}

// One line per rotation: where the medians come from.
function runsTable(r: Results): string {
  const lines = [
    '| rotation | hook | oned\'s copy | READY noticed after / polls | ours | fixed part | floor | ours / floor | written | peak RSS hook / qemu-img | cached at start |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  const all: Array<[string, RotationRun[]]> = [
    [`${r.sizeMiB} MiB qcow2 → raw`, r.rotationRuns],
    [`${r.sizeMiB} MiB qcow2 → raw, checksum off`, r.unverifiedRuns],
    [`${r.sizeMiB} MiB raw → raw`, r.sameFormatRuns],
  ];
  for (const b of r.big) {
    all.push([`${b.virtualMiB} MiB qcow2 → raw, from the disk`, b.qcow2Runs]);
    all.push([`${b.virtualMiB} MiB raw → raw, from the disk`, b.rawRuns]);
  }
  for (const [what, runs] of all) for (const x of runs) lines.push(runLine(what, x));
  return lines.join('\n');
}

function loadLine(r: Results): string {
  const busy = Math.max(r.load.start[0], r.load.end[0], r.load.start[1], r.load.end[1]) > Number(r.machine.cpus);
  return (
    `Load average (1, 5, 15 min) at the start ${r.load.start.map((x) => x.toFixed(2)).join(', ')}, at the end ${r.load.end.map((x) => x.toFixed(2)).join(', ')}; ` +
    `the benchmark took ${Math.round(r.benchMs / 60000)} min.` +
    (busy
      ? ` **The machine was loaded** (more runnable processes than CPUs) while this ran: the ratios, measured side by side, are the figures to read; absolute times are inflated and all figures are to be re-taken on a quiet machine.`
      : '')
  );
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
${loadLine(r)}${r.quick ? ' Quick run (`--quick`): small files, one run each; the big images are 256 MiB and 1 GiB, not 1 to 20 GiB.' : ''}

${table(r)}

## How

- **start-up**: \`node bin/vmcatcher_eventHndl_ON\` with vmcatcher's real ProcessPrefix environment
  (default settings, nothing pending) against \`node -e 0\`, alternating, each started directly.
- **rotation against its floor**: the disk is ${r.sizeMiB} MiB (${r.dataMiB} MiB of incompressible data, the rest
  holes), cached as qcow2 and in the page cache; the current image (group users, mode 640) holds another version. The
  hook runs under Node 10 as vmcatcher runs it (\`/bin/sh -c\`, default settings: checksum
  verification on, READY polls 0.25 s apart at first, then a tenth of the time waited, at most 30 s) against the oned simulator in the benchmark's
  process (its copy starting ${COPY_DELAY_MS} ms after the allocate). oned's part, from receiving one.image.allocate to the image being READY (its copy into the
  datastore), is subtracted; the time until our poll sees READY is not. The floor, run alongside (alternating which goes first):
  what a careful shell script has to do, \`sha512sum -b\` and \`qemu-img convert -f qcow2 -O raw -W\` (our convert step's
  command, without \`-p\`) of the same file started together, timed until both end. \`sync\` before each timed run.
  The fixed part is ours less the convert step (from the hook's log line starting step 1 to the rename call; the hash,
  begun when the event was taken up, ends in it). Its parts, from the hook's log lines (ms resolution) and the
  simulator's call log: start-up (hook started → its first line: Node, the bundle, settings, lock, spool), observing
  (→ the plan: oned read, qemu-img --version, info and check, with the hash running alongside when the checksum is on),
  planning (→ step 1), READY noticed late, after READY (the poll that saw it → the hook's exit), the rest (rename,
  allocate). CPU time: the hook's user + system time with its waited-for children (\`/proc/self/stat\` at its exit),
  the floor's from GNU time.
- **checksum off**: the same rotation on a site with \`VMCHNDL_ON_VERIFY_CHECKSUM=no\`, against \`qemu-img convert\` alone.
- **same format**: the same disk cached as raw, registered as raw. Bytes written are the wchar of
  \`/proc/<pid>/io\` of the hook (children it waited for included), read at its exit; oned reading
  the cached file itself is checked by the inode behind the PATH it was given. Baseline: \`sha512sum\`.
- **big images**: disks of ${r.big.map((b) => `${b.virtualMiB}`).join(', ')} MiB virtual, one MiB of incompressible data in every ten
  (${r.big.map((b) => `${b.dataMiB}`).join(', ')} MiB), the rest holes, cached as qcow2 (${r.big.map((b) => fmtBytes(b.qcow2Bytes)).join(', ')}) and as sparse raw, in a
  fresh site each size; ${r.big.length ? r.big[0].qcow2Runs.length : 0} run(s) of each. Before each timed run, ours and the floor's, the file is
  dropped from the page cache: \`sync\`, then \`dd iflag=nocache count=0\` (posix_fadvise DONTNEED over the whole file), and
  \`fincore\` (util-linux) checks that none of it is left ("cached at start" below). \`echo 3 > /proc/sys/vm/drop_caches\`
  works in this sandbox too (checked with fincore), but it empties every cache of a machine shared with other users and
  takes Node and qemu-img out as well, which a site running the hook every few minutes keeps cached; only the image is
  dropped. This machine is a virtual one: its disk may still be cached by the host, so "from the disk" can be faster
  than a real disk (the 1 GiB qcow2's floor of a few tenths of a second says so). Floors: \`sha512sum\` and \`qemu-img convert\` together (qcow2 → raw), \`sha512sum\` alone (raw → raw: oned copies
  the cached file itself). Peak RSS: the hook's VmHWM at its exit (its own, not its children's); qemu-img's the highest
  VmHWM read from \`/proc/<pid>/status\` of the hook's descendants, polled every 20 ms. The simulator's copy does not keep
  holes (Node's copyFile): each run's datastore copy is emptied after the run to keep the disk in check, and each size's
  files are removed after it.
  Written to the same file system right before, that copy is still being written back when the hook removes its
  staging file after READY: the unlink then waits on the file system (the "removing the staging directory" figure,
  from the hook's log), a cost of oned's copy that lands in ours. The fixed part's "rest" is the difference of two
  clocks at ms resolution (log lines, call log) and may come out a few ms below zero.

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
- **READY noticed late, polls**: the bounds are those of the schedule (src/steps/ready-polls.ts, pure), which
  test/steps/ready-polls.test.ts replays without sleeping for copies from 10 ms to 4 h; measured, the run of
  each kind that noticed READY latest, from the simulator's clock (READY → the poll that saw it).
`;
}
