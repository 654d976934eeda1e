// Bundles and runs scripts/demo.ts (it uses the test simulator, which is TypeScript).
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';

await build({
  entryPoints: ['scripts/demo.ts'],
  outfile: 'dist/demo/demo.js',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  logLevel: 'warning',
});
const r = spawnSync(process.execPath, ['dist/demo/demo.js'].concat(process.argv.slice(2)), { stdio: 'inherit' });
process.exit(r.status === null ? 1 : r.status);
