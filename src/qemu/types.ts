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
}
