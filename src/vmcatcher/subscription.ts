// Asks vmcatcher whether an image is still subscribed and endorsed, as 0.0.8 did: `vmcatcher_image -l`.
import execa from 'execa';
import { InvalidConfigError, OperationFailedError } from '../errors';

/** Parses `vmcatcher_image -l` lines `<image id>\t<state>\t<subscription id>`; the state for `identifier`, if listed. */
export function parseImageList(stdout: string, identifier: string): number | undefined {
  for (const line of stdout.split(/\r?\n/)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length >= 2 && cols[0] === identifier && /^-?\d+$/.test(cols[1])) return Number(cols[1]);
  }
  return undefined;
}

/** Runs vmcatcher_image (never through a shell) with vmcatcher's environment; throws when it cannot answer. */
export async function readSubscriptionState(
  command: string,
  identifier: string,
  env: NodeJS.ProcessEnv,
  timeoutMs = 300000,
): Promise<number | undefined> {
  let res;
  // Our own timer rather than execa's `timeout`, which execa leaves running under Node 20 when the
  // program cannot be spawned: the run would then wait for it in vain.
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  try {
    const child = execa(command, ['-l'], { env, extendEnv: false, reject: false, stdin: 'ignore' });
    timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM', { forceKillAfterTimeout: 5000 });
    }, timeoutMs);
    res = await child;
  } catch (e) {
    throw new OperationFailedError(`could not run ${command} -l to learn whether ${identifier} is still subscribed: ${(e as Error).message}`, e);
  } finally {
    if (timer) clearTimeout(timer);
  }
  const errno = (res as { code?: string }).code;
  if (errno === 'ENOENT' || errno === 'EACCES' || errno === 'ENOTDIR') {
    // Only an administrator can fix this: a configuration error (exit 3), the event kept.
    const where = command.indexOf('/') < 0 ? ` in PATH (${env.PATH || 'unset'})` : '';
    throw new InvalidConfigError([
      `VMCHNDL_ON_VMCATCHER_IMAGE: ${command} ${errno === 'EACCES' ? 'cannot be run (EACCES)' : `not found${where}`}, so whether ${identifier} is still subscribed cannot be asked; ` +
        "name vmcatcher's vmcatcher_image program in VMCHNDL_ON_VMCATCHER_IMAGE (or add its directory to PATH); the event stays pending until then",
    ]);
  }
  if (res.failed || res.exitCode !== 0) {
    const why = timedOut ? `timed out after ${timeoutMs / 1000} s` : (res as { code?: string }).code === 'ENOENT' ? 'command not found' : `exit code ${res.exitCode}`;
    const tail = String(res.stderr || '').trim().split('\n').slice(-3).join(' / ');
    throw new OperationFailedError(
      `could not learn from ${command} -l whether ${identifier} is still subscribed (${why}${tail ? `: ${tail}` : ''}); nothing was changed. Check VMCHNDL_ON_VMCATCHER_IMAGE and VMCATCHER_RDBMS.`,
    );
  }
  return parseImageList(String(res.stdout), identifier);
}
