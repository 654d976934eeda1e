// A site for bad-input rows: a current image for ALPHA that a wrong run could rename or replace,
// and a way to run the hook with variables removed or given as raw bytes.
import * as fs from 'fs';
import * as path from 'path';
import { ALPHA } from '../../e2e/scenario';
import { makeSite, NodeKind, RunResult, runHook, Site } from '../../e2e/site';
import { commandWithRawEnv } from './raw-env';

export interface BadSite extends Site {
  /** The image a rotation would replace: owned by carol, group users, mode 640. */
  readonly currentId: number;
  readonly tmpDir: string;
}

/** A fresh site with a current image for ALPHA, TMPDIR inside the site. */
export async function makeBadSite(): Promise<BadSite> {
  const site = await makeSite();
  const carol = site.sim.addUser({ name: 'carol', password: 'c', gid: 1 });
  const currentId = site.sim.addImage({
    name: ALPHA,
    uid: carol,
    gid: 1,
    mode: '640',
    template: { VMCATCHER_EVENT_DC_IDENTIFIER: ALPHA, VMCATCHER_EVENT_SL_CHECKSUM_SHA512: '0'.repeat(128), DESCRIPTION: 'v1' },
  });
  const tmpDir = path.join(site.root, 'tmp');
  fs.mkdirSync(tmpDir);
  site.baseEnv.TMPDIR = tmpDir;
  return Object.assign(site, { currentId, tmpDir });
}

export interface RunSpec {
  /** Variables to set (over the site's base environment). */
  readonly env: Record<string, string>;
  /** Base variables to remove (settings the site sets). */
  readonly unset?: readonly string[];
  /** Variables given as exact bytes (not valid UTF-8). */
  readonly raw?: Record<string, Buffer>;
  readonly node?: NodeKind;
  readonly args?: readonly string[];
}

/** Runs the hook as vmcatcher does, with `unset` variables removed and `raw` ones exported by the shell. */
export async function runSpec(site: Site, spec: RunSpec): Promise<RunResult> {
  const baseEnv = Object.assign({}, site.baseEnv);
  for (const k of spec.unset || []) delete baseEnv[k];
  const env = Object.assign({}, spec.env);
  for (const k of spec.unset || []) delete env[k];
  const view: Site = Object.assign({}, site, { baseEnv });
  const command = spec.raw ? commandWithRawEnv(spec.raw, spec.args) : undefined;
  return runHook(view, env, { node: spec.node, args: spec.args ? spec.args.slice() : undefined, command });
}
