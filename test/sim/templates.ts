// oned templates: parsing both accepted forms (text and XML), merge/replace, and the XML oned
// writes back (children sorted by name, every value in a plain CDATA section).
import { parseTextTemplate } from './template-text';
import { childElements, isElement, parseXml, XmlElement } from './xml-lite';

export type TemplateAttr = { name: string; value: string } | { name: string; vector: Array<[string, string]> };
export type Template = TemplateAttr[];
export type ParseResult = { ok: true; template: Template } | { ok: false; error: string };

export interface ParseFlavour {
  /** 5.8 and 6.10 scanners refuse a value line holding "]]>"; 5.2's did not. */
  ccdata: boolean;
  /** bison/oned wording of the error location: "column" (5.x) or "columns" (6.x). */
  columnsWord: string;
  /**
   * A template not in replace mode (VirtualMachineTemplate): attributes of one name are all kept
   * (two DISKs); an image's template (replace mode) keeps only the last.
   */
  multi?: boolean;
}

/** oned's Attribute constructor: upper-case, and ATT_ in front of names not starting with a letter or with "XML". */
export function attributeName(raw: string): string {
  const upper = raw.toUpperCase();
  return upper.length > 0 && (!/^[A-Za-z]/.test(raw) || raw.startsWith('XML')) ? `ATT_${upper}` : upper;
}

/** Adds an attribute in oned's "replace mode": an attribute with the same name is dropped first. */
export function setAttr(t: Template, attr: TemplateAttr): Template {
  const name = attributeName(attr.name);
  return [...t.filter((a) => a.name !== name), { ...attr, name }];
}

/** Adds an attribute as Template::set does: replace mode drops the same name first, else it is appended. */
function addAttr(t: Template, attr: TemplateAttr, multi: boolean): Template {
  return multi ? [...t, { ...attr, name: attributeName(attr.name) }] : setAttr(t, attr);
}

/** Template::parse_str_or_xml: XML when the very first character is '<', text otherwise. */
export function parseTemplate(src: string, flavour: ParseFlavour): ParseResult {
  const multi = flavour.multi === true;
  if (src[0] === '<') {
    try {
      return { ok: true, template: fromXml(parseXml(src), multi) };
    } catch {
      return { ok: false, error: 'Parse error: XML Template malformed.' };
    }
  }
  const parsed = parseTextTemplate(src, flavour);
  if (!parsed.ok) return { ok: false, error: parsed.message === null ? 'Parse error.' : `Parse error: ${parsed.message}` };
  return { ok: true, template: parsed.attrs.reduce<Template>((t, a) => addAttr(t, a, multi), []) };
}

// Template::rebuild_attributes. single_xml_att: exactly one text/CDATA child (<A><![CDATA[]]></A> is
// ''). vector_xml_att: at least one element child; each child whose first child is text/CDATA gives a
// value (a repeated name: the last, VectorAttribute::replace), others are skipped. An element with no
// child at all (<A></A>, <A/>) is neither and is dropped.
function fromXml(root: XmlElement, multi: boolean): Template {
  let t: Template = [];
  for (const el of childElements(root)) {
    const only = el.children.length === 1 ? el.children[0] : undefined;
    if (only && !isElement(only)) {
      t = addAttr(t, { name: el.name, value: only.text }, multi);
      continue;
    }
    if (!el.children.some(isElement)) continue;
    let vector: Array<[string, string]> = [];
    for (const sub of childElements(el)) {
      const c = sub.children[0];
      if (!c || isElement(c)) continue;
      const key = sub.name.toUpperCase();
      vector = [...vector.filter(([k]) => k !== key), [key, c.text]];
    }
    t = addAttr(t, { name: el.name, vector }, multi);
  }
  return t;
}

/**
 * What survives oned's storage: an empty vector is written <V></V>, which reads back as nothing
 * (every object is reloaded from its XML body), so it never shows in an answer.
 */
export function storable(t: Template): Template {
  return t.filter((a) => 'value' in a || a.vector.length > 0);
}

/**
 * Template::merge: every attribute named in `add` replaces all of that name in `base` (all DISKs
 * when one DISK is sent); an empty vector (`DISK = []`) only erases.
 */
export function mergeTemplates(base: Template, add: Template): Template {
  const names = new Set(add.map((a) => a.name));
  return [...base.filter((a) => !names.has(a.name)), ...add.filter((a) => 'value' in a || a.vector.length > 0)];
}

/** The single-valued attribute of that name, if any. */
export function getAttr(t: Template, name: string): string | undefined {
  const a = t.find((x) => x.name === name && 'value' in x);
  return a && 'value' in a ? a.value : undefined;
}

/** Removes every attribute of that name. */
export function eraseAttr(t: Template, name: string): Template {
  return t.filter((a) => a.name !== name);
}

/** Single-valued attributes as a record (vector attributes left out). */
export function singles(t: Template): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of t) if ('value' in a) out[a.name] = a.value;
  return out;
}

// one_util::escape_xml: a bare CDATA wrapper, "]]>" inside a value is not split (as in oned).
const cdata = (v: string): string => `<![CDATA[${v}]]>`;

/** The attributes in std::multimap order: by name, equal names in insertion order. */
export function sortedAttrs(t: Template): Template {
  return t
    .map((a, i) => ({ a, i }))
    .sort((x, y) => (x.a.name < y.a.name ? -1 : x.a.name > y.a.name ? 1 : x.i - y.i))
    .map(({ a }) => a);
}

/** The XML oned writes for a template, children sorted by name (std::multimap order). */
export function templateXml(t: Template, root = 'TEMPLATE'): string {
  const body = sortedAttrs(t)
    .map((a) => {
      if ('value' in a) return `<${a.name}>${cdata(a.value)}</${a.name}>`;
      const inner = [...a.vector]
        .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
        .map(([k, v]) => `<${k}>${cdata(v)}</${k}>`)
        .join('');
      return `<${a.name}>${inner}</${a.name}>`;
    })
    .join('');
  return `<${root}>${body}</${root}>`;
}

/** A template from a plain record (set-up helpers). */
export function fromRecord(rec: Record<string, string>): Template {
  return Object.keys(rec).reduce<Template>((t, k) => setAttr(t, { name: k, value: rec[k] }), []);
}
