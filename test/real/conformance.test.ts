// The simulator against a real oned: the same call sequences, answers compared after normalising ids
// and times. Every difference is either fixed in the simulator or listed below with its reason; an
// unlisted difference fails, and so does a listed one that no longer occurs.
import * as fs from 'fs';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startSimulator, Simulator } from '../sim/index';
import { CASES, differences, KnownDifference, prepareDirs, Target, transcript } from './conformance';
import { TEMPLATE_CASES } from './conformance-templates';
import { VM_CASES } from './conformance-vms';
import { ONED_PASSWORD } from './oned';
import { onedInstalls, useRealOned } from './site';

// A real oned copies with its own drivers: minutes, not milliseconds, on a busy 2-core machine.
vi.setConfig({ testTimeout: 600000, hookTimeout: 600000 });

/** Where the simulator knowingly differs from a real oned, and why that is acceptable. */
export const KNOWN_DIFFERENCES: readonly KnownDifference[] = [
  {
    versions: ['7.4.0'],
    case: 'a refused directory: ERROR',
    label: 'info',
    reason:
      "7.4's fs/cp puts only its message in TEMPLATE/ERROR, without the \"ERROR: cp: Not allowed to copy images from <dirs>\" line 6.10 writes in front; " +
      'the simulator speaks 6.10. The handler recognises both (src/steps/wait-ready.ts looks for RESTRICTED_DIRS).',
  },
];

const USERS = { alice: 'alice-pw', bob: 'bob-pw' };

// The VM template and VM sequences run through the same transcript machinery (each case's name must
// differ from the others in its first 8 lower-case letters: the tag that keeps names apart).
Object.assign(CASES, TEMPLATE_CASES, VM_CASES);

describe.each(onedInstalls())('simulator 6.10 against real oned $version', (install) => {
  const getOned = useRealOned(install);
  let sim: Simulator;
  let simTarget: Target;
  let realTarget: Target;
  const seen = new Set<string>();

  beforeAll(async () => {
    const oned = getOned();
    const realDirs = { safe: path.join(oned.root, 'conf-safe'), refused: path.join(oned.root, 'conf-refused') };
    prepareDirs(realDirs.safe, realDirs.refused);
    await oned.setDatastoreDirs(1, { safeDirs: realDirs.safe, restrictedDirs: '/' });
    const realIds: Record<string, number> = { oneadmin: 0 };
    for (const [name, pw] of Object.entries(USERS)) realIds[name] = await oned.addUser(name, pw, 1);
    realTarget = {
      name: `oned ${install.version}`,
      sessions: { oneadmin: oned.session, alice: 'alice:alice-pw', bob: 'bob:bob-pw' },
      userIds: realIds,
      safeDir: realDirs.safe,
      refusedDir: realDirs.refused,
      localPaths: [
        [`${oned.root}/var/`, '/var/lib/one/'],
        [`${oned.root}/etc/`, '/etc/one/'],
        [`${oned.root}/`, '/var/lib/one/'],
      ],
      call: (session, method, ...args) => oned.rpcAs(session, method, ...args),
    };

    sim = await startSimulator({ version: '6.10', adminPassword: ONED_PASSWORD });
    const simDirs = { safe: path.join(sim.root, 'conf-safe'), refused: path.join(sim.root, 'conf-refused') };
    prepareDirs(simDirs.safe, simDirs.refused);
    sim.setDatastoreDirs(1, { safeDirs: simDirs.safe, restrictedDirs: '/' });
    const simIds: Record<string, number> = { oneadmin: 0 };
    for (const [name, pw] of Object.entries(USERS)) simIds[name] = sim.addUser({ name, password: pw, gid: 1 });
    const { call } = await import('../sim/rpc');
    simTarget = {
      name: 'simulator',
      sessions: { oneadmin: `oneadmin:${ONED_PASSWORD}`, alice: 'alice:alice-pw', bob: 'bob:bob-pw' },
      userIds: simIds,
      safeDir: simDirs.safe,
      refusedDir: simDirs.refused,
      call: (session, method, ...args) => call(sim.url, method, { s: session }, ...args),
    };
  }, 180000);
  afterAll(async () => {
    if (sim) await sim.close();
  });

  it.each(Object.keys(CASES))('%s', async (name) => {
    const tag = name.replace(/[^a-z]+/g, '').slice(0, 8);
    const [real, simulated] = await Promise.all([transcript(realTarget, name, tag), transcript(simTarget, name, tag)]);
    expect(real.length, JSON.stringify(real, null, 1)).toBeGreaterThan(0);
    const known = KNOWN_DIFFERENCES.filter((d) => d.case === name && d.versions.indexOf(install.version) >= 0);
    const unexplained = differences(simulated, real).filter((d) => {
      const k = known.filter((x) => x.label === d.label)[0];
      if (k) seen.add(`${k.case}/${k.label}`);
      return !k;
    });
    expect(unexplained, `the simulator differs from oned ${install.version} (fix the simulator, or list it with its reason)`).toEqual([]);
    for (const k of known) expect(seen.has(`${k.case}/${k.label}`), `listed difference no longer occurs: ${k.case}/${k.label}`).toBe(true);
    fs.writeFileSync(path.join(getOned().root, `transcript-${tag}.json`), JSON.stringify({ real, simulated }, null, 1));
  });
});
