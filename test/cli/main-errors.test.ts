// No code path exits 0 on an unexpected error: an error that escapes a command's own handling is an
// internal error (exit 1) with one line, never commander's "no exit code" taken for success.
import { describe, expect, it, vi } from 'vitest';

vi.mock('../../src/cli/commands/spool-commands', () => ({
  runPending: () => Promise.reject(new TypeError('Cannot read properties of undefined\n(reading "x")')),
  runRetry: () => Promise.resolve(0),
  runForget: () => Promise.resolve(0),
}));

import { run } from '../../src/cli/main';

describe('the command line on an unexpected error', () => {
  it('exits 1 with one line naming it', async () => {
    const err: string[] = [];
    const code = await run(['pending'], { env: {}, cwd: '/', stdout: () => undefined, stderr: (s) => err.push(s), interactive: false });
    expect(code).toBe(1);
    expect(err).toEqual(['vmcatcher_eventHndl_ON: internal error: Cannot read properties of undefined\\n(reading "x")\n']);
  });

  it('still exits 3 for wrong arguments and 0 for --help', async () => {
    const io = { env: {}, cwd: '/', stdout: () => undefined, stderr: () => undefined, interactive: false };
    const writes = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(await run(['--no-such-option'], io)).toBe(3);
      expect(await run(['--help'], io)).toBe(0);
    } finally {
      writes.mockRestore();
      out.mockRestore();
    }
  });
});
