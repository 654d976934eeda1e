// The timestamp in a retired image's name: local time with its real offset and zone.
import { localZoneFile, zoneAbbreviation } from './tzif';

function pad(n: number, width = 2): string {
  let s = String(Math.abs(n));
  while (s.length < width) s = '0' + s;
  return s;
}

/** `2014-06-04_12-54-44_+0200-CEST`; the abbreviation is left out where the zone has no letter one. */
export function formatRetiredStamp(epochMs: number, tz: string | undefined): string {
  const d = new Date(epochMs);
  const offsetMin = -d.getTimezoneOffset();
  const sign = offsetMin < 0 ? '-' : '+';
  const off = `${sign}${pad(Math.floor(Math.abs(offsetMin) / 60))}${pad(Math.abs(offsetMin) % 60)}`;
  const date = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  const time = `${pad(d.getHours())}-${pad(d.getMinutes())}-${pad(d.getSeconds())}`;
  const abbr = zoneAbbreviation(epochMs, offsetMin * 60, localZoneFile(tz));
  return `${date}_${time}_${off}${abbr && /^[A-Za-z]+$/.test(abbr) ? `-${abbr}` : ''}`;
}
