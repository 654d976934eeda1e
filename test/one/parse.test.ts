// Parsing oned's XML documents into records: versions 5.2 and 6.x, odd template values, pools of
// every size, clear errors; and our scanner agrees with fast-xml-parser on the same documents.

import { readdirSync } from 'fs';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { parseDatastore, parseDatastorePool } from '../../src/one/parse-datastore';
import { imagePoolReader, parseImage, parseImagePool } from '../../src/one/parse-image';
import { parseGroupPool, parseUser, parseUserPool } from '../../src/one/parse-user';
import { createXmlScanner, scanXml } from '../../src/one/xml-scan';
import { recording, RECORDINGS } from './stub-server';

/** The XML document inside a recorded answer's <string>, unescaped once as an XML parser does. */
function innerDocument(file: string): string {
  const m = /<string>([\s\S]*)<\/string>/.exec(recording(file).toString('utf8'));
  if (!m) throw new Error(`${file} holds no string`);
  return m[1].replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

const PERMS = '<PERMISSIONS><OWNER_U>1</OWNER_U><OWNER_M>1</OWNER_M><OWNER_A>0</OWNER_A><GROUP_U>1</GROUP_U><GROUP_M>0</GROUP_M><GROUP_A>0</GROUP_A><OTHER_U>0</OTHER_U><OTHER_M>0</OTHER_M><OTHER_A>0</OTHER_A></PERMISSIONS>';

/** An IMAGE as oned 6.10 writes it (share/doc/xsd/image.xsd order). */
function image610(id: number, extra = '', template = '<DEV_PREFIX><![CDATA[vd]]></DEV_PREFIX>'): string {
  return (
    `<IMAGE><ID>${id}</ID><UID>2</UID><GID>1</GID><UNAME>alice</UNAME><GNAME>users</GNAME><NAME>img ${id}</NAME>${extra}${PERMS}` +
    '<TYPE>0</TYPE><DISK_TYPE>0</DISK_TYPE><PERSISTENT>1</PERSISTENT><REGTIME>1700000000</REGTIME>' +
    '<SOURCE><![CDATA[/var/lib/one//datastores/1/abc]]></SOURCE><PATH><![CDATA[/tmp/a.qcow2]]></PATH>' +
    '<FORMAT><![CDATA[qcow2]]></FORMAT><FS><![CDATA[]]></FS><SIZE>2252</SIZE><STATE>1</STATE><PREV_STATE>1</PREV_STATE>' +
    '<RUNNING_VMS>2</RUNNING_VMS><CLONING_OPS>0</CLONING_OPS><CLONING_ID>-1</CLONING_ID><TARGET_SNAPSHOT>-1</TARGET_SNAPSHOT>' +
    '<DATASTORE_ID>1</DATASTORE_ID><DATASTORE>default</DATASTORE><VMS><ID>4</ID><ID>9</ID></VMS><CLONES/><APP_CLONES/>' +
    `<TEMPLATE>${template}</TEMPLATE>` +
    '<SNAPSHOTS><ALLOW_ORPHANS><![CDATA[NO]]></ALLOW_ORPHANS><CURRENT_BASE><![CDATA[-1]]></CURRENT_BASE><NEXT_SNAPSHOT><![CDATA[0]]></NEXT_SNAPSHOT></SNAPSHOTS>' +
    '<BACKUP_INCREMENTS/></IMAGE>'
  );
}

describe('IMAGE', () => {
  it('reads 6.x (FORMAT, FS, PREV_STATE, LOCK, two VMs)', () => {
    const img = parseImage(image610(7, '<LOCK><LOCKED>1</LOCKED><OWNER>0</OWNER><TIME>1700000001</TIME><REQ_ID>42</REQ_ID></LOCK>'));
    expect(img).toEqual({
      id: 7,
      uid: 2,
      gid: 1,
      uname: 'alice',
      gname: 'users',
      name: 'img 7',
      lock: 1,
      permissions: [1, 1, 0, 1, 0, 0, 0, 0, 0],
      type: 0,
      persistent: true,
      regtime: 1700000000,
      source: '/var/lib/one//datastores/1/abc',
      path: '/tmp/a.qcow2',
      format: 'qcow2',
      size: 2252,
      state: 1,
      runningVms: 2,
      datastoreId: 1,
      datastore: 'default',
      vms: [4, 9],
      template: { DEV_PREFIX: 'vd' },
    });
  });

  it('reads 5.2 FSTYPE as the format; LOCKED 0 or no LOCK is no lock', () => {
    expect(parseImage(innerDocument('one.image.info.used.xml')).format).toBe('raw');
    expect(parseImage(image610(1, '<LOCK><LOCKED>0</LOCKED></LOCK>')).lock).toBeUndefined();
    expect(parseImage(image610(1).replace('<FORMAT><![CDATA[qcow2]]></FORMAT>', '')).format).toBe('');
  });

  it('keeps template values exactly as sent', () => {
    const template =
      '<A><![CDATA[007]]></A><B><![CDATA[  padded  ]]></B><C><![CDATA[\nline 1\n\tline 2\n]]></C>' +
      '<D><![CDATA[<&>"\'\\]]></D><E>a &amp;lt; b &amp; c</E><F>x&#13;y&#x41;</F><G>pre<![CDATA[<mid>]]>post</G>' +
      '<H><![CDATA[]]></H><I/><J><![CDATA[ünïcødé ✓ 😀]]></J><K><![CDATA[]]]]><![CDATA[>]]></K>' +
      '<DISK><IMAGE><![CDATA[vector]]></IMAGE></DISK><L><![CDATA[first]]></L><L><![CDATA[second]]></L>';
    expect(parseImage(image610(1, '', template)).template).toEqual({
      A: '007',
      B: '  padded  ',
      C: '\nline 1\n\tline 2\n',
      D: '<&>"\'\\',
      E: 'a &lt; b & c',
      F: 'x\ryA',
      G: 'pre<mid>post',
      H: '',
      I: '',
      J: 'ünïcødé ✓ 😀',
      K: ']]>',
      L: 'first',
    });
  });

  it('names the element when the shape is wrong', () => {
    expect(() => parseImage(image610(1).replace('<STATE>1</STATE>', '<STATE>ready</STATE>'))).toThrow(
      'unexpected <IMAGE> document: IMAGE.STATE: expected an integer, found "ready"',
    );
    expect(() => parseImage(image610(1).replace('<OWNER_M>1</OWNER_M>', '<OWNER_M>7</OWNER_M>'))).toThrow('IMAGE.PERMISSIONS.OWNER_M: expected 0 or 1');
    expect(() => parseImage(image610(1).replace(PERMS, ''))).toThrow('IMAGE.PERMISSIONS: element missing');
    expect(() => parseImage(image610(1).replace('<NAME>img 1</NAME>', '<NAME><X>1</X></NAME>'))).toThrow('IMAGE.NAME: expected text');
    expect(() => parseImage(image610(1).replace('<VMS><ID>4</ID>', '<VMS><ID>four</ID>'))).toThrow('IMAGE.VMS.ID[0]: expected an integer');
    expect(() => parseImage('<DATASTORE><ID>1</ID></DATASTORE>')).toThrow('expected a <IMAGE> document, found <DATASTORE>');
  });

  it('refuses XML that is not well-formed, or has a DOCTYPE', () => {
    expect(() => parseImage(image610(1).slice(0, -3))).toThrow(/malformed XML/);
    expect(() => parseImage('<IMAGE><ID>1</NAME></IMAGE>')).toThrow('</NAME> closes <ID>');
    expect(() => parseImage('<!DOCTYPE x [<!ENTITY a "b">]><IMAGE/>')).toThrow(/DOCTYPE/);
    expect(() => parseImage('<IMAGE/><IMAGE/>')).toThrow(/second root/);
    expect(() => parseImage('')).toThrow(/no root element/);
  });
});

describe('IMAGE_POOL', () => {
  it('reads empty pools in both forms, and a pool of one', () => {
    expect(parseImagePool('<IMAGE_POOL></IMAGE_POOL>')).toEqual([]);
    expect(parseImagePool('<IMAGE_POOL/>')).toEqual([]);
    expect(parseImagePool(`<IMAGE_POOL>${image610(3)}</IMAGE_POOL>`).map((i) => i.id)).toEqual([3]);
  });

  it('names the pool item that is wrong', () => {
    const xml = `<IMAGE_POOL>${image610(1)}${image610(2).replace('<SIZE>2252</SIZE>', '<SIZE/>')}</IMAGE_POOL>`;
    expect(() => parseImagePool(xml)).toThrow('IMAGE_POOL.IMAGE[1].SIZE: expected an integer');
  });

  it('parses a pool of 10 000 images correctly', () => {
    const parts: string[] = [];
    for (let id = 0; id < 10000; id++) {
      const tpl = `<VMCATCHER_EVENT_DC_IDENTIFIER><![CDATA[id-${id}]]></VMCATCHER_EVENT_DC_IDENTIFIER><N><![CDATA[${'x'.repeat(id % 50)}]]></N>`;
      parts.push(image610(id, id % 3 === 0 ? '<LOCK><LOCKED>2</LOCKED></LOCK>' : '', tpl));
    }
    const pool = parseImagePool(`<IMAGE_POOL>${parts.join('')}</IMAGE_POOL>`);
    expect(pool).toHaveLength(10000);
    pool.forEach((img, n) => {
      expect(img.id).toBe(n);
      expect(img.template.VMCATCHER_EVENT_DC_IDENTIFIER).toBe(`id-${n}`);
      expect(img.template.N).toHaveLength(n % 50);
      expect(img.lock).toBe(n % 3 === 0 ? 2 : undefined);
    });
  });
});

describe('DATASTORE, USER and GROUP documents', () => {
  it('reads a datastore, an empty datastore pool', () => {
    const pool = parseDatastorePool(innerDocument('one.datastorepool.info.success.xml'));
    const one = /<DATASTORE>[\s\S]*?<\/DATASTORE>(?=<DATASTORE>)/.exec(innerDocument('one.datastorepool.info.success.xml'));
    expect(parseDatastore(one![0])).toEqual(pool[0]);
    expect(parseDatastorePool('<DATASTORE_POOL/>')).toEqual([]);
  });

  it('reads USER and USER_POOL (QUOTAS siblings skipped)', () => {
    const user = (id: number, groups: string) =>
      `<USER><ID>${id}</ID><GID>1</GID><GROUPS>${groups}</GROUPS><GNAME>users</GNAME><NAME>u${id}</NAME><PASSWORD>x</PASSWORD>` +
      '<AUTH_DRIVER>core</AUTH_DRIVER><ENABLED>1</ENABLED><LOGIN_TOKEN><TOKEN>t</TOKEN><EXPIRATION_TIME>1</EXPIRATION_TIME><EGID>-1</EGID></LOGIN_TOKEN>' +
      '<TEMPLATE><TOKEN_PASSWORD><![CDATA[p]]></TOKEN_PASSWORD></TEMPLATE></USER>';
    expect(parseUser(user(2, '<ID>1</ID><ID>100</ID>'))).toEqual({ id: 2, gid: 1, name: 'u2', gname: 'users', groups: [1, 100] });
    const quotas = '<QUOTAS><ID>2</ID><DATASTORE_QUOTA/><NETWORK_QUOTA/><VM_QUOTA/><IMAGE_QUOTA/></QUOTAS>';
    const pool = parseUserPool(`<USER_POOL>${user(0, '<ID>0</ID>')}${quotas}${user(2, '<ID>1</ID>')}${quotas}<DEFAULT_USER_QUOTAS/></USER_POOL>`);
    expect(pool.map((u) => [u.id, u.groups])).toEqual([
      [0, [0]],
      [2, [1]],
    ]);
  });

  it('reads the recorded group pool', () => {
    expect(parseGroupPool(innerDocument('one.grouppool.info.success.xml')).map((g) => g.name)).toEqual(['oneadmin', 'users', 'rspec-group']);
    expect(parseGroupPool('<GROUP_POOL><DEFAULT_GROUP_QUOTAS/></GROUP_POOL>')).toEqual([]);
  });
});

describe('our scanner and fast-xml-parser agree', () => {
  const fxp = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: false, processEntities: true, htmlEntities: false });
  const documents = readdirSync(RECORDINGS)
    .filter((f) => /\.(info\.(ready|used|locked|error|disabled|success|empty))\.xml$/.test(f))
    .map((f) => [f, innerDocument(f)] as const);

  it.each(documents)('on %s', (_name, xml) => {
    expect(scanXml(xml)).toEqual(fxp.parse(xml));
  });

  it('on 6.x images with odd values', () => {
    const xml = `<IMAGE_POOL>${image610(1, '<LOCK><LOCKED>1</LOCKED></LOCK>', '<A><![CDATA[ a&b <c> ]]></A><B>x &amp;amp; y</B><C/>')}${image610(2)}</IMAGE_POOL>`;
    expect(scanXml(xml)).toEqual(fxp.parse(xml));
  });
});

