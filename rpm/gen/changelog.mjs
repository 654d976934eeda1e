// The RPM %changelog from the GNU-style ChangeLog at the top of the repository:
//   YYYY-MM-DD  Name  <email>
//   <TAB>* file: text
//   <TAB>  continued text
import { wrapText } from './conf-file.mjs';

const HEADER = /^(\d{4})-(\d{2})-(\d{2})\s+(.*?)\s*<([^>]+)>\s*$/;
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Entries of a GNU ChangeLog: date, author, email and items (each the text of one `*` line and its continuation). */
export function parseChangeLog(text) {
  const entries = [];
  let entry;
  for (const raw of text.split(/\r?\n/)) {
    const m = HEADER.exec(raw);
    if (m) {
      entry = { date: `${m[1]}-${m[2]}-${m[3]}`, name: m[4], email: m[5], items: [] };
      entries.push(entry);
      continue;
    }
    const line = raw.trim();
    if (!entry || line === '') continue;
    if (line.charAt(0) === '*' || entry.items.length === 0) entry.items.push(line.replace(/^\*\s*/, ''));
    else entry.items[entry.items.length - 1] += ` ${line}`;
  }
  return entries;
}

/** `Fri Jan 10 2025` for 2025-01-10, the date form rpm's %changelog requires. */
export function rpmDate(isoDate) {
  const d = new Date(`${isoDate}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) throw new Error(`ChangeLog: ${isoDate} is not a date`);
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, '0')} ${d.getUTCFullYear()}`;
}

/** The body of %changelog, newest first (rpm refuses entries out of order); '' for no entries. */
export function renderRpmChangelog(entries) {
  const sorted = entries.slice().sort((a, b) => (a.date < b.date ? 1 : a.date > b.date ? -1 : 0));
  // A % in a spec is a macro, even in %changelog.
  const esc = (s) => s.replace(/%/g, '%%');
  return sorted
    .map((e) => {
      const items = e.items.map((i) => esc(wrapText(i, 78, '  ').join('\n').replace(/^ /, '-')));
      return [`* ${rpmDate(e.date)} ${esc(e.name)} <${esc(e.email)}>`].concat(items).join('\n');
    })
    .join('\n\n');
}
