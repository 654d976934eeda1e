// Reads the local zone's abbreviation (CEST, UTC, ...) from the TZif file the C library uses.
// Node 10's built-in ICU knows no zone names, so Intl cannot tell us.
import * as fs from 'fs';
import * as path from 'path';

interface Zone {
  transitions: number[];
  types: number[];
  abbrevs: string[];
  /** Index into abbrevs of each local time type. */
  typeAbbr: number[];
  typeOffset: number[];
}

function parseTzif(buf: Buffer): Zone | undefined {
  if (buf.length < 44 || buf.toString('latin1', 0, 4) !== 'TZif') return undefined;
  let version = buf[4];
  let base = 0;
  let timeSize = 4;
  const counts = (at: number) => [20, 24, 28, 32, 36, 40].map((o) => buf.readUInt32BE(at + o));
  let [isutc, isstd, leap, timecnt, typecnt, charcnt] = counts(0);
  if (version >= 0x32) {
    // Skip the v1 block and read the 64-bit one.
    base = 44 + timecnt * 4 + timecnt + typecnt * 6 + charcnt + leap * 8 + isstd + isutc;
    if (buf.toString('latin1', base, base + 4) !== 'TZif') return undefined;
    [isutc, isstd, leap, timecnt, typecnt, charcnt] = counts(base);
    timeSize = 8;
  }
  let p = base + 44;
  const transitions: number[] = [];
  for (let i = 0; i < timecnt; i++, p += timeSize) {
    transitions.push(timeSize === 8 ? Number(buf.readInt32BE(p)) * 4294967296 + buf.readUInt32BE(p + 4) : buf.readInt32BE(p));
  }
  const types: number[] = [];
  for (let i = 0; i < timecnt; i++, p++) types.push(buf[p]);
  const typeOffset: number[] = [];
  const typeAbbr: number[] = [];
  for (let i = 0; i < typecnt; i++, p += 6) {
    typeOffset.push(buf.readInt32BE(p));
    typeAbbr.push(buf[p + 5]);
  }
  const chars = buf.toString('latin1', p, p + charcnt);
  const abbrevs = typeAbbr.map((i) => chars.slice(i, chars.indexOf('\0', i) < 0 ? undefined : chars.indexOf('\0', i)));
  return { transitions, types, abbrevs, typeAbbr, typeOffset };
}

/** The TZif file for $TZ (or /etc/localtime), as the C library would pick it. */
export function localZoneFile(tz: string | undefined): string {
  if (tz) {
    const name = tz.charAt(0) === ':' ? tz.slice(1) : tz;
    return path.isAbsolute(name) ? name : path.join('/usr/share/zoneinfo', name);
  }
  return '/etc/localtime';
}

/**
 * The zone abbreviation for a local offset (seconds east of UTC) at `epochMs`, or undefined.
 * Matching on the offset also covers instants past the file's last transition (2037).
 */
export function zoneAbbreviation(epochMs: number, offsetSec: number, zoneFile: string): string | undefined {
  let zone: Zone | undefined;
  try {
    zone = parseTzif(fs.readFileSync(zoneFile));
  } catch (_) {
    return undefined;
  }
  if (!zone || zone.abbrevs.length === 0) return undefined;
  const t = Math.floor(epochMs / 1000);
  let found: string | undefined;
  // The newest local time type with this offset that was in force at or before t.
  for (let i = 0; i < zone.transitions.length && zone.transitions[i] <= t; i++) {
    if (zone.typeOffset[zone.types[i]] === offsetSec) found = zone.abbrevs[zone.types[i]];
  }
  if (found === undefined) {
    for (let i = 0; i < zone.typeOffset.length; i++) if (zone.typeOffset[i] === offsetSec) found = zone.abbrevs[i];
  }
  return found;
}
