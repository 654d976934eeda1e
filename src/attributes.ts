// Every OpenNebula template attribute name and image-name pattern this tool reads or writes.
// Search for a tag and you find its one definition here.

/** Prefix of vmcatcher's event variables; each becomes an image attribute of the same name. */
export const EVENT_VAR_PREFIX = 'VMCATCHER_EVENT_';

/** The attribute that ties an image to its image-list entry (0.0.8 wrote it too). */
export const ATTR_IDENTIFIER = 'VMCATCHER_EVENT_DC_IDENTIFIER';
/** The sha512 of the file the image was made from: equal means "already registered". */
export const ATTR_CHECKSUM = 'VMCATCHER_EVENT_SL_CHECKSUM_SHA512';
/** The image-list version of the image, shown by `status`. */
export const ATTR_VERSION = 'VMCATCHER_EVENT_HV_VERSION';

/** Set on an image we retired: the time of retirement (ISO 8601). */
export const ATTR_RETIRED = 'VMCHNDL_ON_RETIRED';
/** What the image had before retirement, so a re-endorsed image can get it back. */
export const ATTR_RETIRED_FROM_UID = 'VMCHNDL_ON_RETIRED_FROM_UID';
export const ATTR_RETIRED_FROM_GID = 'VMCHNDL_ON_RETIRED_FROM_GID';
export const ATTR_RETIRED_FROM_MODE = 'VMCHNDL_ON_RETIRED_FROM_MODE';
export const ATTR_RETIRED_FROM_STATE = 'VMCHNDL_ON_RETIRED_FROM_STATE';
/** The name the image had before retirement. */
export const ATTR_RETIRED_FROM_NAME = 'VMCHNDL_ON_RETIRED_FROM_NAME';

/** Set on a retired image that could not be disabled because VMs used it: a later run disables it once none does. */
export const ATTR_DISABLE_WHEN_UNUSED = 'VMCHNDL_ON_DISABLE_WHEN_UNUSED';

/** The run that registered an image: lets recovery find an image whose id was never journalled. */
export const ATTR_RUN = 'VMCHNDL_ON_RUN';

/** VM templates (VMCHNDL_ON_TEMPLATE): what cloud-info-provider publishes an appliance by. */
export const ATTR_CK_MPURI = 'CLOUDKEEPER_APPLIANCE_MPURI';
export const ATTR_CK_DESCRIPTION = 'CLOUDKEEPER_APPLIANCE_DESCRIPTION';
export const ATTR_CK_VERSION = 'CLOUDKEEPER_APPLIANCE_VERSION';
export const ATTR_CK_ARCHITECTURE = 'CLOUDKEEPER_APPLIANCE_ARCHITECTURE';
/** The marketplace URI of the appliance (also read by EGI's accounting from the image). */
export const ATTR_MPURI = 'VMCATCHER_EVENT_AD_MPURI';
/** VM template attributes we set. */
export const TPL_DISK = 'DISK';
export const TPL_IMAGE_ID = 'IMAGE_ID';
export const TPL_MEMORY = 'MEMORY';
export const TPL_CPU = 'CPU';
export const TPL_VCPU = 'VCPU';
export const TPL_OS = 'OS';
export const TPL_ARCH = 'ARCH';
export const TPL_CONTEXT = 'CONTEXT';

/** Standard image template attributes we set at registration. */
export const ATTR_NAME = 'NAME';
export const ATTR_PATH = 'PATH';
export const ATTR_TYPE = 'TYPE';
export const ATTR_DESCRIPTION = 'DESCRIPTION';
/** Error text oned leaves on an image whose copy failed. */
export const ATTR_ERROR = 'ERROR';
/** Datastore attributes that decide which local paths oned copies from. */
export const DS_SAFE_DIRS = 'SAFE_DIRS';
export const DS_RESTRICTED_DIRS = 'RESTRICTED_DIRS';

/** The default pattern of a retired image's name (0.0.8's `<identifier> <timestamp>` form). */
export const DEFAULT_RETIRED_NAME_PATTERN = '{identifier} {timestamp}';

const STAMP = '\\d{4}-\\d{2}-\\d{2}_\\d{2}-\\d{2}-\\d{2}';

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Tells whether an image name is a retired name for this identifier:
 * ours (`<id> <stamp>_<offset>[-<abbr>][ <n>]`) or 0.0.8's (`<id> <stamp>`, `<id>_EXPIRED_<stamp>`).
 */
export function isRetiredName(name: string, identifier: string, pattern: string = DEFAULT_RETIRED_NAME_PATTERN): boolean {
  const id = escapeRegExp(identifier);
  const ours = `${STAMP}(?:_[+-]\\d{4}(?:-[A-Za-z]+)?)?(?: \\d+)?`;
  const legacy = [
    new RegExp(`^${id} ${ours}$`),
    new RegExp(`^${id}_EXPIRED_.+$`),
  ];
  if (legacy.some((re) => re.test(name))) return true;
  if (pattern !== DEFAULT_RETIRED_NAME_PATTERN) {
    const parts = pattern.split(/(\{identifier\}|\{timestamp\})/).map((p) =>
      p === '{identifier}' ? id : p === '{timestamp}' ? ours : escapeRegExp(p),
    );
    return new RegExp(`^${parts.join('')}(?: \\d+)?$`).test(name);
  }
  return false;
}

/** Renders a retired name from the configured pattern. */
export function renderRetiredName(pattern: string, identifier: string, stamp: string): string {
  return pattern.split('{identifier}').join(identifier).split('{timestamp}').join(stamp);
}

/** Attributes that decide what the handler does with an image: oned.conf's IMAGE_RESTRICTED_ATTR should list them. */
export const PROTECTED_ATTRS: readonly string[] = [
  ATTR_IDENTIFIER,
  ATTR_RETIRED,
  ATTR_RETIRED_FROM_NAME,
  ATTR_RETIRED_FROM_UID,
  ATTR_RETIRED_FROM_GID,
  ATTR_RETIRED_FROM_MODE,
  ATTR_RETIRED_FROM_STATE,
  ATTR_RUN,
  ATTR_DISABLE_WHEN_UNUSED,
];
