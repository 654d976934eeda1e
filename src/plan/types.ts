// Plain data: what observation found and the steps a plan consists of.
import type { DatastoreRecord, ImageRecord, TemplateAttrs, TemplateNode, VmTemplateRecord } from '../one/types';
import type { HandlerRecord, RecordedRetirement, RecordedTemplate } from '../record/record';
import type { ImageFileInfo } from '../qemu/types';

/** The image a step acts on: an existing id, or the one this plan registers. */
export type ImageRef = number | 'new';

/** The VM template a step acts on: an existing id, or the one this plan creates (VMCHNDL_ON_TEMPLATE). */
export type TemplateRef = number | 'new';

/** What VMCHNDL_ON_TEMPLATE needs observed (only with it on). */
export interface ObservedTemplates {
  /** Every VM template the caller may use (its own among them: names are unique per owner). */
  readonly pool: readonly VmTemplateRecord[];
  /** MEMORY (MB) and CPUs from the image list's hv:ram_minimum / hv:core_minimum (vmcatcher's cache.index), when it has them. */
  readonly sizing: { readonly memory?: number; readonly cpu?: number };
  /** Why the sizing is not the image list's (cache index unreadable, ...), for the plan's warnings. */
  readonly sizingNote?: string;
  /** The site's part of a new template (VMCHNDL_ON_TEMPLATE_FILE), placeholders not yet filled. */
  readonly site?: readonly TemplateNode[];
}

/** The cached file as observation found it. */
export interface ObservedFile {
  readonly path: string;
  readonly size: number;
  /** qemu-img's view of the file (for an OVA: of its disk member). */
  readonly info: ImageFileInfo;
  /** Set when the file is an OVA: the member holding the disk. */
  readonly ovaMember?: { readonly name: string; readonly offset: number; readonly size: number };
}

export interface Observed {
  /** Every image the caller may use. */
  readonly images: readonly ImageRecord[];
  readonly caller: { readonly uid: number; readonly gid: number; readonly name: string };
  readonly datastore: DatastoreRecord;
  /** Ids that retired images go to. */
  readonly retiredOwner: { readonly uid: number; readonly gid: number };
  readonly file?: ObservedFile;
  /** For expiry: vmcatcher_image's state for the identifier (undefined = not listed). */
  readonly subscriptionState?: number;
  /** The handler's own record for the identifier (src/record/): which image is current, what retired ones had. */
  readonly record?: HandlerRecord;
  /** REGTIME (seconds) up to which images predate the handler's records; undefined: all do (no records yet). */
  readonly recordsSince?: number;
  /** The group VMCHNDL_ON_VO_GROUPS maps the event's VO (VMCATCHER_EVENT_VO) to, when it is mapped. */
  readonly voGroup?: { readonly vo: string; readonly gid: number; readonly name: string };
  /** VM templates, observed only with VMCHNDL_ON_TEMPLATE on. */
  readonly templates?: ObservedTemplates;
  /** User and group names by id, as far as oned's answers told them (for the steps' descriptions). */
  readonly names?: OwnerNames;
}

export interface OwnerNames {
  readonly users: Readonly<Record<number, string>>;
  readonly groups: Readonly<Record<number, string>>;
}

export interface RunContext {
  /** Unique id of this run: names the staging directory and marks the image it registers. */
  readonly runId: string;
  readonly now: number;
  /** Local retired-name timestamp for `now` (computed outside, since it reads the zone file). */
  readonly stamp: string;
}

