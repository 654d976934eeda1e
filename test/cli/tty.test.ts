// An administrator at a terminal: a live progress bar and colours (never with NO_COLOR), driven
// through a real pseudo-terminal (util-linux `script`); off a terminal, sparse progress log lines.
import { beforeEach, describe, expect, it } from 'vitest';
import { ALPHA, cacheImage } from '../e2e/scenario';
import { NodeKind, Site } from '../e2e/site';
import { useSite } from '../e2e/use-site';
import { cli, cliOnTty, COLOR, writeCacheIndex } from './cli-site';

const BAR = (label: string) => new RegExp(`\\r\\x1b\\[K${label} \\[(\\x1b\\[32m)?[#-]{10,}(\\x1b\\[0m)?\\] \\d+\\.\\d %`);

describe.each<NodeKind>(['node20', 'node10'])('on a terminal under %s', (node) => {
  const getSite = useSite();
  let site: Site;
  beforeEach(() => {
    site = getSite();
  });
  const cacheEnv = () => ({ VMCATCHER_CACHE_DIR_CACHE: site.cacheDir });

  it('shows a live bar for the conversion of a 128 MiB image, in colour, log lines on lines of their own', async () => {
    writeCacheIndex(site, { [ALPHA]: cacheImage(site, 'qcow2', 'big-alpha', ALPHA, 128) });
    const r = await cliOnTty(site, node, ['replay', ALPHA], cacheEnv());
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(BAR('converting'));
    expect(r.stdout).toMatch(/\r\x1b\[Kconverting \[\x1b\[32m#{10,}\x1b\[0m\] 100\.0 % \d+:\d\d\r?\n/);
    // A log line never runs on after a bar: each starts a line.
    expect(r.stdout).not.toMatch(/ %[^\n]*\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3};/);
    expect(r.stdout).toContain('main -- done: register');
    expect(site.sim.images().filter((i) => i.name === ALPHA)[0].stateName).toBe('READY');
  });

  it('draws the bar without colours when NO_COLOR is set', async () => {
    writeCacheIndex(site, { [ALPHA]: cacheImage(site, 'qcow2', 'big-alpha', ALPHA, 64) });
    const r = await cliOnTty(site, node, ['replay', ALPHA], Object.assign({ NO_COLOR: '1' }, cacheEnv()));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(BAR('converting'));
    expect(r.stdout).not.toMatch(COLOR);
  });

  it('colours the status table on a terminal, not with NO_COLOR', async () => {
    writeCacheIndex(site, { [ALPHA]: cacheImage(site, 'raw', 'alpha', ALPHA, 1) });
    expect((await cli(site, node, ['replay', ALPHA], cacheEnv())).code).toBe(0);
    const coloured = await cliOnTty(site, node, ['status']);
    expect(coloured.code).toBe(0);
    expect(coloured.stdout).toContain(`\x1b[1m${ALPHA}\x1b[0m`);
    expect(coloured.stdout).toMatch(/\x1b\[32mREADY\x1b\[0m/);
    // Columns stay aligned although colour codes take no room on screen.
    const rows = coloured.stdout.split(/\r?\n/).filter((l) => /^ {2}(ROLE|\x1b\[1mcurrent)/.test(l));
    expect(rows).toHaveLength(2);
    const plain = rows.map((l) => l.replace(/\x1b\[[0-9;]*m/g, ''));
    expect(plain[1].indexOf('READY')).toBe(plain[0].indexOf('STATE'));
    const plainOut = await cliOnTty(site, node, ['status'], { NO_COLOR: '1' });
    expect(plainOut.code).toBe(0);
    expect(plainOut.stdout).toContain(ALPHA);
    expect(plainOut.stdout).not.toMatch(COLOR);
  });
});

describe('off a terminal', () => {
  const getSite = useSite();
  let site: Site;
  beforeEach(() => {
    site = getSite();
  });

  it('logs progress sparingly (the start, every 10 % or 30 s after 5 s, the end), without bars or colours', async () => {
    writeCacheIndex(site, { [ALPHA]: cacheImage(site, 'qcow2', 'big-alpha', ALPHA, 64) });
    const r = await cli(site, 'node20', ['replay', ALPHA], { VMCATCHER_CACHE_DIR_CACHE: site.cacheDir });
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain('\r');
    expect(r.stderr).not.toMatch(COLOR);
    for (const label of ['converting']) {
      const pcts = r.stderr
        .split('\n')
        .map((l) => new RegExp(`progress -- ${label}: (\\d+) %`).exec(l))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => Number(m[1]));
      expect(pcts[pcts.length - 1], label).toBe(100);
      expect(pcts.length).toBeLessThanOrEqual(11);
      for (let i = 1; i < pcts.length; i++) expect(pcts[i] - pcts[i - 1] >= 10 || pcts[i] === 100, `${label}: ${pcts.join(', ')}`).toBe(true);
    }
  });
});
