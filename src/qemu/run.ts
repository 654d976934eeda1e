// Runs qemu-img: never through a shell, with a cleaned environment, errors as QemuError.
import execa from 'execa';
import { InvalidConfigError, QemuError } from '../errors';

export interface RunOptions {
  /** The qemu-img binary; a bare name is looked up in PATH. */
  readonly qemuImg?: string;
  readonly timeoutMs?: number;
  /** Receives stdout as it arrives (progress lines). */
  readonly onStdout?: (chunk: string) => void;
}

export interface RunResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

const INSTALL_HINT = 'install it (Debian/Ubuntu: apt-get install -y qemu-utils; EL: dnf install -y qemu-img)';

// Only what qemu-img needs: secrets in our environment (ONE_AUTH, passwords) must not leak into it.
function cleanEnv(): Record<string, string> {
  return { PATH: process.env.PATH || '/usr/local/bin:/usr/bin:/bin', LC_ALL: 'C' };
}

/** The last lines of qemu-img's stderr, short enough for one log line. */
export function stderrTail(stderr: string, lines = 5): string {
  const tail = stderr.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '').slice(-lines).join(' | ');
  return tail.length > 1000 ? `...${tail.slice(-1000)}` : tail;
}

/**
 * Runs qemu-img with these arguments; resolves with its exit code, rejects only when it could not run to
 * the end: InvalidConfigError when it is missing or not executable, QemuError otherwise.
 */
export async function runQemuImg(args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const bin = opts.qemuImg || 'qemu-img';
  const child = execa(bin, args.slice(), {
    env: cleanEnv(),
    extendEnv: false,
    stdin: 'ignore',
    reject: false,
    maxBuffer: 16 * 1024 * 1024,
  });
  const onStdout = opts.onStdout;
  if (onStdout && child.stdout) {
    // Progress output is ASCII, so a chunk boundary cannot split a character.
    child.stdout.on('data', (chunk: Buffer) => onStdout(chunk.toString('latin1')));
  }
  // Our own timer rather than execa's `timeout`: under Node 20 execa leaves that timer running when
  // the program cannot be spawned, which kept every run alive for the whole timeout.
  let timedOut = false;
  const timer = opts.timeoutMs
    ? setTimeout(() => {
        timedOut = true;
        child.kill('SIGTERM', { forceKillAfterTimeout: 5000 });
      }, opts.timeoutMs)
    : undefined;
  let result;
  try {
    result = await child;
  } finally {
    if (timer) clearTimeout(timer);
  }
  // With reject: false, a spawn failure comes back as execa's error object, not thrown.
  const failure = result as unknown as { code?: string; shortMessage?: string };
  const errno = failure.code;
  // Only an administrator can fix these: a configuration error (exit 3, the event kept), found at once.
  if (errno === 'ENOENT' || errno === 'EACCES' || errno === 'ENOTDIR') {
    const where = bin.indexOf('/') < 0 ? ` in PATH (${cleanEnv().PATH})` : '';
    const what = errno === 'EACCES' ? `${bin} cannot be run (EACCES: not an executable file, or not allowed)` : `${bin} not found${where}`;
    throw new InvalidConfigError([
      `VMCHNDL_ON_QEMU_IMG: ${what}: ${INSTALL_HINT}, or name the qemu-img program in VMCHNDL_ON_QEMU_IMG; events stay pending until then`,
    ]);
  }
  if (timedOut) {
    throw new QemuError(`${bin} ${args[0]} took longer than ${opts.timeoutMs} ms and was stopped`, result);
  }
  if (result.signal || result.exitCode === undefined || result.exitCode === null) {
    const why = result.signal ? `was killed by ${result.signal}` : `could not run: ${failure.shortMessage || errno}`;
    throw new QemuError(`${bin} ${args[0]} ${why}`, result);
  }
  return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
}
