// %changelog from a GNU-style ChangeLog, checked by the real rpmspec (rpm 4.8 rejected what newer
// rpms only warn about: bogus weekdays, entries out of order).
import execa from 'execa';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { parseChangeLog, renderRpmChangelog, rpmDate } from '../../rpm/gen/changelog.mjs';
import { requireRpmTools } from './rpm-tools';

const GNU = `2024-01-05  Bob Builder  <bob@example.org>

\t* src/x.ts: fix the thing.

2026-03-01  Ann Admin  <ann@example.org>

\tRelease 1.0.0.
\t* rpm/vmcatcher_eventHndl_ON.spec: new. 100% of the payload checked under
\t  Node 10, with a long line that has to be wrapped for rpm -q --changelog.
\t* LICENSE: new.
`;

async function rpmspecChangelog(body: string): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  requireRpmTools();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmc-spec-'));
  try {
    const spec = path.join(dir, 't.spec');
    fs.writeFileSync(spec, `Name: t\nVersion: 1\nRelease: 1\nSummary: t\nLicense: ASL 2.0\nGroup: x\n%description\nt\n%files\n%changelog\n${body}\n`);
    const r = await execa('rpmspec', ['-q', '--qf', '[%{CHANGELOGTIME:day}|%{CHANGELOGNAME}|%{CHANGELOGTEXT}\\n]', spec], { reject: false, env: { LC_ALL: 'C' } });
    return { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('ChangeLog to %changelog', () => {
  it('reads entries, items and continuation lines', () => {
    const entries = parseChangeLog(GNU);
    expect(entries.map((e) => [e.date, e.name, e.email])).toEqual([
      ['2024-01-05', 'Bob Builder', 'bob@example.org'],
      ['2026-03-01', 'Ann Admin', 'ann@example.org'],
    ]);
    expect(entries[1].items).toEqual([
      'Release 1.0.0.',
      'rpm/vmcatcher_eventHndl_ON.spec: new. 100% of the payload checked under Node 10, with a long line that has to be wrapped for rpm -q --changelog.',
      'LICENSE: new.',
    ]);
  });

  it('writes weekdays rpm agrees with', () => {
    expect(rpmDate('2026-03-01')).toBe('Sun Mar 01 2026');
    expect(rpmDate('2024-02-29')).toBe('Thu Feb 29 2024');
    expect(() => rpmDate('2024-13-01')).toThrow(/not a date/);
  });

  it('gives rpmspec entries newest first, % kept literal, no warning', async () => {
    const r = await rpmspecChangelog(renderRpmChangelog(parseChangeLog(GNU)));
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('Sun Mar 01 2026|Ann Admin <ann@example.org>|- Release 1.0.0.');
    expect(lines[1]).toBe('- rpm/vmcatcher_eventHndl_ON.spec: new. 100% of the payload checked under Node');
    expect(r.stdout).toContain('Fri Jan 05 2024|Bob Builder <bob@example.org>|- src/x.ts: fix the thing.');
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(80);
  });

  it('makes an empty %changelog from an empty or absent ChangeLog', async () => {
    expect(renderRpmChangelog(parseChangeLog(''))).toBe('');
    const r = await rpmspecChangelog('');
    expect([r.exitCode, r.stderr, r.stdout]).toEqual([0, '', '']);
  });
});
