// Which qemu-img we run decides which options we may give it. EL6 ships qemu-img 0.12 and EL7 1.5.3;
// -U (force share) came with 2.10, convert -W (out-of-order writes) and the raw driver's
// offset/size (an OVA's disk read in place) with 2.9, and --output=json for info and check with 1.5.
import { InvalidConfigError } from '../errors';
import { runQemuImg } from './run';

export interface QemuVersion {
  readonly major: number;
  readonly minor: number;
  readonly micro: number;
}

type Feature = 'json' | 'rawRange' | 'outOfOrder' | 'forceShare';

/** The first version with each feature we use. */
const SINCE: Record<Feature, readonly [number, number]> = {
  json: [1, 5],
  rawRange: [2, 9],
  outOfOrder: [2, 9],
  forceShare: [2, 10],
};

/** What each feature is, for messages. */
const WHAT: Record<Feature, string> = {
  json: 'qemu-img info and check with --output=json',
  rawRange: "reading an OVA's disk in place (the raw driver's offset and size)",
  outOfOrder: 'convert -W',
  forceShare: 'info and check with -U',
};

/** The version in `qemu-img --version` or help output ("qemu-img version 1.5.3, Copyright ..."). */
export function parseQemuVersion(text: string): QemuVersion | undefined {
  const m = /qemu-img version (\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
  return m ? { major: Number(m[1]), minor: Number(m[2]), micro: Number(m[3] || 0) } : undefined;
}

export function formatVersion(v: QemuVersion): string {
  return `${v.major}.${v.minor}.${v.micro}`;
}

/** Whether qemu-img `v` has `feature`. */
export function supports(v: QemuVersion, feature: Feature): boolean {
  const [major, minor] = SINCE[feature];
  return v.major > major || (v.major === major && v.minor >= minor);
}

/** InvalidConfigError naming VMCHNDL_ON_QEMU_IMG when qemu-img `v` lacks `feature`. */
export function requireFeature(v: QemuVersion, feature: Feature, bin: string): void {
  if (supports(v, feature)) return;
  const [major, minor] = SINCE[feature];
  throw new InvalidConfigError([
    `VMCHNDL_ON_QEMU_IMG: ${bin} is qemu-img ${formatVersion(v)}; ${WHAT[feature]} needs qemu-img ${major}.${minor} or newer. ` +
      'Install a newer qemu-img (on EL7 qemu-img-ev; on EL6 a build of 1.5 or later) and name it in VMCHNDL_ON_QEMU_IMG; the event stays pending until then',
  ]);
}

const known = new Map<string, Promise<QemuVersion>>();

/**
 * Asks qemu-img its version, once per program run and binary. Versions before 2.x know no
 * --version and print it atop their usage text instead, so that is read too.
 */
export function qemuVersion(bin: string): Promise<QemuVersion> {
  let v = known.get(bin);
  if (!v) {
    v = askVersion(bin);
    known.set(bin, v);
    // A failure (not found, killed) is not kept: the next call asks again.
    v.catch(() => known.delete(bin));
  }
  return v;
}

async function askVersion(bin: string): Promise<QemuVersion> {
  for (const args of [['--version'], ['-h']]) {
    const res = await runQemuImg(args, { qemuImg: bin, timeoutMs: 30000 });
    const v = parseQemuVersion(`${res.stdout}\n${res.stderr}`);
    if (v) return v;
  }
  throw new InvalidConfigError([`VMCHNDL_ON_QEMU_IMG: ${bin} does not say which qemu-img version it is (qemu-img --version, qemu-img -h)`]);
}
