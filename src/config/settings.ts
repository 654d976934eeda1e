// Every setting: its key (in the file and the environment), default and meaning, in one table.
// The README, the RPM's commented configuration file and the man page are generated from it.

export interface Setting {
  readonly key: string;
  readonly field: keyof RawConfig;
  /** The default as written in the file; undefined = unset. */
  readonly default?: string;
  readonly doc: string;
}

/** The written shape: every value a string, exactly as it came from the file, the environment or a flag. */
export interface RawConfig {
  endpoint?: string;
  authFile?: string;
  caFile?: string;
  caDir?: string;
  insecure?: string;
  callTimeout?: string;
  datastore?: string;
  format?: string;
  stagingDir?: string;
  stateDir?: string;
  verifyChecksum?: string;
  newMode?: string;
  restoreRetired?: string;
  retiredOwner?: string;
  retiredGroup?: string;
  retiredMode?: string;
  retiredNamePattern?: string;
  readyTimeout?: string;
  pollInterval?: string;
  lockTimeout?: string;
  vmcatcherImage?: string;
  qemuImg?: string;
  logFile?: string;
  logFormat?: string;
  logLevel?: string;
  queue?: string;
  queueSpawn?: string;
  retryDelay?: string;
  retryMaxDelay?: string;
  retryWarnAfter?: string;
  voGroups?: string;
  voMode?: string;
  template?: string;
  templateFile?: string;
  templateMemory?: string;
  templateCpu?: string;
  keepRetired?: string;
  pruneMinAge?: string;
}

export const SETTING_PREFIX = 'VMCHNDL_ON_';
export const DEFAULT_CONFIG_FILE = '/etc/vmcatcher_eventHndl_ON.conf';

