// vmcatcher's cache.index → event variables, checked against real vmcatcher 0.6.3 events from the same run.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors';
import { eventVarsFromCacheIndex, eventVarsOfCacheEntry, parseCacheIndex, readCacheIndex } from '../../src/vmcatcher/cache-index';
import { EVENTS, readEventFixture } from '../e2e/site';

const ALPHA = '1e2b8099-febf-444f-8078-8942ca3e5210';
const REAL_INDEX = path.join(EVENTS, 'cache.index');

/** The image variables of a real event: every VMCATCHER_EVENT_* but the type and the run's session id. */
function imageVars(fixture: string): Record<string, string> {
  const ev = readEventFixture(fixture);
  const out: Record<string, string> = {};
  for (const k of Object.keys(ev)) {
    if (k.indexOf('VMCATCHER_EVENT_') === 0 && k !== 'VMCATCHER_EVENT_TYPE' && k !== 'VMCATCHER_EVENT_UUID_SESSION') out[k] = ev[k];
  }
  return out;
}

describe('cache.index mapping', () => {
  const index = readCacheIndex(EVENTS);

  it('reproduces exactly the variables vmcatcher sent for the cached image (alpha v2, event 14)', () => {
    const vars = eventVarsFromCacheIndex(index, ALPHA, REAL_INDEX);
    expect(vars).toEqual(imageVars('14-AvailablePostfix.env'));
    // Values come through as vmcatcher's str(): the JSON number 393224 as "393224".
    expect(typeof (index[ALPHA] as Record<string, unknown>)['hv:size']).toBe('number');
    expect(vars.VMCATCHER_EVENT_HV_SIZE).toBe('393224');
  });

  it('gives every image of the index the same set of variables as the real AvailablePostfix events', () => {
    const keys = Object.keys(imageVars('03-AvailablePostfix.env')).sort();
    expect(Object.keys(index)).toHaveLength(3);
    for (const id of Object.keys(index)) {
      expect(Object.keys(eventVarsFromCacheIndex(index, id, REAL_INDEX)).sort()).toEqual(keys);
    }
  });

  it('rebuilds the older version of the same run (event 03) from an entry with v1 metadata', () => {
    const v1 = imageVars('03-AvailablePostfix.env');
    const entry = Object.assign({}, index[ALPHA] as Record<string, unknown>, {
      'dc:description': v1.VMCATCHER_EVENT_DC_DESCRIPTION,
      'hv:uri': v1.VMCATCHER_EVENT_HV_URI,
      'hv:size': Number(v1.VMCATCHER_EVENT_HV_SIZE),
      'hv:version': v1.VMCATCHER_EVENT_HV_VERSION,
      'sl:checksum:sha512': v1.VMCATCHER_EVENT_SL_CHECKSUM_SHA512,
      'sl:comments': v1.VMCATCHER_EVENT_SL_COMMENTS,
      'sl:osversion': v1.VMCATCHER_EVENT_SL_OSVERSION,
      'hv:image.ad:mpuri': v1.VMCATCHER_EVENT_AD_MPURI,
    });
    expect(eventVarsOfCacheEntry(entry)).toEqual(v1);
  });

  it('falls back to the deprecated keys, skips empty values and keeps the identifier of the key', () => {
    const idx = parseCacheIndex(JSON.stringify({ x1: { uuid: 'x1', size: 12, sha512: 'ab', 'dc:title': '', filename: 'x1', 'hv:format': 'raw' } }), 'test');
    expect(eventVarsFromCacheIndex(idx, 'x1', 'test')).toEqual({
      VMCATCHER_EVENT_DC_IDENTIFIER: 'x1',
      VMCATCHER_EVENT_HV_SIZE: '12',
      VMCATCHER_EVENT_SL_CHECKSUM_SHA512: 'ab',
      VMCATCHER_EVENT_FILENAME: 'x1',
      VMCATCHER_EVENT_HV_FORMAT: 'raw',
    });
    const noId = parseCacheIndex(JSON.stringify({ x2: { filename: 'x2', 'sl:os': 'Linux' } }), 'test');
    expect(eventVarsFromCacheIndex(noId, 'x2', 'test').VMCATCHER_EVENT_DC_IDENTIFIER).toBe('x2');
  });

  it('names what is wrong: unknown identifier, no index, not JSON, not an object', () => {
    expect(() => eventVarsFromCacheIndex(index, 'nope', REAL_INDEX)).toThrow(/nope is not in .*cache.index.*it holds 1e2b8099/);
    expect(() => readCacheIndex('/nonexistent/dir')).toThrow(InvalidArgumentError);
    expect(() => readCacheIndex('/nonexistent/dir')).toThrow(/VMCATCHER_CACHE_DIR_CACHE or --cache-dir/);
    expect(() => parseCacheIndex('{', 'f')).toThrow(/f is not vmcatcher's cache index: not JSON/);
    expect(() => parseCacheIndex('[1]', 'f')).toThrow(/expected a JSON object keyed by dc:identifier/);
    expect(fs.existsSync(REAL_INDEX)).toBe(true);
  });
});