describe('pools read item by item', () => {
  it('hands each child of the root to onItem in order, nested namesakes staying inside', () => {
    const items: [string, string, unknown][] = [];
    const xml = '<POOL>\n <A><X>1</X><A>inner</A></A>\n <B/>\n <A><![CDATA[</A>]]></A>\n</POOL>';
    const doc = scanXml(xml, (root, name, value) => items.push([root, name, value]));
    expect(items).toEqual([
      ['POOL', 'A', { X: '1', A: 'inner' }],
      ['POOL', 'B', ''],
      ['POOL', 'A', '</A>'],
    ]);
    // The root keeps only its own text.
    expect(doc).toEqual({ POOL: '\n \n \n \n' });
    expect(scanXml(xml)).toEqual({ POOL: { A: [{ X: '1', A: 'inner' }, '</A>'], B: '' } });
  });

  it('gives the same records as whole-tree parsing, with whitespace between items or a TEMPLATE attribute named IMAGE', () => {
    const odd = '<IMAGE><![CDATA[not an image]]></IMAGE><DESCRIPTION><![CDATA[</IMAGE></IMAGE_POOL>]]></DESCRIPTION>';
    const pool = parseImagePool(`<IMAGE_POOL>\n  ${image610(1)}\n  ${image610(2, '', odd)}\n</IMAGE_POOL>\n`);
    expect(pool.map((i) => i.id)).toEqual([1, 2]);
    expect(pool[1].template).toEqual({ IMAGE: 'not an image', DESCRIPTION: '</IMAGE></IMAGE_POOL>' });
    expect(pool[0]).toEqual(parseImage(image610(1)));
  });

  it('refuses a pool of another kind before reading its items, and a pool of text only', () => {
    expect(() => parseImagePool(`<DATASTORE_POOL>${image610(1).replace('<SIZE>2252</SIZE>', '')}</DATASTORE_POOL>`)).toThrow(
      'expected a <IMAGE_POOL> document, found <DATASTORE_POOL>',
    );
    expect(() => parseImagePool('<IMAGE_POOL>junk</IMAGE_POOL>')).toThrow(/not one pool element/);
    // Text beside items is ignored, as the whole tree ignores it.
    expect(parseImagePool(`<IMAGE_POOL>junk${image610(1)}</IMAGE_POOL>`)).toHaveLength(1);
  });
});

