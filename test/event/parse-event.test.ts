import * as fs from 'fs';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { parseEvent } from '../../src/event/parse-event';

const EVENTS = path.resolve(__dirname, '../../../shared/vmcatcher-events');

function fixture(name: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of fs.readFileSync(path.join(EVENTS, name), 'utf8').split('\n')) {
    if (line && line[0] !== '#') env[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
  }
  return env;
}

describe('parseEvent on the real vmcatcher 0.6.3 dumps', () => {
  it('reads AvailablePostfix: identifier, file in the cache, checksum, every VMCATCHER_EVENT_ variable', () => {
    const ev = parseEvent(fixture('03-AvailablePostfix.env'), '/');
    expect(ev.kind).toBe('available');
    if (ev.kind === 'ignored') throw new Error();
    expect(ev.identifier).toBe('1e2b8099-febf-444f-8078-8942ca3e5210');
    expect(ev.file).toBe('/var/lib/vmcatcher/cache/1e2b8099-febf-444f-8078-8942ca3e5210');
    expect(ev.checksum).toMatch(/^2e45ec98/);
    expect(ev.rdbms).toBe('sqlite:////var/lib/vmcatcher/vmcatcher.db');
    expect(Object.keys(ev.vars)).toHaveLength(19);
    expect(ev.vars.VMCATCHER_EVENT_TYPE).toBe('AvailablePostfix');
  });

  it('reads ExpirePostfix with the expired file name', () => {
    const ev = parseEvent(fixture('12-ExpirePostfix.env'), '/');
    if (ev.kind === 'ignored') throw new Error();
    expect(ev.kind).toBe('expire');
    expect(ev.file).toBe('/var/lib/vmcatcher/cache/expired/1e2b8099-febf-444f-8078-8942ca3e5210.2026-11-22_02-22-10');
  });

  it.each(['01-ProcessPrefix.env', '02-AvailablePrefix.env', '09-SubscriptionImageNew.env', '11-ExpirePrefix.env', '17-ProcessPostfix.env'])('ignores %s', (f) => {
    expect(parseEvent(fixture(f), '/').kind).toBe('ignored');
  });

  it('resolves relative cache directories against the working directory', () => {
    const env = Object.assign(fixture('03-AvailablePostfix.env'), { VMCATCHER_CACHE_DIR_CACHE: 'cache' });
    const ev = parseEvent(env, '/var/lib/vmcatcher');
    expect(ev.kind !== 'ignored' && ev.file).toBe('/var/lib/vmcatcher/cache/1e2b8099-febf-444f-8078-8942ca3e5210');
  });

  it.each([
    [{ VMCATCHER_EVENT_TYPE: '' }, /VMCATCHER_EVENT_TYPE is not set/],
    [{ VMCATCHER_EVENT_DC_IDENTIFIER: undefined }, /VMCATCHER_EVENT_DC_IDENTIFIER is missing/],
    [{ VMCATCHER_EVENT_DC_IDENTIFIER: '../etc' }, /VMCATCHER_EVENT_DC_IDENTIFIER "..\/etc" is not a usable identifier/],
    [{ VMCATCHER_EVENT_DC_IDENTIFIER: '-rf' }, /not a usable identifier/],
    [{ VMCATCHER_EVENT_FILENAME: 'a/b' }, /VMCATCHER_EVENT_FILENAME "a\/b" is not a bare file name/],
    [{ VMCATCHER_EVENT_SL_CHECKSUM_SHA512: 'abc' }, /VMCATCHER_EVENT_SL_CHECKSUM_SHA512 "abc" is not a sha512/],
    [{ VMCATCHER_EVENT_HV_SIZE: '12MB' }, /VMCATCHER_EVENT_HV_SIZE "12MB" is not a number/],
    [{ VMCATCHER_CACHE_DIR_CACHE: '' }, /VMCATCHER_CACHE_DIR_CACHE is missing/],
    [{ VMCATCHER_CACHE_DIR_CACHE: '/var/lib/vmcatcher/\u0007cache' }, /VMCATCHER_CACHE_DIR_CACHE contains control characters/],
    [{ VMCATCHER_EVENT_DC_TITLE: 'bad \uFFFD byte' }, /VMCATCHER_EVENT_DC_TITLE contains bytes that are not UTF-8/],
  ])('refuses %o', (over, message) => {
    const env: Record<string, string | undefined> = Object.assign(fixture('03-AvailablePostfix.env'), over);
    expect(() => parseEvent(env, '/')).toThrow(message);
  });

  it('keeps control characters in free text as received: registration changes them visibly', () => {
    const env = Object.assign(fixture('03-AvailablePostfix.env'), { VMCATCHER_EVENT_DC_TITLE: 'bell\u0007', VMCATCHER_EVENT_DC_DESCRIPTION: 'a\r\nb' });
    const ev = parseEvent(env, '/');
    expect(ev.kind !== 'ignored' && [ev.vars.VMCATCHER_EVENT_DC_TITLE, ev.vars.VMCATCHER_EVENT_DC_DESCRIPTION]).toEqual(['bell\u0007', 'a\r\nb']);
  });
});
