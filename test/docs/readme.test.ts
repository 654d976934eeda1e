// The README documents every setting with its default, and every command.
import * as fs from 'fs';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { SETTINGS } from '../../src/config/settings';

const README = fs.readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');

describe('README', () => {
  it.each(SETTINGS.map((s) => [s.key, s] as const))('documents %s with its default and meaning', (key, s) => {
    const row = README.split('\n').filter((l) => l.indexOf(`| \`${key}\` |`) === 0)[0];
    expect(row, `no settings row for ${key}`).toBeDefined();
    expect(row).toContain(s.default === undefined ? '(unset)' : `\`${s.default}\``);
    expect(row).toContain(s.doc);
  });

  it('opens with the two commands, and .ci/run runs the second', () => {
    const commands = README.split('```sh')[1].split('```')[0];
    expect(commands).toContain('bash scripts/demo.sh');
    expect(commands).toContain('bash scripts/test.sh');
    expect(fs.readFileSync(path.resolve(__dirname, '../../.ci/run'), 'utf8')).toContain('bash scripts/test.sh');
  });
});
