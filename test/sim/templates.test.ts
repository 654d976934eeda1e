// Both template forms oned accepts, with hostile values, and what oned writes back.
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, Simulator } from './index';
import { admin, i, ok, parseDoc, s } from './rpc';
import { parseTemplate, singles, Template, templateXml } from './templates';

const v610 = { ccdata: true, columnsWord: 'columns' };
const v52 = { ccdata: false, columnsWord: 'column' };
const parsed = (src: string, flavour = v610): Template => {
  const r = parseTemplate(src, flavour);
  if (!r.ok) throw new Error(r.error);
  return r.template;
};
const errorOf = (src: string, flavour = v610): string => {
  const r = parseTemplate(src, flavour);
  return r.ok ? 'parsed' : r.error;
};

describe('text form (template_parser.l)', () => {
  it('reads quoted values with \\" escapes, newlines, brackets, markup and non-ASCII', () => {
    const t = parsed('A = "say \\"hi\\""\nB = "two\nlines"\nC = "a]b[c,d=e#f"\nD = "<b>&amp;</b>"\nE = "héllo ☃"\n# comment\nF = bare_value\nG =\nH = "x"y');
    expect(singles(t)).toEqual({ A: 'say "hi"', B: 'two\nlines', C: 'a]b[c,d=e#f', D: '<b>&amp;</b>', E: 'héllo ☃', F: 'bare_value', G: '', H: '"x"y' });
  });

  it('lets a value ending in a backslash run on into the next attribute', () => {
    expect(singles(parsed('A = "C:\\dir\\"\nB = "\nC = "v"'))).toEqual({ A: 'C:\\dir"\nB = ', C: 'v' });
    expect(errorOf('A = "end\\"\nB = "y"')).toBe('Parse error: syntax error, unexpected $end, expecting EQUAL or EQUAL_EMPTY at line 2, columns 18:19');
  });

  it('upper-cases names, prefixes odd ones with ATT_, keeps the last duplicate, reads vectors', () => {
    const t = parsed('lower = "1"\n1st = "2"\nXMLish = "3"\nxmlok = "4"\nA = "x"\nA = "y"\nV = [ k = "1", B = "2", k = "3" ]');
    expect(t).toEqual([
      { name: 'LOWER', value: '1' },
      { name: 'ATT_1ST', value: '2' },
      { name: 'ATT_XMLISH', value: '3' },
      { name: 'XMLOK', value: '4' },
      { name: 'A', value: 'y' },
      { name: 'V', vector: [['K', '1'], ['B', '2']] },
    ]);
    expect(templateXml(t)).toBe(
      '<TEMPLATE><A><![CDATA[y]]></A><ATT_1ST><![CDATA[2]]></ATT_1ST><ATT_XMLISH><![CDATA[3]]></ATT_XMLISH><LOWER><![CDATA[1]]></LOWER>' +
        '<V><B><![CDATA[2]]></B><K><![CDATA[1]]></K></V><XMLOK><![CDATA[4]]></XMLOK></TEMPLATE>',
    );
  });

  it('reports syntax errors with bison wording and location', () => {
    expect(errorOf('A = a]b')).toBe('Parse error: syntax error, unexpected CBRACKET, expecting $end or VARIABLE at line 1, columns 6:7');
    expect(errorOf('A = hello world', v52)).toBe('Parse error: syntax error, unexpected $end, expecting EQUAL or EQUAL_EMPTY at line 1, column 11:16');
    expect(errorOf('A "x"')).toBe('Parse error: syntax error, unexpected VARIABLE, expecting EQUAL or EQUAL_EMPTY at line 1, columns 4:5');
  });

  it('aborts on "]]>" in a value line from 5.8 on, and accepts it in 5.2', () => {
    expect(errorOf('A = "x]]>y"')).toBe('Parse error.');
    expect(singles(parsed('A = "x]]>y"', v52))).toEqual({ A: 'x]]>y' });
    // a quoted value spanning lines escapes the line-based rule, as in oned
    expect(singles(parsed('A = "x\n]]>y"'))).toEqual({ A: 'x\n]]>y' });
  });
});

describe('XML form (Template::from_xml)', () => {
  it('decodes entities and CDATA, reads empty and vector elements', () => {
    const t = parsed('<TEMPLATE><a>x&amp;y&lt;&#233;</a><B><![CDATA[<raw> & "q"]]></B><C/><D><![CDATA[]]></D><V><k>1</k></V></TEMPLATE>');
    expect(t).toEqual([
      { name: 'A', value: 'x&y<é' },
      { name: 'B', value: '<raw> & "q"' },
      // an element without any child is dropped; an empty CDATA section is an empty value (real oned 6.10.5)
      { name: 'D', value: '' },
      { name: 'V', vector: [['K', '1']] },
    ]);
    // inside a vector: a repeated name keeps the last value, a child without text is skipped
    expect(parsed('<T><V><A>1</A><A>2</A><B></B><C><![CDATA[]]></C><E><F>1</F></E></V></T>')).toEqual([{ name: 'V', vector: [['A', '2'], ['C', '']] }]);
  });

  it('refuses malformed XML with oned\'s text, and treats a leading blank as text form', () => {
    expect(errorOf('<TEMPLATE><A>1</B></TEMPLATE>')).toBe('Parse error: XML Template malformed.');
    expect(errorOf(' <TEMPLATE/>')).toMatch(/^Parse error: syntax error/);
  });
});

describe('over XML-RPC', () => {
  let sim: Simulator;
  afterEach(async () => sim?.close());

  it('stores hostile values from either form and returns them sorted, in CDATA', async () => {
    sim = await startSimulator();
    const id = sim.addImage({ name: 'n' });
    const hostile = { Q: 'say "hi"', NL: 'a\nb', BR: ']', LT: '<tag>', AMP: 'a & b', U: 'ñ ☃ 𝄞', BS: 'back\\slash' };
    const xmlForm = `<TEMPLATE>${Object.entries(hostile)
      .map(([k, v]) => `<${k}>${v.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</${k}>`)
      .join('')}</TEMPLATE>`;
    ok(await admin(sim.url, 'one.image.update', i(id), s(xmlForm), i(0)));
    const back = ok(await admin(sim.url, 'one.image.info', i(id))) as string;
    expect(back).toContain('<TEMPLATE><AMP><![CDATA[a & b]]></AMP><BR><![CDATA[]]]></BR><BS>');
    expect(parseDoc(back).IMAGE[0].TEMPLATE).toEqual(hostile);
    ok(await admin(sim.url, 'one.image.update', i(id), s('T = "tab\tand \\"quote\\""'), i(1)));
    expect(sim.image(id)?.template.T).toBe('tab\tand "quote"');
  });

  it('writes "]]>" into an unsplit CDATA section, as oned does (the answer is then not well-formed)', async () => {
    sim = await startSimulator({ version: '5.8' });
    const id = sim.addImage({ name: 'n' });
    ok(await admin(sim.url, 'one.image.update', i(id), s('<TEMPLATE><X>a]]&gt;b</X></TEMPLATE>'), i(1)));
    expect(ok(await admin(sim.url, 'one.image.info', i(id)))).toContain('<X><![CDATA[a]]>b]]></X>');
    const refused = await admin(sim.url, 'one.image.update', i(id), s('X = "a]]>b"'), i(1));
    expect(refused.items[1].v).toBe('[one.image.update] Cannot update template. Parse error.');
  });
});
