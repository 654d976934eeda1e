// In-memory records for pure tests of the planner.
import type { Config } from '../../src/config/config';
import { normalizeConfig } from '../../src/config/config';
import type { ImageEvent } from '../../src/event/parse-event';
import type { DatastoreRecord, ImageRecord, PermBits } from '../../src/one/types';
import type { Observed, ObservedFile } from '../../src/plan/types';

export const ID = '1e2b8099-febf-444f-8078-8942ca3e5210';
export const SUM1 = 'a'.repeat(128);
export const SUM2 = 'b'.repeat(128);

export function bits(octal: string): PermBits {
  const out: number[] = [];
  for (const ch of octal) {
    const d = Number(ch);
    out.push((d >> 2) & 1, (d >> 1) & 1, d & 1);
  }
  return out as unknown as PermBits;
}

export function image(p: Partial<ImageRecord> & { id: number }): ImageRecord {
  return Object.assign(
    {
      uid: 0,
      gid: 0,
      uname: 'oneadmin',
      gname: 'oneadmin',
      name: `image-${p.id}`,
      permissions: bits('600'),
      type: 0,
      persistent: false,
      regtime: 1000 + p.id,
      source: `/var/lib/one/datastores/1/${p.id}`,
      path: '/var/tmp/x',
      format: 'raw',
      size: 1,
      state: 1,
      runningVms: 0,
      datastoreId: 1,
      datastore: 'default',
      vms: [],
      template: {},
    },
    p,
  );
}

export const DATASTORE: DatastoreRecord = {
  id: 1,
  name: 'default',
  uid: 0,
  gid: 0,
  type: 0,
  dsMad: 'fs',
  tmMad: 'shared',
  basePath: '/var/lib/one/datastores/1',
  template: { SAFE_DIRS: '/var/tmp', RESTRICTED_DIRS: '/' },
};

export function config(over: Record<string, string> = {}): Config {
  return normalizeConfig(Object.assign({ stateDir: '/tmp/state', stagingDir: '/var/tmp/vmcatcher_eventHndl_ON' }, over));
}

export function event(p: Partial<ImageEvent> = {}): ImageEvent {
  const vars = Object.assign(
    {
      VMCATCHER_EVENT_DC_IDENTIFIER: ID,
      VMCATCHER_EVENT_DC_TITLE: 'Alpha Linux Base',
      VMCATCHER_EVENT_DC_DESCRIPTION: 'Alpha Linux base image',
      VMCATCHER_EVENT_HV_FORMAT: 'qcow2',
      VMCATCHER_EVENT_HV_VERSION: '2.0',
      VMCATCHER_EVENT_SL_CHECKSUM_SHA512: SUM2,
      VMCATCHER_EVENT_FILENAME: ID,
      VMCATCHER_EVENT_TYPE: 'AvailablePostfix',
    },
    p.vars || {},
  );
  return Object.assign(
    { kind: 'available', type: 'AvailablePostfix', identifier: ID, file: `/var/lib/vmcatcher/cache/${ID}`, checksum: SUM2, vars },
    p,
    { vars },
  ) as ImageEvent;
}

export function file(format = 'qcow2', p: Partial<ObservedFile> = {}): ObservedFile {
  return Object.assign({ path: `/var/lib/vmcatcher/cache/${ID}`, size: 1 << 20, info: { format, virtualSize: 1 << 24 } }, p);
}

export function observed(p: Partial<Observed> = {}): Observed {
  return Object.assign(
    {
      images: [],
      caller: { uid: 0, gid: 0, name: 'oneadmin' },
      datastore: DATASTORE,
      retiredOwner: { uid: 0, gid: 0 },
      file: file(),
    },
    p,
  );
}

export const RUN = { runId: '20261122T000000Z-abcdef', now: Date.UTC(2026, 10, 22, 12, 0, 0), stamp: '2026-11-22_13-00-00_+0100-CET' };
