// Every file under a directory with its type, mode, size and content hash, to prove a run wrote nothing there.
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

export interface TreeEntry {
  readonly type: 'file' | 'dir' | 'symlink' | 'other';
  readonly mode: string;
  readonly size: number;
  readonly mtimeMs: number;
  /** sha1 of a file's bytes, a symlink's target. */
  readonly content?: string;
}

export type Tree = Record<string, TreeEntry>;

function entryOf(file: string, st: fs.Stats): TreeEntry {
  const mode = (st.mode & 0o7777).toString(8);
  if (st.isSymbolicLink()) return { type: 'symlink', mode, size: st.size, mtimeMs: st.mtimeMs, content: fs.readlinkSync(file) };
  if (st.isDirectory()) return { type: 'dir', mode, size: 0, mtimeMs: st.mtimeMs };
  if (!st.isFile()) return { type: 'other', mode, size: st.size, mtimeMs: st.mtimeMs };
  return { type: 'file', mode, size: st.size, mtimeMs: st.mtimeMs, content: crypto.createHash('sha1').update(fs.readFileSync(file)).digest('hex') };
}

/** Snapshots `root` recursively (symlinks not followed), leaving out the absolute paths in `except` and what is below them. */
export function snapshotTree(root: string, except: readonly string[] = []): Tree {
  const out: Tree = {};
  const walk = (dir: string) => {
    for (const name of fs.readdirSync(dir).sort()) {
      const file = path.join(dir, name);
      if (except.indexOf(file) >= 0) continue;
      const st = fs.lstatSync(file);
      out[path.relative(root, file)] = entryOf(file, st);
      if (st.isDirectory()) walk(file);
    }
  };
  walk(root);
  return out;
}

/** What changed between two snapshots, one line a path (empty when nothing did). */
export function diffTrees(before: Tree, after: Tree): string[] {
  const lines: string[] = [];
  const names = Object.keys(Object.assign({}, before, after)).sort();
  for (const n of names) {
    const a = before[n];
    const b = after[n];
    if (!a) lines.push(`+ ${n} (${b.type}, mode ${b.mode})`);
    else if (!b) lines.push(`- ${n}`);
    else if (JSON.stringify(a) !== JSON.stringify(b)) lines.push(`~ ${n}: ${JSON.stringify(a)} -> ${JSON.stringify(b)}`);
  }
  return lines;
}

/** Every path under `root` (files and directories), relative, sorted; absent root gives []. */
export function listTree(root: string): string[] {
  if (!fs.existsSync(root)) return [];
  return Object.keys(snapshotTree(root)).sort();
}