describe('documents read in pieces, as the answer arrives', () => {
  /** Scans `xml` given in pieces of `size` characters. */
  function inPieces(xml: string, size: number, onItem?: Parameters<typeof createXmlScanner>[0]) {
    const scanner = createXmlScanner(onItem);
    for (let at = 0; at < xml.length; at += size) scanner.write(xml.slice(at, at + size));
    return scanner.end();
  }
  const caught = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      return (e as Error).message;
    }
    return 'no error';
  };

  it('gives the same tree as the whole document, cut anywhere: tags, entities, CDATA, comments', () => {
    const xml = `<?xml version="1.0"?>\n<IMAGE_POOL><!-- a comment -->${image610(1, '<LOCK><LOCKED>1</LOCKED></LOCK>', '<A><![CDATA[ a&b <c> ]]></A><B>x &amp;amp; y &#233;&#x1F600;</B><C/>')}${image610(2)}</IMAGE_POOL>\n`;
    const whole = scanXml(xml);
    for (let size = 1; size <= 40; size++) expect(inPieces(xml, size)).toEqual(whole);
  });

  it('hands over each item as soon as it is closed', () => {
    const seen: string[] = [];
    const scanner = createXmlScanner((_root, name) => seen.push(name));
    scanner.write('<POOL><A>1</A><B>');
    expect(seen).toEqual(['A']);
    scanner.write('2</B');
    expect(seen).toEqual(['A']);
    scanner.write('>');
    expect(seen).toEqual(['A', 'B']);
    scanner.write('</POOL>');
    expect(scanner.end()).toEqual({ POOL: '' });
  });

  it('reports the same error at the same offset, cut anywhere (the excerpt may end where the text had arrived)', () => {
    const parts = (message: string) => /^(malformed XML at offset \d+: [^(]*) \(near "(.*)"\)$/.exec(message);
    for (const bad of ['<A><B>1</A>', '<A>1</A><B/>', '<A><![CDATA[x</A>', '<A><!-- x</A>', '<A><B', 'text<A/>', '', '<A><!DOCTYPE x></A>']) {
      const expected = parts(caught(() => scanXml(bad)));
      expect(expected).not.toBeNull();
      for (let size = 1; size <= bad.length; size++) {
        const got = parts(caught(() => inPieces(bad, size)));
        expect(got && got[1]).toBe(expected![1]);
        expect(expected![2].indexOf(got![2])).toBe(0);
      }
    }
  });

  it('reads an image pool given in pieces into the same records', () => {
    const xml = `<IMAGE_POOL>${image610(1)}${image610(2, '', '<DESCRIPTION><![CDATA[</IMAGE>]]></DESCRIPTION>')}</IMAGE_POOL>`;
    for (const size of [1, 3, 64, 1000]) {
      const reader = imagePoolReader();
      for (let at = 0; at < xml.length; at += size) reader.write(xml.slice(at, at + size));
      expect(reader.end()).toEqual(parseImagePool(xml));
    }
  });
});
