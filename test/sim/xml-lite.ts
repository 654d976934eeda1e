// A small strict XML reader (elements, text, CDATA, entities): enough for XML-RPC calls and
// oned's XML-form templates, and written here so the simulator controls exactly what it accepts.

export interface XmlElement {
  readonly name: string;
  readonly children: XmlNode[];
}
export interface XmlText {
  readonly text: string;
  readonly cdata: boolean;
}
export type XmlNode = XmlElement | XmlText;

export class XmlSyntaxError extends Error {}

const NAME = /[A-Za-z_:\u00c0-\uffff][-A-Za-z0-9_:.\u00b7\u00c0-\uffff]*/y;
const NAMED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Whether a node is an element. */
export function isElement(node: XmlNode): node is XmlElement {
  return (node as XmlElement).name !== undefined;
}

/** The element children of an element, in order. */
export function childElements(el: XmlElement): XmlElement[] {
  return el.children.filter(isElement);
}

/** The concatenated text (and CDATA) directly inside an element. */
export function textOf(el: XmlElement): string {
  return el.children.map((c) => (isElement(c) ? '' : c.text)).join('');
}

/** Replaces the five named entities and numeric character references; throws on anything else. */
export function decodeEntities(raw: string): string {
  return raw.replace(/&([^;&\s]*);?/g, (whole, ref: string) => {
    if (!whole.endsWith(';')) throw new XmlSyntaxError(`bare '&' in text near "${whole}"`);
    if (ref.startsWith('#x') || ref.startsWith('#X')) return fromCodePoint(parseInt(ref.slice(2), 16), whole);
    if (ref.startsWith('#')) return fromCodePoint(parseInt(ref.slice(1), 10), whole);
    const named = NAMED_ENTITIES[ref];
    if (named === undefined) throw new XmlSyntaxError(`unknown entity ${whole}`);
    return named;
  });
}

function fromCodePoint(cp: number, whole: string): string {
  if (!Number.isFinite(cp) || cp < 0 || cp > 0x10ffff) throw new XmlSyntaxError(`bad character reference ${whole}`);
  return String.fromCodePoint(cp);
}

/** Parses a whole document and returns its root element. */
export function parseXml(src: string): XmlElement {
  let i = 0;
  const fail = (msg: string): never => {
    throw new XmlSyntaxError(`${msg} at offset ${i}`);
  };
  const skipMisc = (): void => {
    for (;;) {
      while (i < src.length && /\s/.test(src[i])) i++;
      if (src.startsWith('<?', i)) {
        const end = src.indexOf('?>', i);
        if (end < 0) fail('unterminated processing instruction');
        i = end + 2;
      } else if (src.startsWith('<!--', i)) {
        const end = src.indexOf('-->', i);
        if (end < 0) fail('unterminated comment');
        i = end + 3;
      } else if (src.startsWith('<!', i) && !src.startsWith('<![CDATA[', i)) {
        fail('DOCTYPE and declarations are not accepted');
      } else return;
    }
  };
  const readName = (): string => {
    NAME.lastIndex = i;
    const m = NAME.exec(src);
    if (!m) return fail('expected a name');
    i += m[0].length;
    return m[0];
  };
  const parseElement = (): XmlElement => {
    if (src[i] !== '<') fail("expected '<'");
    i++;
    const name = readName();
    for (;;) {
      while (/\s/.test(src[i] || '')) i++;
      if (src.startsWith('/>', i)) {
        i += 2;
        return { name, children: [] };
      }
      if (src[i] === '>') {
        i++;
        break;
      }
      readName();
      while (/\s/.test(src[i] || '')) i++;
      if (src[i] !== '=') fail("expected '=' in attribute");
      i++;
      while (/\s/.test(src[i] || '')) i++;
      const q = src[i];
      if (q !== '"' && q !== "'") fail('expected a quoted attribute value');
      const end = src.indexOf(q, i + 1);
      if (end < 0) fail('unterminated attribute value');
      i = end + 1;
    }
    const children: XmlNode[] = [];
    for (;;) {
      if (i >= src.length) fail(`unterminated element <${name}>`);
      if (src.startsWith('</', i)) {
        i += 2;
        const closing = readName();
        if (closing !== name) fail(`</${closing}> closes <${name}>`);
        while (/\s/.test(src[i] || '')) i++;
        if (src[i] !== '>') fail("expected '>'");
        i++;
        return { name, children };
      }
      if (src.startsWith('<![CDATA[', i)) {
        const end = src.indexOf(']]>', i + 9);
        if (end < 0) fail('unterminated CDATA section');
        children.push({ text: src.slice(i + 9, end), cdata: true });
        i = end + 3;
      } else if (src.startsWith('<!--', i) || src.startsWith('<?', i)) {
        skipMisc();
      } else if (src[i] === '<') {
        children.push(parseElement());
      } else {
        const end = src.indexOf('<', i);
        const raw = src.slice(i, end < 0 ? src.length : end);
        if (raw.includes(']]>')) fail("']]>' is not allowed in text");
        children.push({ text: decodeEntities(raw), cdata: false });
        i += raw.length;
      }
    }
  };
  skipMisc();
  const root = parseElement();
  skipMisc();
  if (i < src.length) fail('content after the root element');
  return root;
}
