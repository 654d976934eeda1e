// doctor: every preflight check, in the order an admin fixes things; reads only, changes nothing.
import type { Config } from '../config/config';
import { checkJournals, checkSpool, checkTimeZone, checkWritableDir } from './local-checks';
import { checkOne } from './one-checks';
import { checkTemplateFile } from './template-check';
import { checkQemuImg, checkVmcatcherImage } from './tool-checks';
import type { CheckResult } from './types';

export type { CheckResult, CheckStatus } from './types';

export interface DoctorInput {
  readonly config: Config;
  readonly env: NodeJS.ProcessEnv;
  readonly home: string;
  /** Who runs this, for messages ("oneadmin"). */
  readonly who: string;
  readonly now: number;
  readonly cacheDir?: string;
}

// A check that cannot even look (an unreadable directory) fails with what it met, instead of ending doctor.
function guarded(id: string, check: () => CheckResult): CheckResult {
  try {
    return check();
  } catch (e) {
    return { id, status: 'fail', message: `cannot be checked: ${(e as Error).message}`, fix: 'see the state-dir check: VMCHNDL_ON_STATE_DIR must be a directory this user can read and write' };
  }
}

/** Runs every check; none throws, each says OK, WARN or FAIL. */
export async function runDoctorChecks(input: DoctorInput): Promise<CheckResult[]> {
  const { config } = input;
  const local: CheckResult[] = [
    checkWritableDir('state-dir', 'VMCHNDL_ON_STATE_DIR', config.stateDir, input.who),
    checkWritableDir('staging-dir', 'VMCHNDL_ON_STAGING_DIR', config.stagingDir, input.who),
    ...checkTemplateFile(config),
  ];
  const [qemu, vmcImage, one] = await Promise.all([checkQemuImg(config), checkVmcatcherImage(config, input.env), checkOne(input)]);
  return local.concat(one, [qemu, vmcImage, checkTimeZone(input.env, input.now), guarded('spool', () => checkSpool(config)), guarded('journals', () => checkJournals(config))]);
}
