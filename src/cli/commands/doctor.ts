// `doctor`: every preflight check, one line each (OK / WARN / FAIL and the fix); exit 0 only when nothing failed.
import * as os from 'os';
import { runDoctorChecks, CheckResult } from '../../doctor/doctor';
import { EXIT, InvalidConfigError } from '../../errors';
import { Io, reportError } from '../io';
import { bootstrapLogger, CommonOptions, makeRuntime } from '../runtime';
import { colorWanted, painter } from '../table';

function whoAmI(): string {
  try {
    return os.userInfo().username;
  } catch (_) {
    return `uid ${process.getuid ? process.getuid() : '?'}`;
  }
}

const LABEL = { ok: 'OK', warn: 'WARN', fail: 'FAIL' } as const;

/** The report as text: one line a check, then a count. */
export function formatDoctor(checks: readonly CheckResult[], color: boolean): string {
  const paint = painter(color);
  const width = Math.max(...checks.map((c) => c.id.length));
  const lines = checks.map((c) => {
    const label = LABEL[c.status];
    const status = paint(c.status === 'ok' ? 'green' : c.status === 'warn' ? 'yellow' : 'red', label) + ' '.repeat(5 - label.length);
    let id = c.id;
    while (id.length < width) id += ' ';
    return `${status}${id}  ${c.message}${c.fix ? ` — fix: ${c.fix}` : ''}`;
  });
  const n = (s: CheckResult['status']) => checks.filter((c) => c.status === s).length;
  return `${lines.join('\n')}\n${n('fail')} failed, ${n('warn')} warning(s), ${n('ok')} OK\n`;
}

/** Runs the checks and prints them; exit 0 when nothing failed, 2 when something did. */
export async function runDoctor(o: CommonOptions & { json?: boolean; cacheDir?: string }, io: Io): Promise<number> {
  let log = bootstrapLogger(o);
  let checks: CheckResult[];
  try {
    const rt = makeRuntime(o, io.env, io.interactive);
    log = rt.log;
    checks = await runDoctorChecks({
      config: rt.config,
      env: io.env,
      home: io.env.HOME || os.homedir(),
      who: whoAmI(),
      now: Date.now(),
      cacheDir: o.cacheDir || io.env.VMCATCHER_CACHE_DIR_CACHE || undefined,
    });
  } catch (e) {
    // The settings themselves are wrong: that is the first check, and nothing else can be judged.
    if (!(e instanceof InvalidConfigError)) return reportError(e, log);
    checks = e.problems.map((p) => ({ id: 'settings', status: 'fail' as const, message: p, fix: 'correct the setting (see `vmcatcher_eventHndl_ON config`)' }));
  }
  const failed = checks.some((c) => c.status === 'fail');
  if (o.json) io.stdout(JSON.stringify({ ok: !failed, checks }, null, 2) + '\n');
  else io.stdout(formatDoctor(checks, colorWanted(io.interactive && Boolean(process.stdout.isTTY), io.env)));
  return failed ? EXIT.FAILED : EXIT.OK;
}
