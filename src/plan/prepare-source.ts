// Decides how the cached file reaches oned: hard-linked into staging, or converted.
import * as path from 'path';
import type { Config } from '../config/config';
import type { ObservedFile, Step } from './types';

export interface SourcePlan {
  /** The PATH oned will copy from. */
  readonly path: string;
  readonly steps: readonly Step[];
  readonly stagingDir?: string;
  readonly note: string;
}

/** The steps that turn the cached file into something oned can copy in the configured format. */
export function planSource(file: ObservedFile, config: Config, identifier: string, runId: string): SourcePlan {
  const stagingDir = path.join(config.stagingDir, `${identifier}.${runId}`);
  const output = path.join(stagingDir, `${identifier}.${config.format}`);
  const inputFormat = file.info.format;
  if (file.ovaMember || inputFormat !== config.format) {
    const what = file.ovaMember ? `${inputFormat} disk ${JSON.stringify(file.ovaMember.name)} of the OVA` : inputFormat;
    return {
      path: output,
      stagingDir,
      steps: [{ kind: 'convert', input: file.path, inputFormat, output, outputFormat: config.format, ovaMember: file.ovaMember }],
      note: `convert ${what} to ${config.format}`,
    };
  }
  // Never the cached file in place: oned reads PATH after we checked it, and vmcatcher may move a newer
  // download over that name meanwhile. A hard link in our own directory names the inode we check.
  return {
    path: output,
    stagingDir,
    steps: [{ kind: 'link', input: file.path, output }],
    note: `already ${inputFormat}: hard-link (or copy, across file systems) it into the staging directory, which the datastore allows`,
  };
}
