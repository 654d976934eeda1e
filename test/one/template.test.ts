// Rendering templates in oned's XML form, checked with libxml2 (xmllint), the parser oned uses:
// every value must come back exactly, as one text node (Template::single_xml_att keeps only those).

import { execFileSync } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidEventError } from '../../src/errors';
import { createOneClient } from '../../src/one/client';
import { renderTemplate } from '../../src/one/template';
import { sendXml, startStub } from './stub-server';
import { HOSTILE } from './hostile-values';
import { readMethodCall } from './wire-helpers';

const dir = mkdtempSync(join(tmpdir(), 'one-template-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What libxml2 reads from /TEMPLATE/NAME: its text and how many child nodes it has. */
function libxml2Reads(xml: string, name: string): { value: string; nodes: number } {
  const file = join(dir, 'template.xml');
  writeFileSync(file, xml);
  const value = execFileSync('xmllint', ['--xpath', `string(/TEMPLATE/${name})`, file], { encoding: 'utf8' });
  const nodes = execFileSync('xmllint', ['--xpath', `count(/TEMPLATE/${name}/node())`, file], { encoding: 'utf8' });
  // xmllint ends its output with one newline of its own.
  return { value: value.slice(0, -1), nodes: Number(nodes.trim()) };
}


describe('renderTemplate', () => {
  it('renders <TEMPLATE><KEY>value</KEY>…</TEMPLATE> with escaping, in order', () => {
    expect(renderTemplate({ NAME: 'a<b>&c', B: '' })).toEqual({
      xml: '<TEMPLATE><NAME>a&lt;b&gt;&amp;c</NAME><B><![CDATA[]]></B></TEMPLATE>',
      warnings: [],
    });
    expect(renderTemplate({}).xml).toBe('<TEMPLATE></TEMPLATE>');
  });

  it.each(Object.entries(HOSTILE))('libxml2 reads %s back exactly, as one node', (name, value) => {
    const { xml, warnings } = renderTemplate({ [name]: value });
    expect(warnings).toEqual([]);
    expect(libxml2Reads(xml, name)).toEqual({ value, nodes: 1 });
  });

  it('neutralises "]]>" and says so', () => {
    const { xml, warnings } = renderTemplate({ A: 'x]]>y]]>', B: 'fine' });
    expect(libxml2Reads(xml, 'A').value).toBe('x]] >y]] >');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^A: "\]\]>" written as "\]\] >"/);
  });

  it('removes control characters XML cannot carry, keeps tab and newline, and says so', () => {
    const { xml, warnings } = renderTemplate({ C: 'a\u0000b\u0007c\u001bd\te\nf\uFFFEg\uD800h😀' });
    expect(libxml2Reads(xml, 'C').value).toBe('abcd\te\nfgh😀');
    expect(warnings).toEqual([expect.stringMatching(/^C: control characters/)]);
  });

  it('turns carriage returns into newlines, as XML parsers would, and says so', () => {
    const { xml, warnings } = renderTemplate({ R: 'a\r\nb\rc' });
    expect(libxml2Reads(xml, 'R').value).toBe('a\nb\nc');
    expect(warnings).toEqual([expect.stringMatching(/^R: carriage returns/)]);
  });

  it.each(['lower', 'Mixed', '1ST', 'WITH-DASH', 'WITH SPACE', '', 'ÄÖ'])('refuses the attribute name %j', (name) => {
    expect(() => renderTemplate({ GOOD: 'x', [name]: 'y' })).toThrow(InvalidEventError);
    expect(() => renderTemplate({ [name]: 'y' })).toThrow(JSON.stringify(name));
  });

  it('accepts names with digits and underscores', () => {
    expect(renderTemplate({ _X: '1', A_1: '2', VMCATCHER_EVENT_DC_IDENTIFIER: '3' }).warnings).toEqual([]);
  });
});

describe('templates on the wire', () => {
  it('reach the server intact inside one.image.allocate, with several empty values', async () => {
    const stub = await startStub((_r, res) =>
      sendXml(res, '<?xml version="1.0"?><methodResponse><params><param><value><array><data><value><boolean>1</boolean></value><value><i4>7</i4></value><value><i4>0</i4></value></data></array></value></param></params></methodResponse>'),
    );
    try {
      const warnings: string[] = [];
      const api = createOneClient({ endpoint: stub.url, session: 'oneadmin:opennebula', onWarning: (w) => warnings.push(w) });
      expect(await api.imageAllocate({ ...HOSTILE, EMPTY2: '', CLOSER: 'a]]>b' }, 1)).toBe(7);
      const sent = readMethodCall(stub.requests[0].body).params[1].value;
      for (const [name, value] of Object.entries({ ...HOSTILE, EMPTY2: '', CLOSER: 'a]] >b' })) {
        expect(libxml2Reads(sent, name)).toEqual({ value, nodes: 1 });
      }
      expect(warnings).toEqual([expect.stringMatching(/^CLOSER: /)]);
    } finally {
      await stub.close();
    }
  });
});
