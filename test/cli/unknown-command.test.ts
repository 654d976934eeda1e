// Command-line mistakes through the bundled command: a mistyped command is named with a suggestion,
// `help <command>` works, and every bad option or argument exits 3 (bad arguments), never 1 (internal error).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSite, NodeKind, Site } from '../e2e/site';
import { cli } from './cli-site';

describe.each<NodeKind>(['node20', 'node10'])('command-line mistakes under %s', (node) => {
  let site: Site;
  beforeAll(async () => {
    site = await makeSite();
  });
  afterAll(async () => {
    await site.close();
  });

  it.each([
    [['stauts'], /^error: unknown command 'stauts' \(did you mean 'status'\?\)/],
    [['plna', '--json'], /^error: unknown command 'plna' \(did you mean 'plan'\?\)/],
    [['docter'], /^error: unknown command 'docter' \(did you mean 'doctor'\?\)/],
    [['frobnicate'], /^error: unknown command 'frobnicate'; see `vmcatcher_eventHndl_ON --help`$/],
    [['status', '--all'], /^error: unknown option '--all'/],
    [['-x'], /^error: unknown option '-x'/],
    [['pending', 'extra'], /^error: too many arguments for 'pending'/],
    [['history'], /^error: missing required argument 'identifier'/],
  ])('%j exits 3: %s', async (args, message) => {
    const r = await cli(site, node, args as string[]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')[0]).toMatch(message);
    // Nothing was asked of oned.
    expect(site.sim.calls).toEqual([]);
  });

  it('`help status` shows the help of status', async () => {
    const r = await cli(site, node, ['help', 'status']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: vmcatcher_eventHndl_ON status [options] [identifier...]');
    const all = await cli(site, node, ['help']);
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/^ {2}doctor \[options\]/m);
  });
});
