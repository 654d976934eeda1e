// The session `user:password` never leaves the auth file: not in logs (any level, text or JSON, stderr
// or log file), error messages, --json output, journals, the spool, nor in the argv or environment of
// qemu-img and vmcatcher_image. oned is made to echo the session in its errors, so redaction is exercised.
import * as fs from 'fs';
import * as path from 'path';
import { afterEach, describe, expect, it } from 'vitest';
import { requireQemuImg } from '../helpers/images';
import { ALPHA, availableEvent, cacheImage, expireEvent, imageListSays } from '../e2e/scenario';
import { makeSite, PASSWORD, RunResult, runHook, Site, startHook, waitFor } from '../e2e/site';
import { countFiles, filesContaining, secretForms } from './helpers-b/find-secret';
import { installRecorders, Recorders, recordedCalls } from './helpers-b/recorders';

const AUTH_FAILED = 0x100;
const ALLOCATE_FAILED = 0x4000;

interface Transcript {
  readonly site: Site;
  readonly rec: Recorders;
  readonly runs: { what: string; r: RunResult }[];
  run(what: string, env: Record<string, string>, args: string[], code: number): Promise<RunResult>;
}

async function transcript(opts: { password?: string; user?: string } = {}): Promise<Transcript> {
  requireQemuImg();
  const site = await makeSite();
  const rec = installRecorders(site);
  Object.assign(site.baseEnv, rec.settings);
  if (opts.user) {
    site.sim.addUser({ name: opts.user, password: opts.password || '', gid: 0 });
    fs.writeFileSync(site.authFile, `${opts.user}:${opts.password}\n`, { mode: 0o600 });
  }
  fs.mkdirSync(path.join(site.root, 'logs'));
  const runs: { what: string; r: RunResult }[] = [];
  return {
    site,
    rec,
    runs,
    async run(what, env, args, code) {
      const r = await runHook(site, env, { args });
      runs.push({ what, r });
      expect({ what, code: r.code, stderr: r.stderr.slice(-2000) }).toMatchObject({ what, code });
      return r;
    },
  };
}

/** Checks output and every file under the site but the auth file; returns how many files were searched. */
function expectNoSecret(t: Transcript, forms: readonly string[]): number {
  for (const { what, r } of t.runs) {
    for (const f of forms) {
      expect({ what, leaks: r.stdout.indexOf(f) >= 0 || r.stderr.indexOf(f) >= 0 }).toEqual({ what, leaks: false });
    }
  }
  expect(filesContaining(t.site.root, forms, [t.site.authFile])).toEqual([]);
  return countFiles(t.site.root);
}

