// Runs in a child process, under Node 20 or Node 10, with the shipped code: one task, one JSON line out.
//   {"kind":"pool","endpoint":…,"session":…,"identifier":…}  imagePool() + selectImages(), timed, peak RSS
//   {"kind":"sha512","file":…}                              sha512File(), timed
import * as fs from 'fs';
import { sha512File } from '../src/files/checksum';
import { createOneClient } from '../src/one/client';
import { selectImages } from '../src/plan/select-images';
import { SETTINGS } from '../src/config/settings';

type Task = { kind: 'pool'; endpoint: string; session: string; identifier: string } | { kind: 'sha512'; file: string };

// Peak and current resident set of this process, in KiB (Node 10 has no process.resourceUsage).
function memKiB(field: 'VmHWM' | 'VmRSS'): number {
  const m = new RegExp(`^${field}:\\s*(\\d+) kB`, 'm').exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) : -1;
}

function nowMs(): number {
  const t = process.hrtime();
  return t[0] * 1e3 + t[1] / 1e6;
}

async function runTask(task: Task): Promise<Record<string, unknown>> {
  if (task.kind === 'sha512') {
    const start = nowMs();
    const hex = await sha512File(task.file);
    return { ms: nowMs() - start, hex };
  }
  const pattern = SETTINGS.filter((s) => s.key === 'VMCHNDL_ON_RETIRED_NAME')[0].default!;
  const rssBeforeKiB = memKiB('VmRSS');
  const one = createOneClient({ endpoint: task.endpoint, session: task.session });
  const start = nowMs();
  const cpu = process.cpuUsage();
  const images = await one.imagePool();
  const sel = selectImages(images, task.identifier, pattern);
  const ms = nowMs() - start;
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000;
  return { ms, cpuMs, images: images.length, current: sel.current ? sel.current.id : null, retired: sel.retired.length, rssBeforeKiB, peakKiB: memKiB('VmHWM') };
}

runTask(JSON.parse(process.argv[2]) as Task).then(
  (r) => process.stdout.write(`${JSON.stringify(r)}\n`),
  (e) => {
    process.stderr.write(`${e && e.stack ? e.stack : e}\n`);
    process.exitCode = 1;
  },
);
