// The scenarios of the fault matrices and what their cells look at afterwards.
import * as fs from 'fs';
import * as path from 'path';
import { Site, stateFiles } from '../../e2e/site';
import type { SimCall, SimVersion } from '../../sim/index';
import { expiryEvent, Prepared, rotationEvent } from './fixtures';

/**
 * A call that hangs is given up after two seconds: short, and long enough that an answer oned gives
 * is never taken for a hang on a loaded machine (0.5 s was, at times, with the CI's load).
 */
export const FAULT_SETTINGS = { VMCHNDL_ON_CALL_TIMEOUT: '2' };

export interface Scenario {
  readonly name: string;
  readonly disabled: boolean;
  /** No image yet: a first registration. */
  readonly empty?: boolean;
  readonly version?: SimVersion;
  readonly event: (p: Prepared) => Record<string, string>;
  /** Which of the reference's calls become cells (default all). */
  readonly callFilter?: (call: SimCall, oldId: number) => boolean;
  /** Whether a failed call on the old image rolls forward (rotation) or everything rolls back (expiry). */
  readonly forwardOnOld: boolean;
}

/** A rotation of a published image, what only a disabled one does, an expiry, a first registration, and oned 5.2's deletes. */
export const SCENARIOS: Scenario[] = [
  { name: 'rotation of a published, enabled image', disabled: false, event: rotationEvent, forwardOnOld: true },
  // Only what the first scenario does not have: disabling the new image, before the commit.
  { name: 'rotation of a disabled image', disabled: true, event: rotationEvent, forwardOnOld: true, callFilter: (c) => c.method === 'one.image.enable' },
  { name: 'expiry (vmcatcher_image says 1)', disabled: false, event: expiryEvent, forwardOnOld: false },
  // Nothing to retire: every failure deletes the new, never published image and leaves the event pending.
  { name: 'first registration', disabled: false, empty: true, event: rotationEvent, forwardOnOld: false },
  // oned 5.2 deletes a LOCKED image differently (no force argument): the cells whose rollback deletes the new image.
  {
    name: 'rotation on oned 5.2, allocate and READY wait',
    disabled: false,
    version: '5.2',
    event: rotationEvent,
    forwardOnOld: true,
    callFilter: (c) => c.method === 'one.image.allocate' || c.method === 'one.image.info',
  },
];

/** The pending spool entries. */
export function spooled(site: Site): { lastError?: string }[] {
  const dir = path.join(site.stateDir, 'spool');
  return stateFiles(site, 'spool').map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')));
}

export { stagingLeft } from '../../e2e/recovery';
