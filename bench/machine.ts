// What the figures were measured on: they are ratios, but the machine still explains them.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';

export interface Machine {
  date: string;
  cpus: string;
  cpuModel: string;
  memory: string;
  kernel: string;
  node20: string;
  node10: string;
  qemuImg: string;
  sha512sum: string;
}

function firstLine(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8' }).split('\n')[0].trim();
  } catch (e) {
    throw new Error(`${cmd} ${args.join(' ')} failed: ${(e as Error).message}`);
  }
}

/** Describes this machine: CPUs (nproc and model), memory, kernel, the two Node.js, qemu-img and sha512sum. */
export function describeMachine(node10: string): Machine {
  const cpuinfo = fs.readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.*)$/m.exec(cpuinfo);
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    cpus: firstLine('nproc', []),
    cpuModel: model ? model[1].trim() : 'unknown',
    memory: `${(os.totalmem() / 1073741824).toFixed(1)} GiB`,
    kernel: `${os.type()} ${os.release()}`,
    node20: process.version,
    node10: firstLine(node10, ['--version']),
    qemuImg: firstLine('qemu-img', ['--version']),
    sha512sum: firstLine('sha512sum', ['--version']),
  };
}
