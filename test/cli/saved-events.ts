// Saved events as vmcatcher's example handler (vmcatcher_eventHndlExpl --output_file) writes them.
import { readEventFixture } from '../e2e/site';

// Its EnvEvent and EnvConf sets (it predates AD_MPURI and VO, so it never saves them).
const EXPL_VARS = [
  'VMCATCHER_CACHE_ACTION_CHECK', 'VMCATCHER_CACHE_ACTION_DOWNLOAD', 'VMCATCHER_CACHE_ACTION_EXPIRE', 'VMCATCHER_CACHE_DIR_CACHE',
  'VMCATCHER_CACHE_DIR_DOWNLOAD', 'VMCATCHER_CACHE_DIR_EXPIRE', 'VMCATCHER_CACHE_EVENT', 'VMCATCHER_DIR_CERT', 'VMCATCHER_EVENT_DC_DESCRIPTION',
  'VMCATCHER_EVENT_DC_IDENTIFIER', 'VMCATCHER_EVENT_DC_TITLE', 'VMCATCHER_EVENT_FILENAME', 'VMCATCHER_EVENT_HV_FORMAT',
  'VMCATCHER_EVENT_HV_HYPERVISOR', 'VMCATCHER_EVENT_HV_SIZE', 'VMCATCHER_EVENT_HV_URI', 'VMCATCHER_EVENT_HV_VERSION',
  'VMCATCHER_EVENT_IL_DC_IDENTIFIER', 'VMCATCHER_EVENT_SL_ARCH', 'VMCATCHER_EVENT_SL_CHECKSUM_SHA512', 'VMCATCHER_EVENT_SL_COMMENTS',
  'VMCATCHER_EVENT_SL_OS', 'VMCATCHER_EVENT_SL_OSVERSION', 'VMCATCHER_EVENT_TYPE', 'VMCATCHER_LOG_CONF', 'VMCATCHER_RDBMS',
];

/**
 * One line of the example handler's output for a real event dump: json.dump(sort_keys=True) of its
 * variables, "" for those the event lacked, and the --datetime stamp.
 */
export function explLine(fixture: string, over: Record<string, string> = {}, datetime = '2026-11-22T02:22:10Z'): string {
  const ev = Object.assign(readEventFixture(fixture), over);
  const obj: Record<string, string> = { DATETIME: datetime };
  for (const k of EXPL_VARS) obj[k] = ev[k] || '';
  // Python's json.dump separators: ", " and ": ".
  return '{' + Object.keys(obj).sort().map((k) => `${JSON.stringify(k)}: ${JSON.stringify(obj[k])}`).join(', ') + '}';
}
