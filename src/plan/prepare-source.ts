// Decides how the cached file reaches oned: in place, hard-linked into staging, or converted.
import * as path from 'path';
import type { Config } from '../config/config';
import type { DatastoreRecord } from '../one/types';
import { datastoreAllowsPath } from './datastore-dirs';
import type { ObservedFile, Step } from './types';

export interface SourcePlan {
  /** The PATH oned will copy from. */
  readonly path: string;
  readonly steps: readonly Step[];
  readonly stagingDir?: string;
  readonly note: string;
}

/** The steps that turn the cached file into something oned can copy in the configured format. */
export function planSource(file: ObservedFile, ds: DatastoreRecord, config: Config, identifier: string, runId: string): SourcePlan {
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
  if (datastoreAllowsPath(ds, path.dirname(file.path))) {
    return { path: file.path, steps: [], note: `already ${inputFormat}: register the cached file in place` };
  }
  return {
    path: output,
    stagingDir,
    steps: [{ kind: 'link', input: file.path, output }],
    note: `already ${inputFormat}: hard-link (or copy, across file systems) it into the staging directory, which the datastore allows`,
  };
}
