// Reading XML-RPC method calls with fast-xml-parser (independent of our own scanner), to compare
// what our client sends with what the Ruby client sent in the recordings.

import { XMLParser } from 'fast-xml-parser';

export interface WireParam {
  readonly type: string;
  readonly value: string;
}

export interface WireCall {
  readonly method: string;
  readonly params: WireParam[];
}

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: false,
  processEntities: true,
  htmlEntities: false,
  isArray: (_name, jpath) => jpath === 'methodCall.params.param',
});

/** Method name and typed parameters of a <methodCall>; <int> is reported as i4, its alias. */
export function readMethodCall(xml: string): WireCall {
  const doc = parser.parse(xml) as { methodCall: { methodName: string; params?: { param?: { value: unknown }[] } | '' } };
  const params = (doc.methodCall.params && doc.methodCall.params.param) || [];
  return {
    method: doc.methodCall.methodName,
    params: params.map(({ value }) => {
      if (typeof value === 'string') return { type: 'string', value };
      const [type] = Object.keys(value as object);
      const v = (value as Record<string, unknown>)[type];
      return { type: type === 'int' ? 'i4' : type, value: typeof v === 'string' ? v : '' };
    }),
  };
}

/** Attributes of a template in oned's text form (KEY = "value" lines), as the Ruby client sent them. */
export function readTextTemplate(text: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (const m of text.matchAll(/^([A-Z0-9_]+)\s*=\s*"((?:[^"\\]|\\.)*)"\s*$/gm)) attrs[m[1]] = m[2].replace(/\\(.)/g, '$1');
  return attrs;
}

/** Attributes of a template in oned's XML form, as we send it (read with fast-xml-parser). */
export function readXmlTemplate(xml: string): Record<string, string> {
  const doc = new XMLParser({ parseTagValue: false, trimValues: false, processEntities: true, htmlEntities: false }).parse(xml) as {
    TEMPLATE: Record<string, string> | '';
  };
  return doc.TEMPLATE === '' ? {} : doc.TEMPLATE;
}
