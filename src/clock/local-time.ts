// The one time format the commands print for people: local time with its offset, `2026-12-07 22:41:08 +0100`.

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Local `YYYY-MM-DD HH:MM:SS ±HHMM` for an instant (epoch ms or ISO text). */
export function formatLocalTime(at: number | string): string {
  const d = new Date(at);
  const off = -d.getTimezoneOffset();
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off);
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} ` +
    `${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`
  );
}
