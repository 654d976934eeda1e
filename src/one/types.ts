// The typed face of oned that the rest of the code sees: records and the OneApi interface.
// Only src/one/ knows that there is XML-RPC and XML behind it.

/** Image states, as oned numbers them. */
export const IMAGE_STATE = {
  INIT: 0,
  READY: 1,
  USED: 2,
  DISABLED: 3,
  LOCKED: 4,
  ERROR: 5,
  CLONE: 6,
  DELETE: 7,
  USED_PERS: 8,
  LOCKED_USED: 9,
  LOCKED_USED_PERS: 10,
} as const;

export type ImageStateName = keyof typeof IMAGE_STATE;

/** Image types, as oned numbers them. */
export const IMAGE_TYPE = {
  OS: 0,
  CDROM: 1,
  DATABLOCK: 2,
  KERNEL: 3,
  RAMDISK: 4,
  CONTEXT: 5,
  BACKUP: 6,
} as const;

/** Datastore types. */
export const DATASTORE_TYPE = { IMAGE: 0, SYSTEM: 1, FILE: 2 } as const;

/**
 * The 9 permission bits in oned's chmod order:
 * OWNER_U, OWNER_M, OWNER_A, GROUP_U, GROUP_M, GROUP_A, OTHER_U, OTHER_M, OTHER_A.
 */
export type PermBits = readonly [Bit, Bit, Bit, Bit, Bit, Bit, Bit, Bit, Bit];
export type Bit = 0 | 1;

/** Template attributes: upper-case names, values kept as strings exactly as oned sent them. */
export type TemplateAttrs = Readonly<Record<string, string>>;

export interface ImageRecord {
  readonly id: number;
  readonly uid: number;
  readonly gid: number;
  readonly uname: string;
  readonly gname: string;
  readonly name: string;
  /** LOCK/LOCKED when the image carries a 5.6+ lock, else undefined. */
  readonly lock?: number;
  readonly permissions: PermBits;
  readonly type: number;
  readonly persistent: boolean;
  /** Registration time, seconds since the epoch. */
  readonly regtime: number;
  readonly source: string;
  readonly path: string;
  /** FSTYPE (≤ 5.x) or FORMAT (6.x); '' when absent. */
  readonly format: string;
  /** Size in MB. */
  readonly size: number;
  readonly state: number;
  readonly runningVms: number;
  readonly datastoreId: number;
  readonly datastore: string;
  /** IDs of the VMs that use the image. */
  readonly vms: readonly number[];
  /**
   * Single-valued template attributes (upper-case names, string values).
   * Vector attributes (with children) are left out.
   */
  readonly template: TemplateAttrs;
}

/**
 * One attribute of a template, in document order: single-valued, or a vector (DISK, NIC, OS, CONTEXT, ...)
 * of single-valued sub-attributes. OpenNebula's vectors are one level deep.
 */
export type TemplateNode =
  | { readonly name: string; readonly value: string }
  | { readonly name: string; readonly vector: Readonly<Record<string, string>> };

/** A VM template (one.template.info / one.templatepool.info). */
export interface VmTemplateRecord {
  readonly id: number;
  readonly uid: number;
  readonly gid: number;
  readonly uname: string;
  readonly gname: string;
  readonly name: string;
  /** LOCK/LOCKED when the template carries a lock, else undefined. */
  readonly lock?: number;
  readonly permissions: PermBits;
  /** Registration time, seconds since the epoch. */
  readonly regtime: number;
  /** Every attribute of TEMPLATE in document order, vectors included. */
  readonly nodes: readonly TemplateNode[];
  /** The single-valued attributes only, as for images. */
  readonly template: TemplateAttrs;
}

export interface DatastoreRecord {
  readonly id: number;
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly type: number;
  readonly dsMad: string;
  readonly tmMad: string;
  readonly basePath: string;
  readonly template: TemplateAttrs;
  /** Capacity as oned last monitored it (MB); undefined when the document has none. */
  readonly totalMb?: number;
  readonly freeMb?: number;
}

