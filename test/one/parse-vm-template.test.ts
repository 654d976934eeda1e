// VMTEMPLATE documents as a real oned 6.10.5 wrote them (captured by test/real/conformance-templates.ts):
// two DISKs, vectors, empty values (`E = ""`, `V = [ A = "" ]`), a lock, and a pool.
import { describe, expect, it } from 'vitest';
import { parseVmTemplate, parseVmTemplatePool } from '../../src/one/parse-vm-template';

const HEAD = '<ID>7</ID><UID>2</UID><GID>1</GID><UNAME>alice</UNAME><GNAME>users</GNAME><NAME>app [x86_64]</NAME>';
const PERMS =
  '<PERMISSIONS><OWNER_U>1</OWNER_U><OWNER_M>1</OWNER_M><OWNER_A>0</OWNER_A><GROUP_U>1</GROUP_U><GROUP_M>0</GROUP_M><GROUP_A>0</GROUP_A>' +
  '<OTHER_U>0</OTHER_U><OTHER_M>0</OTHER_M><OTHER_A>0</OTHER_A></PERMISSIONS>';
const TEMPLATE =
  '<TEMPLATE><DISK><IMAGE_ID><![CDATA[4]]></IMAGE_ID></DISK><DISK><DEV_PREFIX><![CDATA[vd]]></DEV_PREFIX><IMAGE_ID><![CDATA[2]]></IMAGE_ID></DISK>' +
  '<E1><![CDATA[]]></E1><E2><![CDATA[]]></E2><MEMORY><![CDATA[512]]></MEMORY><NIC><NETWORK_ID><![CDATA[0]]></NETWORK_ID></NIC>' +
  '<V><A><![CDATA[]]></A><B><![CDATA[1]]></B></V></TEMPLATE>';
const doc = (lock = ''): string => `<VMTEMPLATE>${HEAD}${lock}${PERMS}<REGTIME>1796000000</REGTIME>${TEMPLATE}</VMTEMPLATE>`;

describe('parseVmTemplate', () => {
  it('keeps two DISKs, vectors and empty values, in the order oned wrote them', () => {
    const t = parseVmTemplate(doc());
    expect(t).toMatchObject({ id: 7, uid: 2, gid: 1, uname: 'alice', gname: 'users', name: 'app [x86_64]', permissions: [1, 1, 0, 1, 0, 0, 0, 0, 0], regtime: 1796000000 });
    expect(t.lock).toBeUndefined();
    expect(t.nodes).toEqual([
      { name: 'DISK', vector: { IMAGE_ID: '4' } },
      { name: 'DISK', vector: { DEV_PREFIX: 'vd', IMAGE_ID: '2' } },
      { name: 'E1', value: '' },
      { name: 'E2', value: '' },
      { name: 'MEMORY', value: '512' },
      { name: 'NIC', vector: { NETWORK_ID: '0' } },
      { name: 'V', vector: { A: '', B: '1' } },
    ]);
    expect(t.template).toEqual({ E1: '', E2: '', MEMORY: '512' });
  });

  it('reads a lock and an empty TEMPLATE', () => {
    const locked = parseVmTemplate(doc('<LOCK><LOCKED>2</LOCKED><OWNER>0</OWNER><TIME>1796000001</TIME><REQ_ID>-1</REQ_ID></LOCK>'));
    expect(locked.lock).toBe(2);
    const empty = parseVmTemplate(doc().replace(TEMPLATE, '<TEMPLATE></TEMPLATE>'));
    expect([empty.nodes, empty.template]).toEqual([[], {}]);
  });

  it('refuses a nested element inside a vector, naming where', () => {
    expect(() => parseVmTemplate(doc().replace('<B><![CDATA[1]]></B>', '<B><C>1</C></B>'))).toThrow(/VMTEMPLATE\.TEMPLATE\.V\[0\]\.B: expected text inside a vector attribute/);
  });
});

describe('parseVmTemplatePool', () => {
  it('gives every VMTEMPLATE, and [] for an empty pool', () => {
    const pool = parseVmTemplatePool(`<VMTEMPLATE_POOL>${doc()}${doc().replace('<ID>7</ID>', '<ID>8</ID>')}</VMTEMPLATE_POOL>`);
    expect(pool.map((t) => [t.id, t.nodes.length])).toEqual([
      [7, 7],
      [8, 7],
    ]);
    expect(parseVmTemplatePool('<VMTEMPLATE_POOL></VMTEMPLATE_POOL>')).toEqual([]);
  });
});
