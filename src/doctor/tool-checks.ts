// doctor: the programs the handler runs: qemu-img (its version decides what it may be asked) and vmcatcher_image.
import execa from 'execa';
import * as fs from 'fs';
import * as path from 'path';
import type { Config } from '../config/config';
import { formatVersion, qemuVersion, supports } from '../qemu/version';
import { CheckResult, result } from './types';

/** qemu-img is there and new enough (1.5; 2.9 for OVAs). */
export async function checkQemuImg(config: Config): Promise<CheckResult> {
  const bin = config.qemuImg;
  let v;
  try {
    v = await qemuVersion(bin);
  } catch (e) {
    return result('qemu-img', 'fail', `VMCHNDL_ON_QEMU_IMG ${bin}: ${(e as Error).message.replace(/^VMCHNDL_ON_QEMU_IMG: /, '')}`, 'install qemu-img (qemu-img or qemu-utils) or name it in VMCHNDL_ON_QEMU_IMG');
  }
  const version = formatVersion(v);
  if (!supports(v, 'json')) {
    return result('qemu-img', 'fail', `${bin} is qemu-img ${version}: too old, 1.5 or newer is needed`, 'install a newer qemu-img (EL7: qemu-img 1.5.3 or qemu-img-ev) and name it in VMCHNDL_ON_QEMU_IMG');
  }
  if (!supports(v, 'rawRange')) {
    return result('qemu-img', 'warn', `${bin} is qemu-img ${version}: OVA images need 2.9 or newer (other images are fine)`, 'for OVAs install qemu-img 2.9 or newer (EL7: qemu-img-ev) and name it in VMCHNDL_ON_QEMU_IMG');
  }
  return result('qemu-img', 'ok', `${bin} is qemu-img ${version}`);
}

function executable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch (_) {
    return false;
  }
}

/** Where a command is found, as a shell would find it (a name with a slash is taken as a path). */
export function whichCommand(cmd: string, env: NodeJS.ProcessEnv): string | undefined {
  if (cmd.indexOf('/') >= 0) return executable(cmd) ? cmd : undefined;
  for (const dir of (env.PATH || '').split(':')) if (dir && executable(path.join(dir, cmd))) return path.join(dir, cmd);
  return undefined;
}

/** vmcatcher_image -l answers (it is asked on every ExpirePostfix). */
export async function checkVmcatcherImage(config: Config, env: NodeJS.ProcessEnv): Promise<CheckResult> {
  const cmd = config.vmcatcherImage;
  // Looked up first: execa 5 may wait for its timeout before reporting a command that does not exist.
  if (!whichCommand(cmd, env)) {
    return result('vmcatcher-image', 'fail', `VMCHNDL_ON_VMCATCHER_IMAGE ${cmd}: command not found; every ExpirePostfix would fail`, 'install vmcatcher or name its vmcatcher_image in VMCHNDL_ON_VMCATCHER_IMAGE');
  }
  let res;
  try {
    res = await execa(cmd, ['-l'], { env, extendEnv: false, reject: false, timeout: 60000, stdin: 'ignore' });
  } catch (e) {
    return result('vmcatcher-image', 'fail', `VMCHNDL_ON_VMCATCHER_IMAGE ${cmd} cannot be run: ${(e as Error).message}`, 'install vmcatcher or name its vmcatcher_image in VMCHNDL_ON_VMCATCHER_IMAGE');
  }
  if ((res as { code?: string }).code === 'ENOENT' || (res as { code?: string }).code === 'EACCES') {
    return result('vmcatcher-image', 'fail', `VMCHNDL_ON_VMCATCHER_IMAGE ${cmd}: command not found; every ExpirePostfix would fail`, 'install vmcatcher or name its vmcatcher_image in VMCHNDL_ON_VMCATCHER_IMAGE');
  }
  if (res.failed || res.exitCode !== 0) {
    const tail = String(res.stderr || '').trim().split('\n').slice(-1)[0];
    return result(
      'vmcatcher-image',
      'warn',
      `${cmd} -l failed (${res.timedOut ? 'timed out' : `exit code ${res.exitCode}`}${tail ? `: ${tail.slice(0, 120)}` : ''})`,
      "run doctor with vmcatcher's environment (VMCATCHER_RDBMS, as in its cron job) to check it as the hook sees it",
    );
  }
  const n = String(res.stdout).split('\n').filter((l) => l.trim()).length;
  return result('vmcatcher-image', 'ok', `${cmd} -l lists ${n} image(s)`);
}
