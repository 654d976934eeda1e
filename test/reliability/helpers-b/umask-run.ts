// The hook run under umask 000, so that every mode we observe is one the tool chose, not the umask.
import execa from 'execa';
import * as path from 'path';
import { BIN, RunResult, runHook, Site } from '../../e2e/site';
import { shQuote } from './raw-env';

function command(args: readonly string[]): string {
  return `umask 000; exec ${[BIN].concat(args).map(shQuote).join(' ')}`;
}

/** Runs the hook like vmcatcher does, but with umask 000. */
export function runWithUmask0(site: Site, env: Record<string, string>, args: readonly string[] = []): Promise<RunResult> {
  return runHook(site, env, { command: command(args) });
}

/** Starts the hook with umask 000 in its own process group (kill it with process.kill(-pid)). */
export function startWithUmask0(site: Site, env: Record<string, string>, args: readonly string[] = []): execa.ExecaChildProcess {
  const fullEnv = Object.assign({}, site.baseEnv, env);
  fullEnv.PATH = `${path.dirname(process.execPath)}:${fullEnv.PATH}`;
  return execa('/bin/sh', ['-c', command(args)], { env: fullEnv, extendEnv: false, cwd: site.root, reject: false, stdin: 'ignore', detached: true });
}
