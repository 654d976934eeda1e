// SHA-512 of a file, streamed in large reads.
import * as crypto from 'crypto';
import * as fs from 'fs';
import { promisify } from 'util';
import { OperationFailedError } from '../errors';

const stat = promisify(fs.stat);

export interface ChecksumOptions {
  /** Called with 0..100 as the file is read (at most once per whole percent). */
  readonly onProgress?: (percent: number) => void;
  /** Bytes per read (default 4 MiB): small reads cost more in syscalls and event-loop turns than hashing. */
  readonly chunkBytes?: number;
}

/** The lower-case hex SHA-512 of the file at `file`, as sha512sum prints it. */
export async function sha512File(file: string, opts: ChecksumOptions = {}): Promise<string> {
  let total: number;
  try {
    total = (await stat(file)).size;
  } catch (err) {
    throw new OperationFailedError(`cannot read ${file} to check its SHA-512: ${(err as Error).message}`, err);
  }
  const hash = crypto.createHash('sha512');
  const onProgress = opts.onProgress;
  let done = 0;
  let lastPercent = -1;
  await new Promise<void>((resolve, reject) => {
    const input = fs.createReadStream(file, { highWaterMark: opts.chunkBytes || 4 * 1024 * 1024 });
    input.on('data', (chunk: string | Buffer) => {
      hash.update(chunk);
      done += chunk.length;
      const percent = total > 0 ? Math.min(100, Math.floor((done * 100) / total)) : 100;
      if (onProgress && percent > lastPercent) {
        lastPercent = percent;
        try {
          onProgress(percent);
        } catch (err) {
          // A throw here would escape the stream as an uncaught exception.
          input.destroy();
          reject(err);
        }
      }
    });
    input.on('error', (err) => reject(new OperationFailedError(`cannot read ${file} to check its SHA-512: ${err.message}`, err)));
    input.on('end', () => resolve());
  });
  if (onProgress && lastPercent < 100) onProgress(100);
  return hash.digest('hex');
}
