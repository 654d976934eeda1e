// The timestamp in a retired image's name: local time with its real offset and zone.
import { localZoneFile, zoneAbbreviation } from './tzif';

function pad(n: number, width = 2): string {
  let s = String(Math.abs(n));
  while (s.length < width) s = '0' + s;
  return s;
}

/** The longest zone abbreviation a stamp carries (tzdata's are 3 to 5 letters). */
const MAX_ABBREVIATION = 6;
/** The longest stamp: date, time, offset and zone, `2014-06-04_12-54-44_+0200-` and 6 letters. */
export const MAX_RETIRED_STAMP_LENGTH = 26 + MAX_ABBREVIATION;

/** `2014-06-04_12-54-44_+0200-CEST`; the abbreviation is left out where the zone has no letter one (or an overlong one). */
export function formatRetiredStamp(epochMs: number, tz: string | undefined): string {
  const d = new Date(epochMs);
  const offsetMin = -d.getTimezoneOffset();
  const sign = offsetMin < 0 ? '-' : '+';
  const off = `${sign}${pad(Math.floor(Math.abs(offsetMin) / 60))}${pad(Math.abs(offsetMin) % 60)}`;
  const date = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  const time = `${pad(d.getHours())}-${pad(d.getMinutes())}-${pad(d.getSeconds())}`;
  const abbr = zoneAbbreviation(epochMs, offsetMin * 60, localZoneFile(tz));
  return `${date}_${time}_${off}${abbr && /^[A-Za-z]+$/.test(abbr) && abbr.length <= MAX_ABBREVIATION ? `-${abbr}` : ''}`;
}