export type Step =
  | {
      readonly kind: 'verify-checksum';
      readonly file: string;
      readonly expected: string;
      /** The cached file `file` is a hard link (or copy) of, named in messages. */
      readonly cached?: string;
    }
  | {
      readonly kind: 'convert';
      readonly input: string;
      readonly inputFormat: string;
      readonly output: string;
      readonly outputFormat: string;
      readonly ovaMember?: { readonly name: string; readonly offset: number; readonly size: number };
      /** The image list's sha512 of the input, checked while converting (one read of the file's time). */
      readonly expectedSha512?: string;
    }
  | { readonly kind: 'link'; readonly input: string; readonly output: string }
  | { readonly kind: 'rename'; readonly image: ImageRef; readonly from: string; readonly to: string }
  | { readonly kind: 'allocate'; readonly name: string; readonly template: TemplateAttrs; readonly datastoreId: number; readonly runId: string }
  | { readonly kind: 'wait-ready'; readonly image: ImageRef; readonly timeoutMs: number; readonly path: string; readonly datastore: string }
  | { readonly kind: 'remove-staging'; readonly dir: string }
  | {
      readonly kind: 'chown';
      readonly image: ImageRef;
      readonly uid: number;
      readonly gid: number;
      readonly fromUid: number;
      readonly fromGid: number;
      /** The names of uid, gid, fromUid and fromGid, when observation knew them (messages only). */
      readonly uname?: string;
      readonly gname?: string;
      readonly fromUname?: string;
      readonly fromGname?: string;
    }
  | { readonly kind: 'chmod'; readonly image: ImageRef; readonly mode: string; readonly fromMode: string }
  | {
      readonly kind: 'enable';
      readonly image: ImageRef;
      readonly enable: boolean;
      /** An image in use cannot be disabled: warn and carry on, as 0.0.8 did. */
      readonly bestEffort: boolean;
    }
  | { readonly kind: 'mark-retired'; readonly image: ImageRef; readonly attrs: TemplateAttrs }
  | {
      readonly kind: 'record';
      readonly identifier: string;
      /** The image that becomes current (null: none, after an expiry); undefined leaves it. */
      readonly current?: ImageRef | null;
      readonly how: 'registered' | 'adopted';
      readonly runId: string;
      readonly at: string;
      /** The image this plan retires, with what it had. */
      readonly retire?: RecordedRetirement;
      /** The record before this plan, so that a rollback restores it exactly. */
      readonly before: HandlerRecord | null;
    }
  | {
      /** Retention (VMCHNDL_ON_KEEP_RETIRED): deletes a retired version the handler registered and retired, re-checked first. */
      readonly kind: 'delete-retired';
      readonly identifier: string;
      readonly image: number;
      /** The name it had when planned, for messages. */
      readonly name: string;
      /** When the handler retired it (its record): it is deleted only `minAgeMs` after that. */
      readonly retiredAt: string;
      readonly minAgeMs: number;
      /** The owner retired images have (VMCHNDL_ON_RETIRED_OWNER): one an admin gave away is left. */
      readonly retiredUid: number;
    }
  | {
      readonly kind: 'template-allocate';
      readonly identifier: string;
      readonly runId: string;
      readonly name: string;
      /** Its attributes; the first DISK gets IMAGE_ID = `disk` when it is allocated. */
      readonly nodes: readonly TemplateNode[];
      readonly disk: ImageRef;
      /** The recorded template it replaces (one an admin deleted), put back in the record if the run rolls back. */
      readonly replaces?: RecordedTemplate;
    }
  | {
      readonly kind: 'template-update';
      readonly identifier: string;
      readonly runId: string;
      readonly template: TemplateRef;
      /** Point the DISK using one of `from` (else the first DISK) at this image; undefined leaves the disks. */
      readonly disk?: ImageRef;
      readonly from: readonly number[];
      /** Single-valued attributes set (merge); '' clears one. */
      readonly set: TemplateAttrs;
      /** What `set` replaces, for undo. */
      readonly before: TemplateAttrs;
    }
  | { readonly kind: 'template-chown'; readonly identifier: string; readonly runId: string; readonly template: TemplateRef; readonly gid: number; readonly fromGid: number }
  | { readonly kind: 'template-chmod'; readonly identifier: string; readonly runId: string; readonly template: TemplateRef; readonly mode: string; readonly fromMode: string };

export type StepKind = Step['kind'];

export interface Plan {
  readonly identifier: string;
  /** prune: the `prune` command's plan; template: the `template` command's plan. */
  readonly action: 'register' | 'rotate' | 'retire' | 'prune' | 'nothing' | 'template';
  /** One line for the admin: what this plan does and why. */
  readonly summary: string;
  readonly warnings: readonly string[];
  readonly steps: readonly Step[];
  /**
   * Steps before this index are rolled back when one fails; from it on the plan is rolled
   * forward (the new image is already the current one).
   */
  readonly commitIndex: number;
  /** The staging directory this plan uses, if any. */
  readonly stagingDir?: string;
  readonly runId: string;
}
