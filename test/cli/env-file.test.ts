// Saved events: `env` dumps and vmcatcher_eventHndlExpl's JSON lines; the environment a replay builds.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildReplayEnv } from '../../src/cli/commands/replay';
import { parseEvent } from '../../src/event/parse-event';
import { parseEventFile, pickSavedEvent, readEventFile } from '../../src/vmcatcher/env-file';
import { EVENTS, readEventFixture } from '../e2e/site';
import { explLine } from './saved-events';

const ALPHA = '1e2b8099-febf-444f-8078-8942ca3e5210';

describe('saved events', () => {
  it('reads a real `env` dump, skipping its leading comment', () => {
    const [ev] = readEventFile(path.join(EVENTS, '14-AvailablePostfix.env'));
    expect(ev).toEqual(readEventFixture('14-AvailablePostfix.env'));
    expect(ev.VMCATCHER_EVENT_HV_VERSION).toBe('2.0');
  });

  it('keeps a value that `env` printed across lines, and = inside values', () => {
    const [ev] = parseEventFile('VMCATCHER_EVENT_DC_DESCRIPTION=line one\nline "two" a=b\n\nVMCATCHER_EVENT_DC_TITLE=x=y\n', 't');
    expect(ev).toEqual({ VMCATCHER_EVENT_DC_DESCRIPTION: 'line one\nline "two" a=b\n', VMCATCHER_EVENT_DC_TITLE: 'x=y' });
    expect(parseEventFile('A=1\r\nB=2\r\n', 't')).toEqual([{ A: '1', B: '2' }]);
  });

  it('reads JSON lines as vmcatcher_eventHndlExpl writes them: empty values dropped, one event a line', () => {
    const text = ['01-ProcessPrefix.env', '03-AvailablePostfix.env', '12-ExpirePostfix.env', '14-AvailablePostfix.env', '17-ProcessPostfix.env']
      .map((f) => explLine(f))
      .join('\n');
    const events = parseEventFile(text + '\n', 'log');
    expect(events).toHaveLength(5);
    expect(events[0].VMCATCHER_EVENT_DC_IDENTIFIER).toBeUndefined();
    expect(events[0].VMCATCHER_EVENT_TYPE).toBe('ProcessPrefix');
    // The last event for alpha that changes something: v2's AvailablePostfix, not the ProcessPostfix after it.
    expect(pickSavedEvent(events, 'log', ALPHA).VMCATCHER_EVENT_HV_VERSION).toBe('2.0');
    expect(pickSavedEvent(events, 'log').VMCATCHER_EVENT_HV_VERSION).toBe('2.0');
    const exp = pickSavedEvent(events, 'log', ALPHA, 'ExpirePostfix');
    expect(exp.VMCATCHER_EVENT_FILENAME).toBe(`${ALPHA}.2026-11-22_02-22-10`);
    // A type the file lacks: the last event of the identifier (the caller then sets the type).
    expect(pickSavedEvent(events, 'log', ALPHA, 'ExpirePosfix').VMCATCHER_EVENT_HV_VERSION).toBe('2.0');
    expect(() => pickSavedEvent(events, 'log', 'other-id')).toThrow(/log holds no event for other-id \(it holds events for 1e2b8099/);
  });

  it('names the line of a broken JSON event and refuses text that is neither form', () => {
    expect(() => parseEventFile('{"A":"1"}\n{"B":\n', 'f')).toThrow(/^f:2: not a JSON object/);
    expect(() => parseEventFile('just words\n', 'f')).toThrow(/f: expected NAME=VALUE lines/);
    expect(() => parseEventFile('# only a comment\n\n', 'f')).toThrow(/f holds no event/);
    expect(() => readEventFile('/nonexistent/event.env')).toThrow(/cannot read the saved event/);
  });

  it('builds the environment: ours without stray event variables, the event with vmcatcher directories resolved against its PWD', () => {
    const saved = Object.assign({}, readEventFixture('14-AvailablePostfix.env'), { PWD: '/var/lib/vmcatcher', VMCATCHER_CACHE_DIR_CACHE: 'cache' });
    const env = buildReplayEnv({ HOME: '/home/admin', VMCHNDL_ON_DATASTORE: 'images', VMCATCHER_EVENT_SL_OS: 'stray', PATH: '/bin' }, saved, '/tmp');
    expect(env.VMCATCHER_CACHE_DIR_CACHE).toBe('/var/lib/vmcatcher/cache');
    expect(env.VMCHNDL_ON_DATASTORE).toBe('images');
    expect(env.HOME).toBe('/home/admin');
    expect(env.PATH).toBe('/bin');
    expect(env.VMCATCHER_EVENT_SL_OS).toBe('Linux');
    expect(env.PWD).toBeUndefined();
    const ev = parseEvent(env, '/somewhere/else');
    expect(ev.kind).toBe('available');
    expect(ev.kind === 'available' && ev.file).toBe(`/var/lib/vmcatcher/cache/${ALPHA}`);
    const noStray = buildReplayEnv({ VMCATCHER_EVENT_SL_OS: 'stray' }, { VMCATCHER_EVENT_TYPE: 'ProcessPrefix' }, '/');
    expect(noStray).toEqual({ VMCATCHER_EVENT_TYPE: 'ProcessPrefix' });
    expect(fs.existsSync(EVENTS)).toBe(true);
  });
});
