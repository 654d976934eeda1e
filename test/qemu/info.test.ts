import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { QemuError } from '../../src/errors';
import { checkImage, readImageInfo } from '../../src/qemu/info';
import { parseImageInfo, validateImageInfo } from '../../src/qemu/info-parse';
import { listOva } from '../../src/qemu/ova';
import { makeOva, makeQcow2, makeRaw, makeVmdk, useTempDir } from '../helpers/images';

const at = useTempDir({ qemuImg: true });

describe('readImageInfo', () => {
  it('reads raw, qcow2 and vmdk images, probed or with their format given', async () => {
    makeRaw(at('a.raw'), 3);
    makeQcow2(at('a.qcow2'), 4);
    makeVmdk(at('a.vmdk'), 2);
    const mib = 1024 * 1024;
    expect(await readImageInfo(at('a.raw'))).toMatchObject({ format: 'raw', virtualSize: 3 * mib });
    expect(await readImageInfo(at('a.qcow2'))).toMatchObject({ format: 'qcow2', virtualSize: 4 * mib });
    expect(await readImageInfo(at('a.qcow2'), { format: 'qcow2' })).toMatchObject({ format: 'qcow2', virtualSize: 4 * mib });
    const vmdk = await readImageInfo(at('a.vmdk'));
    expect(vmdk).toMatchObject({ format: 'vmdk', virtualSize: 2 * mib });
    expect(vmdk.actualSize).toBeGreaterThan(0);
    expect(vmdk.backingFile).toBeUndefined();
  });

  it('says clearly when a file is not an image', async () => {
    fs.writeFileSync(at('notes.txt'), 'hello, I am not a disk\n');
    await expect(readImageInfo(at('notes.txt'), { format: 'qcow2' })).rejects.toThrow(/cannot read .*notes\.txt as qcow2: .*not in qcow2 format/);
    // Probing calls anything raw; a disk is whole sectors.
    await expect(readImageInfo(at('notes.txt'))).rejects.toThrow(/not a disk image: .*23 bytes is not a whole number of sectors/);
    fs.writeFileSync(at('empty'), '');
    await expect(readImageInfo(at('empty'))).rejects.toThrow(QemuError);
    await expect(readImageInfo(at('missing.qcow2'))).rejects.toThrow(/No such file/);
  });

  it('refuses an OVA probed as raw, pointing at the OVA functions', async () => {
    makeOva(at('x.ova'), { diskFormat: 'qcow2' });
    await expect(readImageInfo(at('x.ova'))).rejects.toThrow(/tar archive \(an OVA\?\)/);
  });

  it('refuses a truncated qcow2 that qemu-img info alone accepts', async () => {
    makeQcow2(at('whole.qcow2'), 4);
    const bytes = fs.readFileSync(at('whole.qcow2'));
    fs.writeFileSync(at('cut.qcow2'), bytes.subarray(0, Math.floor(bytes.length * 0.7)));
    // The trap: info alone is happy.
    await expect(readImageInfo(at('cut.qcow2'), { check: false })).resolves.toMatchObject({ format: 'qcow2' });
    await expect(readImageInfo(at('cut.qcow2'))).rejects.toThrow(/damaged qcow2 image \(qemu-img check: \d+ corruptions/);
    expect(await checkImage(at('whole.qcow2'), 'qcow2')).toEqual({ supported: true, corruptions: 0, leaks: 0, checkErrors: 0 });
    expect((await checkImage(at('cut.qcow2'), 'qcow2')).corruptions).toBeGreaterThan(0);
    expect((await checkImage(at('a.raw'), 'raw')).supported).toBe(false);
  });

  it('refuses a truncated streamOptimized vmdk', async () => {
    makeVmdk(at('whole.vmdk'), 4);
    const bytes = fs.readFileSync(at('whole.vmdk'));
    fs.writeFileSync(at('cut.vmdk'), bytes.subarray(0, 40000));
    await expect(readImageInfo(at('cut.vmdk'))).rejects.toThrow(/cannot read .*cut\.vmdk: .*truncated/);
  });

  it('refuses an image with a backing file, naming it', async () => {
    makeQcow2(at('base.qcow2'), 2);
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', at('base.qcow2'), '-F', 'qcow2', at('overlay.qcow2')]);
    await expect(readImageInfo(at('overlay.qcow2'))).rejects.toThrow(
      new RegExp(`backing file "${at('base.qcow2').replace(/[.]/g, '\\.')}": refused`),
    );
  });

  it("refuses a vmdk whose kind qemu-img does not tell (before 1.7 its JSON has no format-specific part)", () => {
    const asOldQemuImgSaysIt = JSON.stringify({ 'virtual-size': 2097152, filename: '/x.vmdk', 'cluster-size': 65536, format: 'vmdk', 'actual-size': 73728, 'dirty-flag': false });
    expect(() => validateImageInfo(parseImageInfo(asOldQemuImgSaysIt, '/x.vmdk'), '/x.vmdk')).toThrow(/\/x\.vmdk is a VMDK, but qemu-img did not say which kind .*: refused/);
  });

  it('refuses a qcow2 with an external data file and a vmdk whose extent is another file', async () => {
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', '-o', `data_file=${at('data.bin')}`, at('df.qcow2'), '2M']);
    await expect(readImageInfo(at('df.qcow2'))).rejects.toThrow(/external data file ".*data\.bin": refused/);
    // A VMDK descriptor can point at any file on the host: here the extent is /etc/hostname.
    fs.writeFileSync(
      at('evil.vmdk'),
      '# Disk DescriptorFile\nversion=1\nCID=7fa2d502\nparentCID=ffffffff\ncreateType="monolithicFlat"\nRW 1 FLAT "/etc/hostname" 0\n',
    );
    await expect(readImageInfo(at('evil.vmdk'))).rejects.toThrow(/VMDK of type monolithicFlat with extents \["\/etc\/hostname"\]: refused/);
  });

  it('cannot be tricked by names starting with "-" or holding "json:" or a protocol', async () => {
    const sub = at('names');
    fs.mkdirSync(sub);
    const cwd = process.cwd();
    process.chdir(sub);
    try {
      makeQcow2('-f', 2);
      expect(await readImageInfo('-f')).toMatchObject({ format: 'qcow2' });
      fs.mkdirSync('json:{"driver":"null-co"}');
      const jsonName = 'json:{"driver":"null-co"}/x.raw';
      makeRaw(jsonName, 1);
      expect(await readImageInfo(jsonName)).toMatchObject({ format: 'raw', virtualSize: 1024 * 1024 });
      // As a bare name this would be qemu's null driver, 1 GiB of nothing.
      fs.mkdirSync('nbd:localhost:1');
      makeRaw('nbd:localhost:1/y.raw', 2);
      expect(await readImageInfo('nbd:localhost:1/y.raw', { format: 'raw' })).toMatchObject({ virtualSize: 2 * 1024 * 1024 });
    } finally {
      process.chdir(cwd);
    }
  });

  it('reads a member of an OVA in place with a byte range', async () => {
    makeOva(at('r.ova'), { diskFormat: 'vmdk', sizeMiB: 3 });
    const st = fs.statSync(at('r.ova.disk.vmdk'));
    const disk = (await listOva(at('r.ova'))).find((m) => m.name.endsWith('.vmdk'))!;
    expect(disk.size).toBe(st.size);
    const info = await readImageInfo(at('r.ova'), { range: { offset: disk.offset, size: disk.size } });
    expect(info).toMatchObject({ format: 'vmdk', virtualSize: 3 * 1024 * 1024 });
  });

  it('fails loudly when qemu-img is missing', async () => {
    await expect(readImageInfo(at('a.raw'), { qemuImg: '/nonexistent/qemu-img' })).rejects.toThrow(/not found: .*apt-get install -y qemu-utils/);
  });
});