describe('secrets', () => {
  let t: Transcript | undefined;
  afterEach(async () => {
    if (t) await t.site.close();
    t = undefined;
  });

  it('the session appears nowhere a full set of scenarios writes, nor in what we start', async () => {
    t = await transcript();
    const { site, rec } = t;
    const session = `oneadmin:${PASSWORD}`;
    const logFile = path.join(site.root, 'logs/hook.jsonl');

    await t.run('registration (-v, text)', availableEvent(site, cacheImage(site, 'qcow2', 'alpha-v1')), ['-v'], 0);
    await t.run('rotation (-v, json, --json, log file)', availableEvent(site, cacheImage(site, 'qcow2', 'alpha-v2')), ['-v', '--log-format', 'json', '--json', '-o', logFile], 0);
    await t.run('dry run (plan --json -v)', availableEvent(site, cacheImage(site, 'qcow2', 'alpha-v3')), ['plan', '--json', '-v'], 0);

    // oned echoing the session in its error text (the worst case): the message must arrive without it.
    site.sim.inject({ method: 'one.image.allocate', fault: { type: 'error', code: ALLOCATE_FAILED, message: `[one.image.allocate] Error allocating for session ${session}` } });
    const rolledBack = await t.run('failure with rollback (-v)', availableEvent(site, cacheImage(site, 'qcow2', 'alpha-v3')), ['-v'], 2);
    expect(rolledBack.stderr).toMatch(/Error allocating for session (\[redacted\]|\*\*\*)/);
    const pending = await t.run('pending --json -v', {}, ['pending', '--json', '-v'], 0);
    expect(JSON.parse(pending.stdout).pending[0].lastError).toMatch(/Error allocating for session/);

    site.sim.inject({ method: 'one.imagepool.info', fault: { type: 'error', code: AUTH_FAILED, message: `[one.imagepool.info] User couldn't be authenticated with password ${PASSWORD}` } });
    const authError = await t.run('auth error (retry -v, json)', {}, ['retry', '-v', '--log-format', 'json'], 3);
    expect(authError.stderr).toMatch(/authenticated with password (\[redacted\]|\*\*\*)/);

    site.sim.inject({ method: '*', times: 3, fault: { type: 'body', body: `Proxy: upstream refused ${session}`, contentType: 'text/plain' } });
    const junk = await t.run('junk answer echoing the session (retry -v)', {}, ['retry', '-v'], 2);
    expect(junk.stderr).toMatch(/upstream refused (\[redacted\]|\*\*\*)/);
    site.sim.clearFaults();

    // Killed while oned holds the allocate; `recover` then the retry of the kept event finish the work.
    site.sim.inject({ method: 'one.image.allocate', fault: { type: 'hang' } });
    const child = startHook(site, availableEvent(site, cacheImage(site, 'qcow2', 'alpha-v3')), { group: true, args: ['-v'] });
    await waitFor(() => site.sim.calls.some((c) => c.method === 'one.image.allocate'), 20000, 'the allocate call');
    process.kill(-child.pid!, 'SIGKILL');
    const killed = await child;
    t.runs.push({ what: 'killed run', r: { code: killed.exitCode, stdout: killed.stdout, stderr: killed.stderr } });
    site.sim.clearFaults();
    await t.run('recover (--json -v)', {}, ['recover', '--json', '-v'], 0);
    await t.run('retry (-v)', {}, ['retry', '-v'], 0);

    await t.run('expiry asking vmcatcher_image (-v)', Object.assign(expireEvent(site), imageListSays(1)), ['-v'], 0);
    await t.run('status --json -v', {}, ['status', '--json', '-v'], 0);

    // A wrong password is a secret too.
    fs.writeFileSync(site.authFile, 'oneadmin:Wrong-Secret-55\n', { mode: 0o600 });
    await t.run('wrong password (-v)', availableEvent(site, cacheImage(site, 'qcow2', 'alpha-v4')), ['-v'], 3);

    // The search had something to search: logs, spool, journals, the recorders' argv and environments.
    expect(fs.readFileSync(logFile, 'utf8')).toMatch(/"level":"DEBUG"/);
    expect(recordedCalls(rec.qemuLog).some((c) => /^call convert /.test(c))).toBe(true);
    expect(recordedCalls(rec.qemuLog).some((c) => /^call info /.test(c))).toBe(true);
    expect(recordedCalls(rec.vmcatcherImageLog)).toEqual(['call -l']);
    expect(fs.readFileSync(rec.vmcatcherImageLog, 'utf8')).toMatch(/env VMCATCHER_RDBMS=/);
    expect(site.sim.images().filter((i) => i.name === ALPHA)).toHaveLength(0);

    const searched = expectNoSecret(t, secretForms(PASSWORD, 'oneadmin').concat(secretForms('Wrong-Secret-55')));
    expect(searched).toBeGreaterThan(5);
  }, 120000);

  it('a password with quotes, backslashes and shell syntax stays out of JSON logs too', async () => {
    const password = `q"uo\\te $(id) 'Secret-88'`;
    t = await transcript({ user: 'eve', password });
    const { site } = t;
    const logFile = path.join(site.root, 'logs/hook.jsonl');
    await t.run('registration (json, log file)', availableEvent(site, cacheImage(site, 'qcow2', 'alpha-v1')), ['-v', '--log-format', 'json', '-o', logFile], 0);
    site.sim.inject({ method: 'one.image.allocate', fault: { type: 'error', code: ALLOCATE_FAILED, message: `[one.image.allocate] refused eve:${password} and ${password}` } });
    const failed = await t.run('failure echoing it (json, --json)', availableEvent(site, cacheImage(site, 'qcow2', 'alpha-v2')), ['-v', '--log-format', 'json', '--json'], 2);
    expect(failed.stderr).toMatch(/refused (\[redacted\]|\*\*\*) and (\[redacted\]|\*\*\*)/);
    await t.run('pending --json', {}, ['pending', '--json'], 0);
    expect(expectNoSecret(t, secretForms(password, 'eve'))).toBeGreaterThan(3);
  }, 60000);
});
