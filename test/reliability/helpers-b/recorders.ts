// Wrappers that stand first on PATH for the programs the tool starts: each records its argv and
// environment (qemu-img gets a cleaned environment, so the log path is written into the script),
// and qemu-img convert also records the mode of its output file and directories before and after.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { FIXTURE_BIN, Site } from '../../e2e/site';
import { shQuote } from './raw-env';

export interface Recorders {
  readonly binDir: string;
  readonly qemuLog: string;
  readonly vmcatcherImageLog: string;
  /** Settings that make the tool use the wrappers (they are also first on PATH). */
  readonly settings: Record<string, string>;
}

function realQemuImg(): string {
  const found = execFileSync('/bin/sh', ['-c', 'command -v qemu-img'], { encoding: 'utf8' }).trim();
  if (!found) throw new Error('qemu-img is required by these tests: apt-get install -y qemu-utils');
  return found;
}

const RECORD = `{
  printf 'call'; for a in "$@"; do printf ' %s' "$a"; done; printf '\\n'
  env | sed 's/^/  env /'
} >> "$log"`;

function writeScript(file: string, body: string): void {
  fs.writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
}

/** Installs the wrappers in `<root>/rec-bin`, logging to `<root>/rec-*.log`. */
export function installRecorders(site: Site): Recorders {
  const binDir = path.join(site.root, 'rec-bin');
  fs.mkdirSync(binDir);
  const qemuLog = path.join(site.root, 'rec-qemu-img.log');
  const vmcatcherImageLog = path.join(site.root, 'rec-vmcatcher_image.log');
  const real = realQemuImg();
  writeScript(
    path.join(binDir, 'qemu-img'),
    `log=${shQuote(qemuLog)}
${RECORD}
if [ "$1" = convert ]; then
  for out; do :; done
  dir=$(dirname "$out")
  stat -c '  before %a|%F|%n' "$out" "$dir" "$(dirname "$dir")" >> "$log" 2>&1
  ${shQuote(real)} "$@"; rc=$?
  stat -c '  after %a|%F|%n' "$out" "$dir" "$(dirname "$dir")" >> "$log" 2>&1
  exit $rc
fi
exec ${shQuote(real)} "$@"`,
  );
  writeScript(path.join(binDir, 'vmcatcher_image'), `log=${shQuote(vmcatcherImageLog)}\n${RECORD}\nexec ${shQuote(path.join(FIXTURE_BIN, 'vmcatcher_image'))} "$@"`);
  site.baseEnv.PATH = `${binDir}:${site.baseEnv.PATH}`;
  return {
    binDir,
    qemuLog,
    vmcatcherImageLog,
    settings: { VMCHNDL_ON_QEMU_IMG: path.join(binDir, 'qemu-img'), VMCHNDL_ON_VMCATCHER_IMAGE: path.join(binDir, 'vmcatcher_image') },
  };
}

/** The `stat` lines a qemu-img convert recorded: mode (octal text), type and path. */
export function convertStats(log: string): { when: 'before' | 'after'; mode: string; type: string; path: string }[] {
  if (!fs.existsSync(log)) return [];
  const out: { when: 'before' | 'after'; mode: string; type: string; path: string }[] = [];
  for (const line of fs.readFileSync(log, 'utf8').split('\n')) {
    const m = /^ {2}(before|after) (\d+)\|([^|]+)\|(.*)$/.exec(line);
    if (m) out.push({ when: m[1] as 'before' | 'after', mode: m[2], type: m[3], path: m[4] });
  }
  return out;
}

/** The argv lines (`call ...`) a recorder logged. */
export function recordedCalls(log: string): string[] {
  if (!fs.existsSync(log)) return [];
  return fs.readFileSync(log, 'utf8').split('\n').filter((l) => l.indexOf('call ') === 0);
}
