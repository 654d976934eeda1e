// Every command's --help ends with real examples that name the command; --version answers.
import * as fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSite, NodeKind, Site } from '../e2e/site';
import { cli } from './cli-site';

const COMMANDS = ['plan', 'replay', 'status', 'recover', 'pending', 'retry', 'forget', 'adopt', 'template', 'prune', 'drain', 'doctor', 'check', 'history', 'config'];

describe.each<NodeKind>(['node20', 'node10'])('help under %s', (node) => {
  let site: Site;
  beforeAll(async () => {
    site = await makeSite();
  });
  afterAll(async () => {
    await site.close();
  });

  it.each(COMMANDS)('%s --help shows examples of itself', async (cmd) => {
    const r = await cli(site, node, [cmd, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Usage: vmcatcher_eventHndl_ON ${cmd}`);
    const examples = r.stdout.slice(r.stdout.search(/\nExamples?( \([^)]*\))?:\n/));
    expect(examples.length).toBeGreaterThan(10);
    expect(examples).toMatch(new RegExp(`vmcatcher_eventHndl_ON (.* )?${cmd}\\b`));
    expect(site.sim.calls).toEqual([]);
  });

  it('lists replay and status in the main help, and prints the version', async () => {
    const r = await cli(site, node, ['--help']);
    expect(r.stdout).toMatch(/^ {2}replay \[options\] \[identifier\]/m);
    expect(r.stdout).toMatch(/^ {2}status \[options\] \[identifier\.\.\.\]/m);
    expect(r.stdout).toMatch(/^ {2}adopt \[options\] <identifier> <image-id>/m);
    const v = await cli(site, node, ['--version']);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toBe(JSON.parse(fs.readFileSync('package.json', 'utf8')).version);
  });
});
