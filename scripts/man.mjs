// The man page vmcatcher_eventHndl_ON(8), generated from the CLI's own --help output (the program
// and each command) and the settings table, so it cannot drift from what the program says.
// Usage: node scripts/man.mjs [--bundle dist/vmcatcher_eventHndl_ON.js] [--date YYYY-MM-DD] [--out file.8]
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSettings } from '../rpm/gen/settings.mjs';

const PROGRAM = 'vmcatcher_eventHndl_ON';
const ENTRY_SECTIONS = /^(Options|Commands|Arguments|Global Options)$/;
const VERBATIM_SECTIONS = /^Examples?$/;

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

/** Text safe in a troff line: backslashes, leading dots and quotes, and minus signs. */
export function troffEscape(text, { minus = false } = {}) {
  let s = text.replace(/\\/g, '\\e');
  if (minus) s = s.replace(/-/g, '\\-');
  return s.replace(/^([.'])/, '\\&$1');
}

function entriesToTroff(entries) {
  const out = [];
  for (const e of entries) out.push('.TP', `.B ${troffEscape(e.term, { minus: true })}`, troffEscape(e.desc));
  return out;
}

function verbatim(lines) {
  return ['.PP', '.nf', '.RS 2', ...lines.map((l) => troffEscape(l.replace(/^ {2}/, ''))), '.RE', '.fi'];
}

function section(help, title) {
  return help.sections.find((s) => s.title === title);
}

// Help text that no part of the page is made for (a new heading, prose after a list) still shows.
function otherProse(help) {
  const out = [];
  for (const s of help.sections.filter((x) => !ENTRY_SECTIONS.test(x.title) && !VERBATIM_SECTIONS.test(x.title) && x.title !== 'Exit codes')) {
    if (!s.lines.length) continue;
    out.push('.PP', (s.title ? `\\fB${troffEscape(s.title)}${troffEscape(s.note ? ` ${s.note}` : '')}:\\fR ` : '') + troffEscape(s.lines.map((l) => l.trim()).join(' ')));
  }
  return out;
}

function examples(help, labelled = true) {
  const out = [];
  for (const s of help.sections.filter((x) => VERBATIM_SECTIONS.test(x.title))) {
    if (labelled || s.note) out.push('.PP', `${s.title}${s.note ? ` ${troffEscape(s.note)}` : ''}:`);
    out.push(...verbatim(s.lines).slice(labelled || s.note ? 1 : 0));
  }
  return out;
}

/** The troff source of vmcatcher_eventHndl_ON(8). */
export function renderManPage({ help, settings, configFile, version, date }) {
  const { main, commands } = help;
  const mainOptions = section(main, 'Options');
  const known = new Set((mainOptions ? mainOptions.entries : []).map((e) => `${e.term}\n${e.desc}`));
  const stateDir = (settings.find((s) => s.key.endsWith('_STATE_DIR')) || {}).default;
  const name = main.description.split(/[:.]\s/)[0];
  const out = [
    `.TH ${PROGRAM.toUpperCase()} 8 "${date}" "${PROGRAM} ${version}" "System Administration"`,
    // Setting keys and paths are meant to be searched for and copied: never hyphenate or stretch them.
    '.nh',
    '.ad l',
    '.SH NAME',
    `${PROGRAM} \\- ${troffEscape(name)}`,
    '.SH SYNOPSIS',
    [main.usage].concat(commands.map((c) => c.help.usage)).map((u) => `.B ${troffEscape(u, { minus: true })}`).join('\n.br\n'),
    '.SH DESCRIPTION',
    troffEscape(main.description),
    ...otherProse(main),
    '.SH OPTIONS',
    ...entriesToTroff(mainOptions ? mainOptions.entries : []),
    '.SH COMMANDS',
  ];
  for (const c of commands) {
    const own = (section(c.help, 'Options') || { entries: [] }).entries.filter((e) => !known.has(`${e.term}\n${e.desc}`));
    out.push(`.SS ${troffEscape(c.help.usage.replace(new RegExp(`^${PROGRAM}\\s+`), ''), { minus: true })}`, troffEscape(c.help.description));
    out.push(...otherProse(c.help));
    if (own.length) out.push('.PP', 'Besides the options above:', ...entriesToTroff(own));
    out.push(...examples(c.help));
  }
  out.push(
    '.SH CONFIGURATION',
    `Settings are read from ${troffEscape(configFile)} (or the file named by \\fB\\-\\-config\\fR or VMCHNDL_ON_CONFIG),`,
    'as KEY=value lines; the same keys in the environment override the file, and',
    '\\fB\\-\\-set\\fR KEY=VALUE overrides both.',
  );
  for (const s of settings) {
    const dflt = s.default === undefined ? 'unset' : `\\fI${troffEscape(s.default)}\\fR`;
    out.push('.TP', `.B ${s.key}`, `${troffEscape(s.doc)}`, '.br', `Default: ${dflt}.`);
  }
  out.push('.SH EXAMPLES', ...examples(main, false));
  const exit = section(main, 'Exit codes');
  if (exit) out.push('.SH EXIT STATUS', troffEscape(exit.lines.map((l) => l.trim()).join(' ')));
  out.push(
    '.SH FILES',
    '.TP',
    `.I ${troffEscape(configFile)}`,
    'the settings, every one commented out with its default.',
  );
  if (stateDir) out.push('.TP', `.I ${troffEscape(stateDir)}`, 'journals, locks and the event spool (the default of the state directory setting).');
  out.push(
    '.TP',
    `.I /usr/share/doc/${PROGRAM}/vmcatcher\\-cron.cfg`,
    "an example of vmcatcher's cron job that calls this handler.",
    '.SH SEE ALSO',
    '.BR vmcatcher_subscribe (1),',
    '.BR vmcatcher_cache (1),',
    '.BR vmcatcher_image (1),',
    '.BR qemu\\-img (1),',
    '.BR oneimage (1)',
  );
  return out.join('\n') + '\n';
}

async function main(argv) {
  const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const opt = (flag, dflt) => (argv.indexOf(flag) >= 0 ? argv[argv.indexOf(flag) + 1] : dflt);
  const pkg = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8'));
  const { settings, configFile } = await loadSettings(repo);
  const help = readHelp(path.resolve(opt('--bundle', path.join(repo, 'dist/vmcatcher_eventHndl_ON.js'))));
  const page = renderManPage({ help, settings, configFile, version: pkg.version, date: opt('--date', new Date().toISOString().slice(0, 10)) });
  const out = opt('--out');
  if (out) fs.writeFileSync(out, page);
  else process.stdout.write(page);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((e) => {
    process.stderr.write(`man.mjs: ${e.message}\n`);
    process.exit(1);
  });
}
