// The simulator's public types (re-exported by index.ts).

export type SimVersion = '5.2' | '5.8' | '6.10';

export interface SimOptions {
  version?: SimVersion;
  /** PEM: serve https instead of http. */
  tls?: { key: string; cert: string };
  /** Where datastore directories live; default a fresh mkdtemp, removed on close(). */
  root?: string;
  /**
   * How long an allocated image stays LOCKED while the datastore copies it (at least; the copy itself
   * takes its time too). Default: as a real oned, 300 ms plus 1 ms per MB (the driver's scripts take
   * a few hundred ms; the 6.10 recordings show a 2 MB and a 300 MB raw image LOCKED for about a second).
   * 0 is an instant copy: a test that needs one must ask for it.
   */
  copyDelayMs?: number;
  /**
   * How long a deleted image with a SOURCE stays in DELETE (its name still taken) until the datastore's
   * rm ends; default 300, as oned's rm driver takes. 0: it disappears at once (a test must ask for it).
   */
  deleteDelayMs?: number;
  /** oneadmin's password; default 'opennebula'. */
  adminPassword?: string;
  /** oned.conf's IMAGE_RESTRICTED_ATTR list; default oned's: SOURCE, VCENTER_IMPORTED. */
  imageRestrictedAttrs?: string[];
}

export type SimFault =
  | { type: 'error'; code: number; message?: string }
  | { type: 'http500' }
  | { type: 'drop' }
  | { type: 'hang' }
  | { type: 'body'; body: string; contentType?: string };

export interface SimInjection {
  /** An XML-RPC method name, or '*' for any method. */
  method: string;
  /** The nth (1-based) call of `method` counted from now; default 1. */
  nth?: number;
  /** How many consecutive calls from the nth on; default 1. */
  times?: number;
  fault: SimFault;
  /** Run the call first (its effect happens) and only then answer with the fault: a lost answer. */
  after?: boolean;
}

export type SimStateName = 'READY' | 'DISABLED' | 'ERROR' | 'LOCKED' | 'USED';

export interface SimImage {
  id: number;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  name: string;
  /** 9 bits in oned order. */
  permissions: number[];
  state: number;
  stateName: string;
  runningVms: number;
  /** The ids of the VMs using it (IMAGE/VMS). */
  vms: number[];
  persistent: boolean;
  datastoreId: number;
  path: string;
  source: string;
  regtime: number;
  template: Record<string, string>;
  /** Size of the copy in the datastore. */
  fileBytes?: number;
}

/** A VM template's attributes for addTemplate: a string is a single value, an object a vector, an array several vectors (two DISKs). */
export type SimTemplateInput = Record<string, string | Record<string, string> | Array<Record<string, string>>>;

export interface SimVmTemplate {
  id: number;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  name: string;
  /** 9 bits in oned order. */
  permissions: number[];
  regtime: number;
  /** LOCK/LOCKED while locked. */
  lock?: number;
  /** Single-valued attributes (vectors left out). */
  template: Record<string, string>;
  /** Every attribute in the order oned writes them (by name; equal names as added), vectors as records. */
  nodes: Array<{ name: string; value: string } | { name: string; vector: Record<string, string> }>;
}

export interface SimCall {
  method: string;
  params: unknown[];
  at: number;
}

export interface Simulator {
  readonly url: string;
  readonly version: SimVersion;
  readonly root: string;
  /** Stops the server, ends hanging requests, waits for copies, removes a root it created. */
  close(): Promise<void>;
  /** Every call received, in order (params as decoded, the session string included). */
  readonly calls: ReadonlyArray<SimCall>;
  clearCalls(): void;
  addGroup(name: string): number;
  addUser(u: { name: string; password: string; gid?: number; groups?: number[] }): number;
  addDatastore(d: { name: string; type?: 'image' | 'file' | 'system'; safeDirs?: string; restrictedDirs?: string }): number;
  /** Sets oned.conf's IMAGE_RESTRICTED_ATTR lines (one.system.config); the default is oned's: SOURCE, VCENTER_IMPORTED. */
  setImageRestrictedAttrs(names: readonly string[]): void;
  /** Changes SAFE_DIRS and/or RESTRICTED_DIRS of a datastore. */
  setDatastoreDirs(id: number, dirs: { safeDirs?: string; restrictedDirs?: string }): void;
  /**
   * Creates an image directly (no XML-RPC): default owner oneadmin, datastore 1, state READY, mode from
   * the umask (600); `mode` is octal ("640") or 9 bits; `path` sets PATH and, when the file exists, its
   * bytes become the copy SOURCE points at (else a 1 KiB file).
   */
  addImage(i: {
    name: string;
    uid?: number;
    gid?: number;
    mode?: string;
    state?: SimStateName;
    runningVms?: number;
    template?: Record<string, string>;
    regtime?: number;
    datastoreId?: number;
    path?: string;
    persistent?: boolean;
  }): number;
  /**
   * USED while > 0, READY again at 0: adds VMs using only this image, or terminates VMs using it
   * (those made this way first). oned lets no VM take a DISABLED, ERROR or LOCKED image, so that throws.
   */
  setRunningVms(imageId: number, n: number): void;
  /**
   * Creates a VM (as a user would instantiate one) using `images`, by default the DISK images of
   * `templateId`: each is acquired as oned does (RUNNING_VMS + 1, the VM in VMS, READY -> USED, or
   * USED_PERS when persistent; a persistent image already in use, a DISABLED/ERROR/LOCKED one or a
   * KERNEL/RAMDISK/CONTEXT one throws, and then no image is taken). Returns the VM id.
   */
  addVm(v: { images?: number[]; templateId?: number; uid?: number }): number;
  /** Terminates a VM: its images are released (READY again when no VM is left). */
  removeVm(id: number): void;
  vms(): Array<{ id: number; uid: number; images: number[]; templateId?: number }>;
  /** Forces an image into a state (no XML-RPC involved). */
  setImageState(imageId: number, state: SimStateName): void;
  /** What `oneimage lock --use|--manage|--admin|--all` does (levels 1, 2, 3, 4; 4 is stored as 1), as oneadmin. */
  lockImage(imageId: number, level: 1 | 2 | 3 | 4): void;
  /** What `oneimage unlock` does. */
  unlockImage(imageId: number): void;
  image(id: number): SimImage | undefined;
  images(): SimImage[];
  /**
   * Creates a VM template directly (a co-tenant's or the admin's): default owner oneadmin, the owner's
   * primary group, mode from the umask (600) or `mode` (octal or 9 bits). Names are unique per owner.
   * `template`: a record (see SimTemplateInput) or oned's text or XML form.
   */
  addTemplate(t: { name: string; uid?: number; gid?: number; mode?: string; template?: SimTemplateInput | string; regtime?: number }): number;
  /** Deletes a VM template directly (as an admin would); never its images. */
  removeTemplate(id: number): void;
  /** What `onetemplate lock` does (levels 1, 2, 3, 4; 4 is stored as 1), as oneadmin. */
  lockTemplate(id: number, level: 1 | 2 | 3 | 4): void;
  unlockTemplate(id: number): void;
  template(id: number): SimVmTemplate | undefined;
  /** Every VM template, by id. */
  templates(): SimVmTemplate[];
  inject(f: SimInjection): void;
  clearFaults(): void;
  /** The next allocate's copy ends in ERROR with this message in TEMPLATE/ERROR. */
  failNextCopy(message: string): void;
  /** Resolves when no copy or delayed delete is in flight. */
  settle(): Promise<void>;
}
