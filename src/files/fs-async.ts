// Promise versions of the fs calls we use. Node 10's fs.promises prints an ExperimentalWarning on
// every run, so the code that ships uses these instead.
import * as fs from 'fs';
import * as stream from 'stream';
import { promisify } from 'util';

export const access = promisify(fs.access);
export const chmod = promisify(fs.chmod);
export const close = promisify(fs.close);
export const fstat = promisify(fs.fstat);
export const link = promisify(fs.link);
export const lstat = promisify(fs.lstat);
export const mkdir = promisify(fs.mkdir);
export const mkdtemp = promisify(fs.mkdtemp);
export const open = promisify(fs.open);
export const read = promisify(fs.read);
export const readdir = promisify(fs.readdir);
export const realpath = promisify(fs.realpath);
export const rmdir = promisify(fs.rmdir);
export const stat = promisify(fs.stat);
export const unlink = promisify(fs.unlink);
export const writeFile = promisify(fs.writeFile);
export const pipeline = promisify(stream.pipeline);

/** Reads up to `length` bytes at `offset`; the buffer is as long as what the file held there. */
export async function readBytes(file: string, offset: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const fd = await open(file, 'r');
  try {
    const { bytesRead } = await read(fd, buf, 0, length, offset);
    return bytesRead === length ? buf : buf.subarray(0, bytesRead);
  } finally {
    await close(fd);
  }
}
