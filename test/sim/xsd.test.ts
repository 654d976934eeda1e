// The XML documents validate against OpenNebula's XSDs (xmllint) and match the 5.2 recordings.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, Simulator, SimVersion } from './index';
import { admin, decode, i, ok, post, s } from './rpc';

const XSD = '/work/shared/opennebula-xsd';
const REC = '/work/shared/oned-recordings-5.2';
// The VM template schemas are not among the copied XSDs: read from the 6.10.5 source tarball.
const SRC_6_10 = '/work/shared/opennebula-src/one-release-6.10.5.tar.gz';
let tmp: string;

beforeAll(() => {
  const probe = spawnSync('xmllint', ['--version']);
  if (probe.error) throw new Error('xmllint is required by these tests and was not found: apt-get install -y libxml2-utils');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sim-xsd-'));
  // 5.2 wrote <SNAPSHOTS></SNAPSHOTS> (see the recordings), which 5.12's schema does not allow:
  // for 5.2 use 5.12.13's schemas with the three SNAPSHOTS children made optional.
  fs.mkdirSync(`${tmp}/5.2`);
  for (const f of fs.readdirSync(`${XSD}/5.12.13`)) fs.copyFileSync(`${XSD}/5.12.13/${f}`, `${tmp}/5.2/${f}`);
  const image = fs.readFileSync(`${tmp}/5.2/image.xsd`, 'utf8');
  const patched = image.replace(/<xs:element name="(ALLOW_ORPHANS|CURRENT_BASE|NEXT_SNAPSHOT)" type="(xs:\w+)"\/>/g, '<xs:element name="$1" type="$2" minOccurs="0"/>');
  expect(patched).not.toBe(image);
  fs.writeFileSync(`${tmp}/5.2/image.xsd`, patched);
  fs.mkdirSync(`${tmp}/vmtemplate`);
  for (const f of ['vmtemplate.xsd', 'vmtemplate_pool.xsd']) {
    const out = spawnSync('tar', ['-xzf', SRC_6_10, '-O', `one-release-6.10.5/share/doc/xsd/${f}`]);
    if (out.status !== 0) throw new Error(`cannot read ${f} from ${SRC_6_10}: ${out.stderr}`);
    fs.writeFileSync(`${tmp}/vmtemplate/${f}`, out.stdout);
  }
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const schemaDir = (v: SimVersion): string => (v === '5.2' ? `${tmp}/5.2` : v === '5.8' ? `${XSD}/5.12.13` : `${XSD}/6.10.5`);

/** xmllint's verdict on a document (the namespace added, as the XSD README explains). */
function validate(xml: string, xsd: string): { valid: boolean; output: string } {
  const withNs = xml.replace(/^<(\w+)>/, '<$1 xmlns="http://opennebula.org/XMLSchema">');
  const file = path.join(tmp, `doc-${Math.random().toString(36).slice(2)}.xml`);
  fs.writeFileSync(file, withNs);
  const res = spawnSync('xmllint', ['--noout', '--schema', xsd, file], { encoding: 'utf8' });
  return { valid: res.status === 0, output: res.stderr };
}

const recordedDoc = (name: string): string => ok(decode({ status: 200, headers: {}, body: fs.readFileSync(`${REC}/${name}`, 'utf8') })) as string;

describe.each(['5.2', '5.8', '6.10'] as SimVersion[])('documents of oned %s', (version) => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ version });
    const uid = sim.addUser({ name: 'u', password: 'p', groups: [sim.addGroup('extra')] });
    sim.addImage({ name: 'used', uid, runningVms: 2, template: { DESCRIPTION: 'd', LOGO: 'x' } });
    sim.addImage({ name: 'plain', state: 'DISABLED' });
    ok(await admin(sim.url, 'one.image.update', i(0), s('V = [ A = "1", B = "2" ]'), i(1)));
    sim.addDatastore({ name: 'extra' });
    sim.addTemplate({ name: 'app', uid, template: { MEMORY: '512', DISK: [{ IMAGE_ID: '0' }, { IMAGE_ID: '1' }], OS: { ARCH: 'x86_64' } } });
    sim.lockTemplate(sim.addTemplate({ name: 'locked', mode: '644' }), 2);
    ok(await admin(sim.url, 'one.template.allocate', s('<TEMPLATE><NAME>allocated</NAME><CPU>1</CPU><NIC><NETWORK_ID>0</NETWORK_ID></NIC></TEMPLATE>')));
  });
  afterAll(async () => sim.close());

  const cases: Array<[string, string, () => Promise<unknown>]> = [
    ['IMAGE', 'image.xsd', () => admin(sim.url, 'one.image.info', i(0)).then(ok)],
    ['IMAGE_POOL', 'image_pool.xsd', () => admin(sim.url, 'one.imagepool.info', i(-2), i(-1), i(-1)).then(ok)],
    ['DATASTORE', 'datastore.xsd', () => admin(sim.url, 'one.datastore.info', i(1)).then(ok)],
    ['DATASTORE_POOL', 'datastore_pool.xsd', () => admin(sim.url, 'one.datastorepool.info').then(ok)],
    ['USER', 'user.xsd', () => admin(sim.url, 'one.user.info', i(2)).then(ok)],
    ['USER_POOL', 'user_pool.xsd', () => admin(sim.url, 'one.userpool.info').then(ok)],
    ['GROUP_POOL', 'group_pool.xsd', () => admin(sim.url, 'one.grouppool.info').then(ok)],
    ['VMTEMPLATE', 'vmtemplate.xsd', () => admin(sim.url, 'one.template.info', i(0)).then(ok)],
    ['VMTEMPLATE_POOL', 'vmtemplate_pool.xsd', () => admin(sim.url, 'one.templatepool.info', i(-2), i(-1), i(-1)).then(ok)],
  ];
  it.each(cases)('%s validates against %s', async (root, xsd, get) => {
    const xml = (await get()) as string;
    expect(xml.startsWith(`<${root}>`)).toBe(true);
    // 6.10.5's VMTEMPLATE schema for every version (LOCK is optional; the element order has not changed since 5.x)
    const verdict = validate(xml, xsd.startsWith('vmtemplate') ? `${tmp}/vmtemplate/${xsd}` : path.join(schemaDir(version), xsd));
    expect(verdict.output).toMatch(/validates/);
    expect(verdict.valid).toBe(true);
  });
});

