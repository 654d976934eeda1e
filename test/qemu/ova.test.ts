import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { QemuError } from '../../src/errors';
import { convertImage } from '../../src/qemu/convert';
import { readImageInfo } from '../../src/qemu/info';
import { extractOvaDisk, findOvfMember, listOva, ovaMemberSpec, pickOvaDisk, readOvaMemberText } from '../../src/qemu/ova';
import { OvaMember } from '../../src/qemu/types';
import { makeOva, makeQcow2, ovfText, paxEntry, sameImageContent, sha512, useTempDir, writeTar } from '../helpers/images';

const at = useTempDir({ qemuImg: true });

const file = (name: string, size = 1): OvaMember => ({ name, size, offset: 512, type: 'file' });

describe('listOva', () => {
  it('lists what GNU tar wrote, with data offsets that point at the bytes', async () => {
    const src = at('gnu');
    fs.mkdirSync(src);
    fs.writeFileSync(path.join(src, 'a.ovf'), 'ovf text');
    const longName = `${'d'.repeat(120)}/${'n'.repeat(150)}-disk1.vmdk`;
    fs.mkdirSync(path.join(src, 'd'.repeat(120)));
    fs.writeFileSync(path.join(src, longName), Buffer.alloc(3000, 7));
    // ustar splits a long name into prefix and name; it cannot hold a 150-character last segment.
    const prefixed = `${'p'.repeat(60)}/${'q'.repeat(70)}-disk1.vmdk`;
    fs.mkdirSync(path.join(src, 'p'.repeat(60)));
    fs.writeFileSync(path.join(src, prefixed), Buffer.alloc(3000, 7));
    for (const format of ['gnu', 'pax', 'ustar']) {
      const names = ['a.ovf', format === 'ustar' ? prefixed : longName];
      execFileSync('tar', [`--format=${format}`, '-cf', at(`t-${format}.tar`), '-C', src, ...names]);
      const members = await listOva(at(`t-${format}.tar`));
      expect(members.map((m) => m.name)).toEqual(names);
      const ovf = findOvfMember(members)!;
      expect(await readOvaMemberText(at(`t-${format}.tar`), ovf)).toBe('ovf text');
      const big = members[1];
      expect(big.size).toBe(3000);
      const bytes = fs.readFileSync(at(`t-${format}.tar`)).subarray(big.offset, big.offset + big.size);
      expect(bytes.equals(Buffer.alloc(3000, 7))).toBe(true);
    }
  });

  it('refuses absolute names, ".." and control characters anywhere in the archive', async () => {
    const cases: Array<[string, RegExp]> = [
      ['/etc/cron.d/evil', /absolute name: refused/],
      ['../../etc/passwd', /"\.\." in its name: refused/],
      ['ok/../../x', /"\.\." in its name: refused/],
      ['disk1.vmdk\nfake log line', /control characters in its name: refused/],
      ['C:\\Windows\\x', /absolute name: refused/],
    ];
    for (const [name, message] of cases) {
      writeTar(at('hostile.tar'), [{ name, data: Buffer.from('x') }]);
      await expect(listOva(at('hostile.tar'))).rejects.toThrow(message);
    }
  });

  it('refuses a NUL hidden in a pax path, duplicates, and bad checksums', async () => {
    writeTar(at('nul.tar'), [paxEntry({ path: 'disk1.vmdk\0../../x' }), { name: 'x', data: Buffer.from('x') }]);
    await expect(listOva(at('nul.tar'))).rejects.toThrow(/control characters/);
    writeTar(at('dup.tar'), [{ name: 'disk1.vmdk', data: Buffer.from('a') }, { name: './disk1.vmdk', data: Buffer.from('b') }]);
    await expect(listOva(at('dup.tar'))).rejects.toThrow(/"disk1\.vmdk" appears twice/);
    writeTar(at('sum.tar'), [{ name: 'a', data: Buffer.from('a'), badChecksum: true }]);
    await expect(listOva(at('sum.tar'))).rejects.toThrow(/no valid tar header at byte 0/);
    makeQcow2(at('plain.qcow2'), 1);
    await expect(listOva(at('plain.qcow2'))).rejects.toThrow(/not a tar archive/);
  });

  it('refuses tar bombs: declared sizes beyond the file, and thousands of members', async () => {
    writeTar(at('huge.tar'), [{ name: 'disk1.vmdk', data: Buffer.alloc(512), declaredSize: 2 ** 40 }]);
    await expect(listOva(at('huge.tar'))).rejects.toThrow(/"disk1\.vmdk" at byte 0 declares 1099511627776 bytes, beyond the archive's \d+: refused/);
    writeTar(at('b256.tar'), [{ name: 'big.vmdk', data: Buffer.alloc(512), declaredSize: 2 ** 50, base256Size: true }]);
    await expect(listOva(at('b256.tar'))).rejects.toThrow(/declares 1125899906842624 bytes/);
    const many = Array.from({ length: 5000 }, (_v, i) => ({ name: `f${i}`, data: Buffer.alloc(0) }));
    writeTar(at('many.tar'), many);
    await expect(listOva(at('many.tar'))).rejects.toThrow(/more than 1000 tar members: refused as a tar bomb/);
    expect(await listOva(at('many.tar'), { maxMembers: 6000 })).toHaveLength(5000);
    writeTar(at('paxbig.tar'), [paxEntry({ comment: 'x'.repeat(2 * 1024 * 1024) }), { name: 'a', data: Buffer.from('a') }]);
    await expect(listOva(at('paxbig.tar'))).rejects.toThrow(/extended header at byte 0 of \d+ bytes: refused/);
  });

  it('reads sizes from pax records and GNU base-256, and stops at the end marker', async () => {
    writeTar(at('pax.tar'), [
      paxEntry({ path: 'long/pax-disk1.qcow2', size: '700' }),
      { name: 'short', data: Buffer.alloc(700, 1), declaredSize: 1 },
      { name: 'b256', data: Buffer.alloc(600, 2), base256Size: true },
    ]);
    fs.appendFileSync(at('pax.tar'), Buffer.alloc(4096, 0xff)); // junk after the end marker is not read
    const members = await listOva(at('pax.tar'));
    expect(members.map((m) => [m.name, m.size])).toEqual([
      ['long/pax-disk1.qcow2', 700],
      ['b256', 600],
    ]);
  });
});

describe('pickOvaDisk', () => {
  it("takes the OVF's first disk, resolved against the OVF's directory", () => {
    const members = [file('app/app.ovf'), file('app/b-disk1.vmdk'), file('app/second.vmdk'), file('app/first.vmdk')];
    expect(pickOvaDisk(members, ovfText(['first.vmdk', 'second.vmdk'])).name).toBe('app/first.vmdk');
    expect(pickOvaDisk(members, ovfText(['./second.vmdk'])).name).toBe('app/second.vmdk');
    expect(pickOvaDisk([file('a.ovf'), file('my disk.vmdk')], ovfText(['my%20disk.vmdk'])).name).toBe('my disk.vmdk');
  });

  it('falls back to *disk1.*, then to the first disk-like name', () => {
    expect(pickOvaDisk([file('x.ovf'), file('a-disk2.vmdk'), file('a-disk1.vmdk')]).name).toBe('a-disk1.vmdk');
    expect(pickOvaDisk([file('readme.txt'), file('root.qcow2'), file('b.vmdk')]).name).toBe('root.qcow2');
    // An OVF without a DiskSection names no disk.
    expect(pickOvaDisk([file('x-disk1.img')], '<Envelope><References/></Envelope>').name).toBe('x-disk1.img');
    expect(() => pickOvaDisk([file('readme.txt')])).toThrow(/the OVA has no disk/);
  });

  it('refuses links, missing and external disks, and broken OVFs', () => {
    const link: OvaMember = { name: 'disk1.vmdk', size: 0, offset: 512, type: 'symlink', linkName: '/dev/sda' };
    expect(() => pickOvaDisk([link])).toThrow(/"disk1\.vmdk" \(named \*disk1\.\*\) is a symlink to "\/dev\/sda", not a plain file: refused/);
    const hard: OvaMember = { name: 'x.vmdk', size: 0, offset: 512, type: 'hardlink', linkName: 'other' };
    expect(() => pickOvaDisk([file('a.ovf'), hard], ovfText(['x.vmdk']))).toThrow(/is a hardlink/);
    expect(() => pickOvaDisk([file('a.ovf')], ovfText(['gone.vmdk']))).toThrow(/"gone\.vmdk", which the OVA does not contain/);
    expect(() => pickOvaDisk([file('a.ovf')], ovfText(['http://evil.example/x.vmdk']))).toThrow(/outside the OVA: refused/);
    expect(() => pickOvaDisk([file('a.ovf')], '<Envelope><DiskSection>')).toThrow(/not valid XML/);
  });
});

describe('OVA disks with the real qemu-img', () => {
  for (const diskFormat of ['vmdk', 'qcow2'] as const) {
    it(`converts a ${diskFormat} member in place (json: spec) and extracts only it`, async () => {
      const ova = makeOva(at(`app-${diskFormat}.ova`), {
        diskFormat,
        diskName: `disks/app-${diskFormat}.${diskFormat}`,
        extraMembers: [{ name: 'decoy-disk1.vmdk', data: Buffer.from('decoy') }],
        ovf: ovfText([`disks/app-${diskFormat}.${diskFormat}`]),
      });
      const members = await listOva(ova.ova);
      const disk = pickOvaDisk(members, await readOvaMemberText(ova.ova, findOvfMember(members)!));
      expect(disk.name).toBe(ova.diskName);
      const range = { offset: disk.offset, size: disk.size };
      expect(await readImageInfo(ova.ova, { range })).toMatchObject({ format: diskFormat });
      expect(ovaMemberSpec(ova.ova, disk, diskFormat)).toMatch(/^json:\{"driver":"(vmdk|qcow2)","file":\{"driver":"raw","offset":\d+,"size":\d+,/);
      await convertImage({ input: ova.ova, inputFormat: diskFormat, inputRange: range, output: at(`${diskFormat}.raw`), outputFormat: 'raw' });
      expect(sameImageContent(at(`${diskFormat}.raw`), ova.diskImage)).toBe(true);

      const dest = at(`extract-${diskFormat}`);
      fs.mkdirSync(dest);
      const extracted = await extractOvaDisk(ova.ova, disk, dest);
      expect(fs.readdirSync(dest)).toEqual([path.basename(extracted)]);
      expect(path.basename(extracted)).toMatch(/^ova-disk-[0-9a-f]{12}\.img$/);
      expect(fs.statSync(extracted).mode & 0o777).toBe(0o600);
      expect(sha512(extracted)).toBe(sha512(ova.diskImage));
    });
  }

  it('refuses to extract or read in place anything but a plain file', async () => {
    const link: OvaMember = { name: 'disk1.vmdk', size: 0, offset: 512, type: 'symlink', linkName: '/etc/shadow' };
    await expect(extractOvaDisk(at('app-vmdk.ova'), link, at())).rejects.toThrow(QemuError);
    expect(() => ovaMemberSpec(at('app-vmdk.ova'), link, 'vmdk')).toThrow(/is a symlink/);
    const beyond: OvaMember = { name: 'x', size: 1e9, offset: 512, type: 'file' };
    await expect(extractOvaDisk(at('app-vmdk.ova'), beyond, at())).rejects.toThrow(/beyond/);
  });
});
