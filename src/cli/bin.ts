// The bundle's entry point: run the command line with the real process.
import { run } from './main';

run(process.argv.slice(2), {
  env: process.env,
  cwd: process.cwd(),
  stdout: (s) => process.stdout.write(s),
  interactive: Boolean(process.stdin.isTTY && process.stderr.isTTY),
}).then((code) => {
  process.exitCode = code;
});
