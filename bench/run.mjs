// `npm run bench [-- --quick]`: builds the shipped bundle (scripts/build.mjs), bundles the benchmark
// (it drives the TypeScript oned simulator and the project's client) and runs it. `--quick`: small
// files and few runs, to try the benchmark itself; the results then go to dist/bench/RESULTS-quick.md
// instead of bench/RESULTS.md. BENCH_VERBOSE=1 prints each rotation's log and XML-RPC calls.
// `--profile [qcow2|raw] [MiB]`: one rotation under Node 20's --cpu-prof instead (bench/profile.ts).
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';

await import('../scripts/build.mjs');
const common = { bundle: true, platform: 'node', format: 'cjs', logLevel: 'warning' };
await build({ ...common, entryPoints: ['bench/main.ts'], outfile: 'dist/bench/bench.js', target: 'node20' });
// The probe runs the shipped code (client, planner, checksum) in child processes under Node 20 and Node 10.
await build({ ...common, entryPoints: ['bench/probe.ts'], outfile: 'dist/bench/probe.js', target: 'node10' });
await build({ ...common, entryPoints: ['bench/profile.ts'], outfile: 'dist/bench/profile.js', target: 'node20' });
const args = process.argv.slice(2);
const profile = args[0] === '--profile';
const r = spawnSync(process.execPath, profile ? ['dist/bench/profile.js', ...args.slice(1)] : ['dist/bench/bench.js', ...args], { stdio: 'inherit' });
process.exit(r.status === null ? 1 : r.status);
