// Fault injection: "the nth call of method M from now, `times` times", counted per injection.
import type { SimFault, SimInjection } from './types';

interface Entry {
  method: string;
  seen: number;
  from: number;
  to: number;
  fault: SimFault;
  after: boolean;
}

export class Faults {
  private entries: Entry[] = [];

  /** Registers an injection; counting starts with the next call. */
  inject(f: SimInjection): void {
    const nth = f.nth ?? 1;
    const times = f.times ?? 1;
    if (!Number.isInteger(nth) || nth < 1) throw new Error(`oned simulator: nth must be an integer >= 1, got ${nth}`);
    if (!Number.isInteger(times) || times < 1) throw new Error(`oned simulator: times must be an integer >= 1, got ${times}`);
    this.entries.push({ method: f.method, seen: 0, from: nth, to: nth + times - 1, fault: f.fault, after: f.after === true });
  }

  clear(): void {
    this.entries = [];
  }

  /** Counts this call against every matching injection; returns the first one that fires. */
  take(method: string): { fault: SimFault; after: boolean } | undefined {
    let hit: Entry | undefined;
    for (const e of this.entries) {
      if (e.method !== method && e.method !== '*') continue;
      e.seen++;
      if (!hit && e.seen >= e.from && e.seen <= e.to) hit = e;
    }
    this.entries = this.entries.filter((e) => e.seen < e.to);
    return hit && { fault: hit.fault, after: hit.after };
  }
}