export interface UserRecord {
  readonly id: number;
  readonly gid: number;
  readonly name: string;
  readonly gname: string;
  readonly groups: readonly number[];
}

export interface GroupRecord {
  readonly id: number;
  readonly name: string;
}

/** oned.conf as one.system.config shows it: each single-valued attribute with all its values, in order. */
export interface OnedConfig {
  readonly attrs: Readonly<Record<string, readonly string[]>>;
}

/** What the rest of the code may ask of oned. Every method maps to one XML-RPC call. */
export interface OneApi {
  /** one.system.version */
  systemVersion(): Promise<string>;
  /** one.system.config: oned.conf (IMAGE_RESTRICTED_ATTR, ...). */
  systemConfig(): Promise<OnedConfig>;
  /** one.imagepool.info(-2, -1, -1): every image the caller may use. */
  imagePool(): Promise<ImageRecord[]>;
  /** one.image.info(id) */
  imageInfo(id: number): Promise<ImageRecord>;
  /** one.image.allocate(template, datastore): the template is rendered in oned's XML form. Returns the new id. */
  imageAllocate(template: TemplateAttrs, datastoreId: number): Promise<number>;
  /** one.image.chown(id, uid, gid); -1 leaves a field unchanged. */
  imageChown(id: number, uid: number, gid: number): Promise<void>;
  /** one.image.chmod(id, 9 bits); -1 in a position leaves it unchanged. */
  imageChmod(id: number, bits: readonly (Bit | -1)[]): Promise<void>;
  /** one.image.rename(id, name) */
  imageRename(id: number, name: string): Promise<void>;
  /** one.image.enable(id, enable) */
  imageEnable(id: number, enable: boolean): Promise<void>;
  /** one.image.delete(id[, force]); force is sent only when true (older oned does not take it). */
  imageDelete(id: number, force?: boolean): Promise<void>;
  /** one.image.update(id, template, 1 = merge / 0 = replace) */
  imageUpdate(id: number, template: TemplateAttrs, merge: boolean): Promise<void>;
  /** one.templatepool.info(-2, -1, -1): every VM template the caller may use. */
  templatePool(): Promise<VmTemplateRecord[]>;
  /** one.template.info(id) */
  templateInfo(id: number): Promise<VmTemplateRecord>;
  /** one.template.allocate(template): rendered in oned's XML form (vectors as nested elements). Returns the new id. */
  templateAllocate(nodes: readonly TemplateNode[]): Promise<number>;
  /** one.template.update(id, template, 1 = merge / 0 = replace). Merge replaces every attribute of a name it sends (all DISKs, say). */
  templateUpdate(id: number, nodes: readonly TemplateNode[], merge: boolean): Promise<void>;
  /** one.template.chown(id, uid, gid); -1 leaves a field unchanged. */
  templateChown(id: number, uid: number, gid: number): Promise<void>;
  /** one.template.chmod(id, 9 bits); -1 in a position leaves it unchanged. */
  templateChmod(id: number, bits: readonly (Bit | -1)[]): Promise<void>;
  /** one.template.rename(id, name) */
  templateRename(id: number, name: string): Promise<void>;
  /** one.template.delete(id, false): never its images (recursive is always false). */
  templateDelete(id: number): Promise<void>;
  /** one.datastorepool.info */
  datastorePool(): Promise<DatastoreRecord[]>;
  /** one.datastore.info(id) */
  datastoreInfo(id: number): Promise<DatastoreRecord>;
  /** one.userpool.info */
  userPool(): Promise<UserRecord[]>;
  /** one.grouppool.info */
  groupPool(): Promise<GroupRecord[]>;
  /** one.user.info(id); -1 = the caller. */
  userInfo(id: number): Promise<UserRecord>;
}
