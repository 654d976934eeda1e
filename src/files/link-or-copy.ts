// Puts a file into a directory: a hard link when possible (instant, no space), else a private copy.
import * as fs from 'fs';
import * as path from 'path';
import { OperationFailedError } from '../errors';
import { link, pipeline, unlink } from './fs-async';


// Other file system, hard links forbidden (fs.protected_hardlinks on a file not ours), or not supported.
const COPY_INSTEAD = ['EXDEV', 'EPERM', 'EMLINK', 'ENOTSUP', 'EOPNOTSUPP', 'EACCES'];

/** Hard-links `src` into destDir (same file system), else copies it there with mode 0600; never overwrites. */
export async function linkOrCopy(
  src: string,
  destDir: string,
  opts: { name?: string } = {},
): Promise<{ path: string; how: 'link' | 'copy' }> {
  const name = opts.name !== undefined ? opts.name : path.basename(src);
  if (name === '' || name === '.' || name === '..' || /[/\0]/.test(name)) {
    throw new OperationFailedError(`invalid file name ${JSON.stringify(name)} for ${destDir}`);
  }
  const dest = path.join(destDir, name);
  try {
    await link(src, dest);
    return { path: dest, how: 'link' };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code || '';
    if (COPY_INSTEAD.indexOf(code) < 0) throw new OperationFailedError(`cannot link ${src} to ${dest}: ${(err as Error).message}`, err);
  }
  try {
    await pipeline(fs.createReadStream(src, { highWaterMark: 4 * 1024 * 1024 }), fs.createWriteStream(dest, { flags: 'wx', mode: 0o600 }));
  } catch (err) {
    // Only remove what we created: 'wx' failing with EEXIST means the file was someone else's.
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') await unlink(dest).catch(() => undefined);
    throw new OperationFailedError(`cannot copy ${src} to ${dest}: ${(err as Error).message}`, err);
  }
  return { path: dest, how: 'copy' };
}
