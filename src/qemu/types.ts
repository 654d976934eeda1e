// What the rest of the code may ask of qemu-img and of image files. Only src/qemu/ runs qemu-img.

/** What `qemu-img info --output=json` says about a file. */
export interface ImageFileInfo {
  /** qemu's format name: raw, qcow2, vmdk, vdi, vpc, vhdx, ... */
  readonly format: string;
  /** Virtual size in bytes. */
  readonly virtualSize: number;
  /** Bytes the file takes on disk, when qemu-img reports it. */
  readonly actualSize?: number;
  /** Set when the image has a backing file (we refuse those: they point outside the file). */
  readonly backingFile?: string;
}

/** Progress of a long operation, 0..100. */
export type ProgressListener = (percent: number) => void;

export interface ConvertRequest {
  readonly input: string;
  readonly inputFormat: string;
  readonly output: string;
  readonly outputFormat: string;
  readonly onProgress?: ProgressListener;
  /** Read only these bytes of `input` (an OVA member) instead of the whole file. */
  readonly inputRange?: ByteRange;
}

/** A byte range inside a larger file (an OVA member's data), read in place by qemu-img. */
export interface ByteRange {
  readonly offset: number;
  readonly size: number;
}

/** What kind of tar entry an OVA member is. Only 'file' members can be a disk. */
export type OvaMemberType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'sparse' | 'other';

/** One member of an OVA (tar) archive, as read from its headers. */
export interface OvaMember {
  /** Full name inside the archive (after GNU long-name and pax `path` records). */
  readonly name: string;
  /** Bytes of data. */
  readonly size: number;
  /** Where the data starts in the archive (always a multiple of 512). */
  readonly offset: number;
  readonly type: OvaMemberType;
  /** Target of a symlink or hard link. */
  readonly linkName?: string;
}

/** What `qemu-img check` found. Leaked clusters waste space but are harmless. */
export interface ImageCheckResult {
  readonly supported: boolean;
  readonly corruptions: number;
  readonly leaks: number;
  readonly checkErrors: number;
}
