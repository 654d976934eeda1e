// The man page vmcatcher_eventHndl_ON(8), generated from the CLI's own --help output (the program
// and each command) and the settings table, so it cannot drift from what the program says.
// Usage: node scripts/man.mjs [--bundle dist/vmcatcher_eventHndl_ON.js] [--date YYYY-MM-DD] [--out file.8]
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ENTRY_SECTIONS, readHelp, VERBATIM_SECTIONS } from '../rpm/gen/help.mjs';
import { loadSettings } from '../rpm/gen/settings.mjs';

const PROGRAM = 'vmcatcher_eventHndl_ON';

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
  if (stateDir) out.push('.TP', `.I ${troffEscape(stateDir)}`, 'journals, locks, the event spool and the handler\'s records of the images it registered, adopted and retired (the default of the state directory setting).');
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
