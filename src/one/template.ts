// Renders template attributes in oned's XML template form, for one.image.allocate and one.image.update.
//
// oned parses a template string that starts with '<' as XML (Template::parse_str_or_xml) and keeps an
// element as a single attribute only when it has exactly one text or CDATA child
// (Template::single_xml_att). Hence:
// - values are entity-escaped (&, <, >); libxml2 merges the references into one text node;
// - an empty value is written <KEY><![CDATA[]]></KEY>, the form oned itself writes and reads back
//   from its database: an empty <KEY></KEY> has no child and oned would drop the attribute;
// - oned writes every value back inside <![CDATA[...]]>: a value holding "]]>" would end that
//   section early and make every later answer about the image unparsable, so "]]>" becomes "]] >";
// - XML 1.0 cannot carry control characters other than tab, newline and carriage return, nor
//   U+FFFE/U+FFFF or unpaired surrogates, not even as references: they are removed;
// - a carriage return cannot survive either: oned writes it raw inside CDATA and every XML parser,
//   oned's own when it reloads the image, turns CR LF and lone CR into LF. We do that here, visibly.
// Each change is reported as a warning naming the attribute; tabs, newlines, quotes, backslashes,
// leading and trailing spaces and non-ASCII text are sent exactly.

import { InvalidEventError } from '../errors';
import type { TemplateAttrs, TemplateNode } from './types';

const VALID_NAME = /^[A-Z_][A-Z0-9_]*$/;
// eslint-disable-next-line no-control-regex
const SUSPECT = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/;

// Drops what XML 1.0 cannot carry; surrogate pairs (emoji, ...) are kept, unpaired halves dropped.
function stripNonXml(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = value.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        out += value[i] + value[i + 1];
        i++;
      }
    } else if (!((c < 0x20 && c !== 9 && c !== 10 && c !== 13) || (c >= 0xdc00 && c <= 0xdfff) || c === 0xfffe || c === 0xffff)) {
      out += value[i];
    }
  }
  return out;
}

/** Tells what is wrong with a template attribute name, or undefined when oned accepts it as we write it. */
export function attributeNameProblem(name: string): string | undefined {
  if (VALID_NAME.test(name)) return undefined;
  return `invalid template attribute name ${JSON.stringify(name)}: expected upper-case letters, digits and _, not starting with a digit`;
}

function escapeText(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Makes a value safe for oned's XML round trip; returns the value and what had to change. */
export function neutralizeValue(name: string, value: string): { value: string; warnings: string[] } {
  const warnings: string[] = [];
  let v = value;
  if (v.indexOf('\r') >= 0) {
    v = v.replace(/\r\n?/g, '\n');
    warnings.push(`${name}: carriage returns replaced by newlines (XML turns them into newlines anyway)`);
  }
  if (SUSPECT.test(v) && stripNonXml(v) !== v) {
    v = stripNonXml(v);
    warnings.push(`${name}: control characters (other than tab and newline) removed: XML cannot carry them`);
  }
  if (v.indexOf(']]>') >= 0) {
    v = v.split(']]>').join(']] >');
    warnings.push(`${name}: "]]>" written as "]] >": oned wraps values in CDATA and "]]>" would end it early`);
  }
  return { value: v, warnings };
}

/**
 * Renders `<TEMPLATE><KEY>value</KEY>…</TEMPLATE>` in the attributes' order.
 * Throws InvalidEventError naming the first invalid attribute name.
 */
export function renderTemplate(attrs: TemplateAttrs): { xml: string; warnings: string[] } {
  const warnings: string[] = [];
  const parts: string[] = ['<TEMPLATE>'];
  for (const name of Object.keys(attrs)) {
    const problem = attributeNameProblem(name);
    if (problem) throw new InvalidEventError(problem);
    const safe = neutralizeValue(name, attrs[name]);
    warnings.push(...safe.warnings);
    const body = safe.value === '' ? '<![CDATA[]]>' : escapeText(safe.value);
    parts.push(`<${name}>${body}</${name}>`);
  }
  parts.push('</TEMPLATE>');
  return { xml: parts.join(''), warnings };
}

/**
 * Renders template nodes, vectors as nested elements (`<DISK><IMAGE_ID>5</IMAGE_ID></DISK>`), for
 * one.template.allocate and one.template.update. Values go through the same changes as above.
 */
export function renderTemplateNodes(nodes: readonly TemplateNode[]): { xml: string; warnings: string[] } {
  const warnings: string[] = [];
  const parts: string[] = ['<TEMPLATE>'];
  const leaf = (name: string, value: string) => {
    const problem = attributeNameProblem(name);
    if (problem) throw new InvalidEventError(problem);
    const safe = neutralizeValue(name, value);
    warnings.push(...safe.warnings);
    return `<${name}>${safe.value === '' ? '<![CDATA[]]>' : escapeText(safe.value)}</${name}>`;
  };
  for (const node of nodes) {
    if ('value' in node) {
      parts.push(leaf(node.name, node.value));
      continue;
    }
    const problem = attributeNameProblem(node.name);
    if (problem) throw new InvalidEventError(problem);
    parts.push(`<${node.name}>`);
    for (const sub of Object.keys(node.vector)) parts.push(leaf(sub, node.vector[sub]));
    parts.push(`</${node.name}>`);
  }
  parts.push('</TEMPLATE>');
  return { xml: parts.join(''), warnings };
}