export const SETTINGS: readonly Setting[] = [
  { key: 'VMCHNDL_ON_ENDPOINT', field: 'endpoint', doc: "oned's XML-RPC endpoint. Unset: $ONE_XMLRPC, else ~/.one/one_endpoint, else http://localhost:2633/RPC2." },
  { key: 'VMCHNDL_ON_AUTH_FILE', field: 'authFile', doc: 'File holding one line user:password. Unset: the file named by $ONE_AUTH, else ~/.one/one_auth, else /var/lib/one/.one/one_auth.' },
  { key: 'VMCHNDL_ON_CA_FILE', field: 'caFile', doc: 'Extra CA certificate (PEM) to trust for an https endpoint.' },
  { key: 'VMCHNDL_ON_CA_DIR', field: 'caDir', doc: 'Directory of extra CA certificates (PEM) to trust for an https endpoint. Unset: $ONE_CERT_DIR.' },
  { key: 'VMCHNDL_ON_INSECURE', field: 'insecure', default: 'no', doc: "yes = do not verify oned's https certificate (also $ONE_DISABLE_SSL_VERIFY). Only for tests." },
  { key: 'VMCHNDL_ON_CALL_TIMEOUT', field: 'callTimeout', default: '60', doc: 'Seconds one XML-RPC call may take.' },
  { key: 'VMCHNDL_ON_DATASTORE', field: 'datastore', default: 'default', doc: 'Image datastore to register in, by name or id.' },
  { key: 'VMCHNDL_ON_FORMAT', field: 'format', default: 'raw', doc: 'Format images are registered in: raw (as 0.0.8) or qcow2.' },
  { key: 'VMCHNDL_ON_STAGING_DIR', field: 'stagingDir', default: '/var/tmp/vmcatcher_eventHndl_ON', doc: "Where converted images wait for oned to copy them. Must be allowed by the datastore's SAFE_DIRS." },
  { key: 'VMCHNDL_ON_STATE_DIR', field: 'stateDir', default: '/var/lib/vmcatcher_eventHndl_ON', doc: 'Journals, locks and the event spool.' },
  { key: 'VMCHNDL_ON_VERIFY_CHECKSUM', field: 'verifyChecksum', default: 'yes', doc: 'yes = check the cached file against VMCATCHER_EVENT_SL_CHECKSUM_SHA512 before registering it.' },
  { key: 'VMCHNDL_ON_NEW_MODE', field: 'newMode', default: '600', doc: 'Permissions (octal) of a first registration. Publishing is the admin\'s decision.' },
  { key: 'VMCHNDL_ON_VO_GROUPS', field: 'voGroups', doc: 'vo=group pairs, comma-separated (group by name or id): a first registration of an image list of a mapped VO (VMCATCHER_EVENT_VO) goes to that group with VMCHNDL_ON_VO_MODE. Unmapped VOs stay private (VMCHNDL_ON_NEW_MODE).' },
  { key: 'VMCHNDL_ON_VO_MODE', field: 'voMode', default: '640', doc: 'Permissions (octal) of a first registration whose VO is mapped by VMCHNDL_ON_VO_GROUPS.' },
  { key: 'VMCHNDL_ON_RESTORE_RETIRED', field: 'restoreRetired', default: 'yes', doc: 'yes = an image that comes back after expiry gets the owner, group, mode and state recorded on its retired predecessor.' },
  { key: 'VMCHNDL_ON_RETIRED_OWNER', field: 'retiredOwner', default: 'oneadmin', doc: 'User (name or id) that retired images are given to.' },
  { key: 'VMCHNDL_ON_RETIRED_GROUP', field: 'retiredGroup', default: 'oneadmin', doc: 'Group (name or id) that retired images are given to.' },
  { key: 'VMCHNDL_ON_RETIRED_MODE', field: 'retiredMode', default: '700', doc: 'Permissions (octal) of retired images.' },
  { key: 'VMCHNDL_ON_RETIRED_NAME', field: 'retiredNamePattern', default: '{identifier} {timestamp}', doc: 'Name of a retired image; {identifier} and {timestamp} (local time, offset and zone) are replaced.' },
  { key: 'VMCHNDL_ON_TEMPLATE', field: 'template', default: 'no', doc: 'yes = keep a VM template per appliance: created with its first registration, pointed at each new version, retired with the image.' },
  { key: 'VMCHNDL_ON_TEMPLATE_FILE', field: 'templateFile', doc: "With VMCHNDL_ON_TEMPLATE=yes: the site's part of every new VM template (NIC, GRAPHICS, SCHED_REQUIREMENTS, ...), in OpenNebula's template syntax with placeholders for the appliance's values." },
  { key: 'VMCHNDL_ON_TEMPLATE_MEMORY', field: 'templateMemory', default: '1024', doc: "MEMORY (MB) of a new VM template when the image list gives no hv:ram_minimum for the appliance." },
  { key: 'VMCHNDL_ON_TEMPLATE_CPU', field: 'templateCpu', default: '1', doc: 'CPU and VCPU of a new VM template when the image list gives no hv:core_minimum for the appliance.' },
  { key: 'VMCHNDL_ON_KEEP_RETIRED', field: 'keepRetired', doc: 'Unset: keep every retired version. N: after each rotation or expiry, delete the retired versions beyond the newest N that this handler registered and retired itself, that no VM uses, that are not persistent and that are older than VMCHNDL_ON_PRUNE_MIN_AGE.' },
  { key: 'VMCHNDL_ON_PRUNE_MIN_AGE', field: 'pruneMinAge', default: '86400', doc: 'Seconds a version stays retired before it may be deleted (VMCHNDL_ON_KEEP_RETIRED, `prune`).' },
  { key: 'VMCHNDL_ON_READY_TIMEOUT', field: 'readyTimeout', default: '14400', doc: 'Seconds to wait for a new image to become READY before rolling back.' },
  { key: 'VMCHNDL_ON_POLL_INTERVAL', field: 'pollInterval', default: '0.25', doc: 'Seconds between the first READY polls; later polls wait a tenth of the time waited so far, up to 30 s: READY is noticed at most 10 % of the copy time and 30 s late (or this interval, for copies under ten of them).' },
  { key: 'VMCHNDL_ON_LOCK_TIMEOUT', field: 'lockTimeout', default: '3600', doc: 'Seconds to wait for another run on the same image to finish.' },
  { key: 'VMCHNDL_ON_QUEUE', field: 'queue', default: 'no', doc: 'yes = the hook only stores the event and returns at once; `vmcatcher_eventHndl_ON drain` (cron) processes it. no = process at once (as 0.0.8).' },
  { key: 'VMCHNDL_ON_QUEUE_SPAWN', field: 'queueSpawn', default: 'no', doc: 'With VMCHNDL_ON_QUEUE=yes: yes = the hook also starts `drain` in the background. Set VMCHNDL_ON_LOG_FILE so its log is kept.' },
  { key: 'VMCHNDL_ON_RETRY_DELAY', field: 'retryDelay', default: '60', doc: 'Seconds before the second retry of a failed event; the delay doubles with each failure. The first retry comes with the next vmcatcher run.' },
  { key: 'VMCHNDL_ON_RETRY_MAX_DELAY', field: 'retryMaxDelay', default: '3600', doc: 'Longest delay between automatic retries of a failed event, in seconds.' },
  { key: 'VMCHNDL_ON_RETRY_WARN_AFTER', field: 'retryWarnAfter', default: '5', doc: 'After this many failed attempts an event is reported as an error at every attempt (it is never dropped).' },
  { key: 'VMCHNDL_ON_VMCATCHER_IMAGE', field: 'vmcatcherImage', default: 'vmcatcher_image', doc: "vmcatcher's image tool, asked whether an expired image is still subscribed." },
  { key: 'VMCHNDL_ON_QEMU_IMG', field: 'qemuImg', default: 'qemu-img', doc: "The qemu-img program: 1.5 or newer (EL7's 1.5.3 will do; an OVA needs 2.9). EL6's 0.12 is too old." },
  { key: 'VMCHNDL_ON_LOG_FILE', field: 'logFile', doc: 'Append log lines to this file instead of stderr (as 0.0.8).' },
  { key: 'VMCHNDL_ON_LOG_FORMAT', field: 'logFormat', default: 'text', doc: "text (0.0.8's line format) or json (one object a line)." },
  { key: 'VMCHNDL_ON_LOG_LEVEL', field: 'logLevel', default: 'info', doc: 'debug, info, warning or error.' },
];

/** The setting for a key, if it is one. */
export function settingByKey(key: string): Setting | undefined {
  for (const s of SETTINGS) if (s.key === key) return s;
  return undefined;
}
