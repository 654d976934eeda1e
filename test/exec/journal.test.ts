// The journal after a torn last line, and the pruning of archived journals by exact identifier.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { Journal, journalDir } from '../../src/exec/journal';
import type { Plan } from '../../src/plan/types';

function plan(identifier: string, runId: string): Plan {
  return { identifier, runId, steps: [], commitIndex: 0 } as unknown as Plan;
}

describe('journal', () => {
  it('appends after a torn last line on a line of its own, so the record is not lost', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmc-journal-'));
    const j = Journal.begin(dir, plan('img', '20261207T120000Z-aaaaaa'), 'AvailablePostfix', 1);
    j.append({ t: 'start', i: 0, at: 2 });
    j.close(false);
    // A crash while writing the next record leaves half a line.
    fs.appendFileSync(path.join(journalDir(dir), 'img.jsonl'), '{"t":"done","i":0,"at":3,"res');
    const again = Journal.readOpen(dir, 'img')!;
    again.append({ t: 'done', i: 0, at: 4, result: { imageId: 42 } });
    again.close(false);
    const reread = Journal.readOpen(dir, 'img')!;
    expect(reread.state()!.done.get(0)).toEqual({ imageId: 42 });
    reread.close(false);
  });

  it('prunes the archived journals of exactly its identifier, not those of `a.b` when pruning `a`', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmc-journal-'));
    const done = path.join(journalDir(dir), 'done');
    fs.mkdirSync(done, { recursive: true });
    const old = new Date(Date.now() - 86400000);
    for (let k = 0; k < 10; k++) {
      for (const id of ['a.b', 'a']) {
        const f = path.join(done, `${id}.20261101T00000${k}Z-abcdef.jsonl`);
        fs.writeFileSync(f, '{}\n');
        fs.utimesSync(f, old, new Date(old.getTime() + k * 1000));
      }
    }
    const j = Journal.begin(dir, plan('a', '20261207T120000Z-aaaaaa'), 'AvailablePostfix', 1);
    j.close(true);
    const left = fs.readdirSync(done);
    expect(left.filter((f) => f.indexOf('a.b.') === 0)).toHaveLength(10);
    expect(left.filter((f) => f.indexOf('a.b.') !== 0)).toHaveLength(10);
    expect(left).toContain('a.20261207T120000Z-aaaaaa.jsonl');
    expect(left).not.toContain('a.20261101T000000Z-abcdef.jsonl');
  });
});
