// Bundles src/ into the one CommonJS file that ships; it must run on Node.js 10.24.1.
//
// The file has two parts. First src/cli/bin.ts, which answers the events the hook ignores (most of
// the events vmcatcher sends) with a few small modules. Then the whole command line (src/cli/main.ts
// and everything it uses), every line commented out: Node only skims comments, where compiling that
// code would make every ignored event cost twice a bare `node` (bench/RESULTS.md); bin.ts compiles it
// from the file's own text when it is needed.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const OUT = 'dist/vmcatcher_eventHndl_ON.js';
// A line of its own between the parts; the entry holds it in quotes, so only the real one starts a line.
const MARK = '// ---- the command line, compiled by the code above when an event needs it ----';

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node10',
  minifySyntax: true,
  legalComments: 'none',
  define: { __VERSION__: JSON.stringify(pkg.version), __COMMAND_LINE_MARK__: JSON.stringify(MARK) },
  logLevel: 'warning',
  write: false,
};

const [entry, main] = await Promise.all([
  // ./main is only a type there: it reaches the entry through the commented part.
  build({ ...common, entryPoints: ['src/cli/bin.ts'], outfile: OUT }),
  build({ ...common, entryPoints: ['src/cli/main.ts'], outfile: OUT }),
]);
const entryText = entry.outputFiles[0].text;
const mainText = main.outputFiles[0].text;
// esbuild writes ASCII only, so no line of the command line can end its comment early (\r, U+2028/9).
if (/[\r\u2028\u2029]/.test(mainText) || entryText.split('\n').indexOf(MARK) >= 0) throw new Error('build: the command line cannot be kept in line comments');
const commented = mainText.replace(/\n$/, '').split('\n').map((line) => `//${line}`).join('\n');
mkdirSync('dist', { recursive: true });
writeFileSync(OUT, `${entryText.replace(/\n$/, '')}\n${MARK}\n${commented}\n`);
