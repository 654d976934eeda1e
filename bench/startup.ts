// Start-up: the shipped command on an event it ignores (ProcessPrefix) against bare `node -e 0`,
// run alternately so that both see the same load, under Node 20 and Node 10.
import * as fs from 'fs';
import * as path from 'path';
import { BIN, eventVars, NodeKind, nodeBinary } from './site';
import { median, mustSucceed, timeSync } from './stats';

export interface StartupResult {
  node: NodeKind;
  runs: number;
  bareMs: number;
  hookMs: number;
  ratio: number;
}

/** The environment of an ignored event at a site with default settings and nothing pending. */
function ignoredEventEnv(root: string): Record<string, string> {
  fs.mkdirSync(path.join(root, 'state'), { recursive: true });
  fs.writeFileSync(path.join(root, 'empty.conf'), '');
  return Object.assign(eventVars('01-ProcessPrefix.env'), {
    PATH: '/usr/local/bin:/usr/bin:/bin',
    HOME: root,
    LANG: 'C.UTF-8',
    VMCHNDL_ON_CONFIG: path.join(root, 'empty.conf'),
    VMCHNDL_ON_STATE_DIR: path.join(root, 'state'),
  });
}

/** Medians of `runs` alternating runs of `node -e 0` and the hook (first of each pair swapped every time). */
export function measureStartup(root: string, node: NodeKind, runs: number): StartupResult {
  const bin = nodeBinary(node);
  const env = ignoredEventEnv(root);
  const bare = () => mustSucceed(`${node} -e 0`, timeSync(bin, ['-e', '0'], { env })).ms;
  const hook = () => {
    const r = mustSucceed(`the hook on ProcessPrefix (${node})`, timeSync(bin, [BIN], { env }));
    if (!/nothing to do/.test(r.stderr)) throw new Error(`the hook did not say it ignored ProcessPrefix:\n${r.stderr}`);
    return r.ms;
  };
  // Warm the page cache and the file system's caches for both first.
  bare();
  hook();
  const b: number[] = [];
  const h: number[] = [];
  for (let i = 0; i < runs; i++) {
    if (i % 2) {
      b.push(bare());
      h.push(hook());
    } else {
      h.push(hook());
      b.push(bare());
    }
  }
  const bareMs = median(b);
  const hookMs = median(h);
  return { node, runs, bareMs, hookMs, ratio: hookMs / bareMs };
}