describe('the 5.2 recordings', () => {
  it('validate against the 5.2 schema, and the IMAGE fails 5.12 only for SNAPSHOTS', () => {
    for (const [name, xsd] of [
      ['one.image.info.ready.xml', 'image.xsd'],
      ['one.imagepool.info.success.xml', 'image_pool.xsd'],
      ['one.datastorepool.info.success.xml', 'datastore_pool.xsd'],
      ['one.grouppool.info.success.xml', 'group_pool.xsd'],
    ]) {
      expect(validate(recordedDoc(name), `${tmp}/5.2/${xsd}`).valid, name).toBe(true);
    }
    const strict = validate(recordedDoc('one.image.info.ready.xml'), `${XSD}/5.12.13/image.xsd`);
    expect(strict.valid).toBe(false);
    expect(strict.output).toMatch(/SNAPSHOTS.*Missing child element\(s\). Expected is \( \{http:\/\/opennebula.org\/XMLSchema\}ALLOW_ORPHANS \)/);
  });

  it('are reproduced by allocating the recorded template: same IMAGE but for id, time, paths', async () => {
    const sim = await startSimulator({ version: '5.2', copyDelayMs: 1 });
    const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'sim-rec-'));
    try {
      expect(sim.addDatastore({ name: 'spec', safeDirs: stage })).toBe(100);
      fs.writeFileSync(`${stage}/image.ext`, 'spec image');
      const request = fs.readFileSync(`${REC}/one.image.allocate.success.request.xml`, 'utf8').replace('/tmp/cloudkeeper-spec-register-image', stage);
      const id = ok(decode(await post(sim.url, request))) as number;
      await sim.settle();
      const normalize = (x: string): string =>
        x.replace(/<ID>\d+<\/ID>/, '<ID>N</ID>').replace(/<REGTIME>\d+/, '<REGTIME>T').replace(/<SOURCE><!\[CDATA\[[^\]]*\]\]>/, '<SOURCE>S').replace(/<PATH><!\[CDATA\[[^\]]*\]\]>/, '<PATH>P');
      const ours = ok(await admin(sim.url, 'one.image.info', i(id))) as string;
      expect(normalize(ours)).toBe(normalize(recordedDoc('one.image.info.ready.xml')));
    } finally {
      await sim.close();
      fs.rmSync(stage, { recursive: true, force: true });
    }
  });

  it('show the same DATASTORE_POOL and GROUP_POOL layout', async () => {
    const sim = await startSimulator({ version: '5.2' });
    try {
      sim.addUser({ name: 'a', password: 'a' });
      sim.addUser({ name: 'b', password: 'b' });
      sim.addGroup('rspec-group');
      const recordedGroups = recordedDoc('one.grouppool.info.success.xml').replace(/(<NAME>rspec-group<\/NAME>)<TEMPLATE>.*?<\/TEMPLATE>/, '$1<TEMPLATE></TEMPLATE>');
      expect(ok(await admin(sim.url, 'one.grouppool.info'))).toBe(recordedGroups);
      const firstThree = (x: string): string =>
        x
          .replace(/<DATASTORE><ID>100<\/ID>.*<\/DATASTORE>/, '')
          .replace(/<BASE_PATH><!\[CDATA\[[^\]]*\/(\d+)\]\]>/g, '<BASE_PATH>$1')
          .replace(/<(TOTAL|FREE|USED)_MB>\d+/g, '<$1_MB>N')
          .replace(/<IMAGES>.*?<\/IMAGES>/g, '<IMAGES/>');
      expect(firstThree(ok(await admin(sim.url, 'one.datastorepool.info')) as string)).toBe(firstThree(recordedDoc('one.datastorepool.info.success.xml')));
    } finally {
      await sim.close();
    }
  });
});
