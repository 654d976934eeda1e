// The real file and image tools behind the executor's Tools interface.
import * as path from 'path';
import type { Tools } from '../exec/context';
import { sha512File } from '../files/checksum';
import { linkOrCopy } from '../files/link-or-copy';
import { makeStagingDirAt, removeStagingDir } from '../files/staging';
import { convertImage } from '../qemu/convert';

/** Tools that run qemu-img and touch real files. */
export function realTools(qemuImg: string): Tools {
  return {
    sha512: (file, onProgress) => sha512File(file, { onProgress }),
    convert: (req) => convertImage(Object.assign({ qemuImg }, req)),
    linkOrCopy: async (input, output) => (await linkOrCopy(input, path.dirname(output), { name: path.basename(output) })).how,
    makeStagingDir: async (dir) => {
      await makeStagingDirAt(dir);
    },
    removeStagingDir: (dir) => removeStagingDir(dir),
  };
}
