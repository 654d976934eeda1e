// The terminal bar and the log-line progress, with a recording stream and a hand-driven clock.
import { describe, expect, it } from 'vitest';
import { barLine, logProgress, ttyProgress } from '../../src/cli/progress';
import { createLogger } from '../../src/log/logger';

function fakeTty(columns = 80) {
  const out: string[] = [];
  const stream = { columns, write: (s: string) => (out.push(String(s)), true) } as unknown as NodeJS.WriteStream;
  return { stream, text: () => out.join('') };
}

describe('ttyProgress', () => {
  it('redraws in place at most every 100 ms, always the last 100 %, and ends the line', () => {
    const { stream, text } = fakeTty();
    let t = 0;
    const p = ttyProgress(stream, false, () => t);
    p('convert', 0);
    t = 50;
    p('convert', 10); // too soon: skipped
    t = 150;
    p('convert', 20);
    t = 160;
    p('convert', 100);
    const draws = text().split('\r\x1b[K').slice(1);
    expect(draws.map((d) => /(\d+\.\d) %/.exec(d)![1])).toEqual(['0.0', '20.0', '100.0']);
    expect(text().endsWith('\n')).toBe(true);
    expect(text()).not.toMatch(/\x1b\[[0-9;]*m/);
  });

  it('ends an open bar before anything else written to the stream, and draws it again below', () => {
    const { stream, text } = fakeTty();
    let t = 0;
    const p = ttyProgress(stream, true, () => t);
    p('convert', 30);
    stream.write('2026-01-01 00:00:00,000;  WARNING; x; y -- a warning\n');
    t = 1000;
    p('convert', 60);
    t = 2000;
    p('convert', 100);
    stream.write('next log line\n');
    const s = text();
    expect(s).toContain('30.0 % 0:00\n2026-01-01 00:00:00,000;  WARNING');
    expect(s).toContain('a warning\n\r\x1b[Kconverting [\x1b[32m');
    expect(s).toContain('100.0 % 0:02\nnext log line\n');
    // Percent without a bar yet and messages without a percentage are left to the log.
    p('ready', undefined, 'image 3 is LOCKED after 30 s');
    p('ready', 100, 'image 3 is READY');
    expect(text()).toBe(s + '');
  });

  it('guesses the time left and fits the terminal width', () => {
    expect(barLine('converting', 25, 30000, 80, false)).toMatch(/^converting \[#+-+\] 25\.0 % 0:30 1:30 left$/);
    expect(barLine('converting', 25, 30000, 80, false).length).toBeLessThanOrEqual(80);
    expect(barLine('converting', 50, 500, 200, false)).toBe(`converting [${'#'.repeat(25)}${'-'.repeat(25)}] 50.0 % 0:01`);
    expect(barLine('x', 150, 0, 20, false)).toContain(`[${'#'.repeat(10)}] 100.0 %`);
  });
});

describe('logProgress', () => {
  it('logs the start, then (after 5 s) at most every 10 % or 30 s, and 100 % once', () => {
    const lines: string[] = [];
    let t = 0;
    const log = createLogger({ level: 'info', format: 'text', sink: { write: (l) => lines.push(l) }, clock: () => t });
    const p = logProgress(log, () => t);
    for (const pct of [0, 3, 9, 10, 15]) p('convert', pct);
    t = 6000;
    for (const pct of [15.5, 19.9, 20, 21, 26, 30]) p('convert', pct);
    t = 40000;
    p('convert', 31);
    p('convert', 100);
    p('convert', 100);
    expect(lines.map((l) => /converting: (\d+) %/.exec(l)![1])).toEqual(['0', '16', '26', '31', '100']);
  });

  it('logs only the start and the end of quick work', () => {
    const lines: string[] = [];
    let t = 0;
    const log = createLogger({ level: 'info', format: 'text', sink: { write: (l) => lines.push(l) }, clock: () => t });
    const p = logProgress(log, () => t);
    for (let pct = 0; pct <= 100; pct += 5) {
      t += 10;
      p('convert', pct);
    }
    expect(lines.map((l) => /converting: (\d+) %/.exec(l)![1])).toEqual(['0', '100']);
  });
});
