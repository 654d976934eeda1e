// Run ids: sortable by time, unique across processes.
import * as crypto from 'crypto';

/** `20261122T032412Z-3f9a1c`: when the run started, plus randomness. */
export function newRunId(now: number): string {
  const iso = new Date(now).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${iso}-${crypto.randomBytes(3).toString('hex')}`;
}
