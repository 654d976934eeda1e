// The CLI's own --help output (commander's layout) read back as data: usage, description, option
// and command lists, examples. The man page is made from it.
import { execFileSync } from 'node:child_process';

export const ENTRY_SECTIONS = /^(Options|Commands|Arguments|Global Options)$/;
export const VERBATIM_SECTIONS = /^Examples?$/;

/** The --help text of the bundle and of each command it lists. */
export function readHelp(bundle, node = process.execPath) {
  const help = (args) => execFileSync(node, [bundle].concat(args), { encoding: 'utf8', env: Object.assign({}, process.env, { COLUMNS: '80' }) });
  const main = parseHelp(help(['--help']));
  const commandSection = main.sections.find((s) => s.title === 'Commands');
  const commands = (commandSection ? commandSection.entries : [])
    .map((e) => e.term.split(' ')[0])
    .filter((name) => name !== 'help')
    .map((name) => ({ name, help: parseHelp(help([name, '--help'])) }));
  return { main, commands };
}

/** commander's help text as usage, description and titled sections (entries, verbatim lines or prose). */
export function parseHelp(text) {
  const lines = text.replace(/\s+$/, '').split('\n');
  const usage = lines[0].replace(/^Usage:\s*/, '');
  const description = [];
  const sections = [];
  let section;
  for (const line of lines.slice(1)) {
    // `Options:`, `Exit codes: text`, `Example (cron, every 5 minutes):`
    const heading = /^([A-Z][A-Za-z]*(?: [a-z]+)?)( \([^)]*\))?:(?:\s+(.*))?$/.exec(line);
    if (heading) {
      section = { title: heading[1], note: (heading[2] || '').trim(), entries: [], lines: heading[3] ? [heading[3]] : [] };
      sections.push(section);
    } else if (!section) {
      if (line.trim()) description.push(line.trim());
    } else if (!line.trim() && ENTRY_SECTIONS.test(section.title)) {
      // commander ends a list with a blank line; text after it has no heading of its own.
      section = { title: '', note: '', entries: [], lines: [] };
      sections.push(section);
    } else if (ENTRY_SECTIONS.test(section.title)) {
      const entry = /^ {2}(\S.*?)(?: {2,}(.*))?$/.exec(line);
      const last = section.entries[section.entries.length - 1];
      if (entry) section.entries.push({ term: entry[1], desc: entry[2] || '' });
      else if (last && line.trim()) last.desc = `${last.desc} ${line.trim()}`.trim();
    } else section.lines.push(line);
  }
  for (const s of sections) {
    while (s.lines.length && !s.lines[s.lines.length - 1].trim()) s.lines.pop();
  }
  return { usage, description: description.join(' '), sections };
}
