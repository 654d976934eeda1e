// What steps may use: the OneApi, the tools that touch files, the logger, the clock. All passed in.
import type { Config } from '../config/config';
import type { Logger } from '../log/logger';
import type { OneApi } from '../one/types';
import type { ImageRef } from '../plan/types';
import type { ByteRange, ProgressListener } from '../qemu/types';

/** File and image tools, injectable so that narrow unit tests can replace them. */
export interface Tools {
  sha512(file: string, onProgress?: ProgressListener): Promise<string>;
  convert(req: {
    input: string;
    inputFormat: string;
    output: string;
    outputFormat: string;
    inputRange?: ByteRange;
    onProgress?: ProgressListener;
  }): Promise<void>;
  /** Hard-links `input` to `output`, or copies it across file systems. */
  linkOrCopy(input: string, output: string): Promise<'link' | 'copy'>;
  /** Creates a staging directory (0700) at exactly this path. */
  makeStagingDir(dir: string): Promise<void>;
  /** Removes a staging directory we created; nothing else. */
  removeStagingDir(dir: string): Promise<void>;
}

/** Reports progress of long work (conversion, hashing, waiting for READY). */
export type Progress = (what: string, percent: number | undefined, detail?: string) => void;

export interface ExecContext {
  readonly one: OneApi;
  readonly tools: Tools;
  /** The run's logger; the executor gives it the run's and then each step's fields (identifier, event, step, image). */
  log: Logger;
  readonly config: Config;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly progress: Progress;
  /** First delay between polls (READY: see steps/ready-polls.ts; allocate: it doubles up to maxPollMs). */
  readonly pollMs: number;
  readonly maxPollMs: number;
  /** The image this run registered, once known. */
  newImageId?: number;
}

/** The image id a step refers to. */
export function resolveImage(ctx: ExecContext, ref: ImageRef): number | undefined {
  return ref === 'new' ? ctx.newImageId : ref;
}
