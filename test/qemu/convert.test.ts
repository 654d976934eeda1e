import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { QemuError } from '../../src/errors';
import { convertImage, progressParser } from '../../src/qemu/convert';
import { readImageInfo } from '../../src/qemu/info';
import { makeQcow2, makeRaw, sameImageContent, useTempDir } from '../helpers/images';

const at = useTempDir({ qemuImg: true });
const mode = (file: string) => fs.statSync(file).mode & 0o777;

describe('progressParser', () => {
  it('reads percentages split across chunks, rising only', () => {
    const seen: number[] = [];
    const feed = progressParser((p) => seen.push(p));
    feed('    (0.00/100%)\r    (12.');
    feed('34/100%)\r    (12.34/100%)\r    (100.00/100%)\r\n');
    expect(seen).toEqual([0, 12.34, 100]);
  });
});

describe('convertImage', () => {
  it('converts qcow2 to raw: same content, sparse, mode 0600, progress seen', async () => {
    const old = process.umask(0o022);
    try {
      makeQcow2(at('in.qcow2'), 8, { pattern: 'qcow2-to-raw' });
      const progress: number[] = [];
      await convertImage({
        input: at('in.qcow2'),
        inputFormat: 'qcow2',
        output: at('out.raw'),
        outputFormat: 'raw',
        onProgress: (p) => progress.push(p),
      });
      expect(sameImageContent(at('in.qcow2'), at('out.raw'))).toBe(true);
      expect(mode(at('out.raw'))).toBe(0o600);
      const st = fs.statSync(at('out.raw'));
      expect(st.size).toBe(8 * 1024 * 1024);
      // 64 KiB of data per MiB: holes stay holes.
      expect(st.blocks * 512).toBeLessThan(st.size / 2);
      expect(progress.length).toBeGreaterThan(2);
      expect(progress[progress.length - 1]).toBe(100);
      expect([...progress].sort((a, b) => a - b)).toEqual(progress);
    } finally {
      process.umask(old);
    }
  });

  it('converts raw to qcow2 with mode 0600 and the same content', async () => {
    makeRaw(at('in.raw'), 4, 'raw-to-qcow2');
    await convertImage({ input: at('in.raw'), inputFormat: 'raw', output: at('out.qcow2'), outputFormat: 'qcow2' });
    expect(mode(at('out.qcow2'))).toBe(0o600);
    expect(sameImageContent(at('in.raw'), at('out.qcow2'))).toBe(true);
    expect(await readImageInfo(at('out.qcow2'))).toMatchObject({ format: 'qcow2', virtualSize: 4 * 1024 * 1024 });
    // A different pattern is a different image: the comparison can fail.
    makeRaw(at('other.raw'), 4, 'something else');
    expect(sameImageContent(at('other.raw'), at('out.qcow2'))).toBe(false);
  });

  it('refuses to overwrite an existing output', async () => {
    fs.writeFileSync(at('taken.raw'), 'keep me');
    await expect(
      convertImage({ input: at('in.raw'), inputFormat: 'raw', output: at('taken.raw'), outputFormat: 'raw' }),
    ).rejects.toThrow(/cannot create conversion output .*taken\.raw: EEXIST/);
    expect(fs.readFileSync(at('taken.raw'), 'utf8')).toBe('keep me');
  });

  it("fails with qemu-img's message and leaves no output behind", async () => {
    fs.writeFileSync(at('text.qcow2'), 'not an image at all');
    const err = await convertImage({
      input: at('text.qcow2'),
      inputFormat: 'qcow2',
      output: at('never.raw'),
      outputFormat: 'raw',
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QemuError);
    expect((err as Error).message).toMatch(/qemu-img convert .*text\.qcow2 \(qcow2\) to raw failed with exit code 1: .*not in qcow2 format/);
    expect(fs.existsSync(at('never.raw'))).toBe(false);
  });

  it('refuses format names that are not format names', async () => {
    await expect(
      convertImage({ input: at('in.raw'), inputFormat: 'raw', output: at('x.raw'), outputFormat: 'raw,o=1' }),
    ).rejects.toThrow(/not a qemu image format name/);
    expect(fs.existsSync(at('x.raw'))).toBe(false);
  });

  it('surfaces an error thrown by the progress listener after cleaning up', async () => {
    await expect(
      convertImage({
        input: at('in.raw'),
        inputFormat: 'raw',
        output: at('y.qcow2'),
        outputFormat: 'qcow2',
        onProgress: () => {
          throw new Error('listener broke');
        },
      }),
    ).rejects.toThrow('listener broke');
    expect(fs.existsSync(at('y.qcow2'))).toBe(false);
  });
});
