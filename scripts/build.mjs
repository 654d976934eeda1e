// Bundles src/ into the one CommonJS file that ships; it must run on Node.js 10.24.1.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

await build({
  entryPoints: ['src/cli/bin.ts'],
  outfile: 'dist/vmcatcher_eventHndl_ON.js',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node10',
  minifySyntax: true,
  legalComments: 'none',
  define: { __VERSION__: JSON.stringify(pkg.version) },
  logLevel: 'warning',
});
