// Observes the cached file: present, readable, what qemu-img finds in it (for an OVA: in its disk).
import * as fs from 'fs';
import { OperationFailedError, QemuError } from '../errors';
import type { ObservedFile } from '../plan/types';
import { readImageInfo } from '../qemu/info';
import { findOvfMember, listOva, pickOvaDisk, readOvaMemberText } from '../qemu/ova';
import { isTarHeader } from '../qemu/tar-header';
import { readBytes, realpath, stat } from '../files/fs-async';



/** Stats, identifies and (for an OVA) opens the cached file; a missing or unusable file fails the operation. */
export async function observeFile(file: string, qemuImg: string): Promise<ObservedFile> {
  let st: fs.Stats;
  let real: string;
  try {
    real = await realpath(file);
    st = await stat(real);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new OperationFailedError(`the cached image ${file} ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code})`}: vmcatcher's cache and the event disagree`, e);
  }
  if (!st.isFile()) throw new OperationFailedError(`the cached image ${file} is not a regular file`);
  try {
    const head = await readBytes(real, 0, 512);
    if (isTarHeader(head)) {
      const members = await listOva(real);
      const ovf = findOvfMember(members);
      const disk = pickOvaDisk(members, ovf ? await readOvaMemberText(real, ovf) : undefined);
      const range = { offset: disk.offset, size: disk.size };
      const info = await readImageInfo(real, { qemuImg, range });
      return { path: real, size: st.size, info, ovaMember: { name: disk.name, offset: disk.offset, size: disk.size } };
    }
    const info = await readImageInfo(real, { qemuImg });
    return { path: real, size: st.size, info };
  } catch (e) {
    if (e instanceof QemuError) throw new OperationFailedError(`the cached image ${file} cannot be used: ${e.message}`, e);
    throw e;
  }
}
