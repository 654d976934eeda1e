// XML-RPC on the wire as xmlrpc-c (oned's library) speaks it: request decoding with types kept,
// and byte-exact response, failure and fault serialisation (CRLF, escaping, <i8>).
import { childElements, parseXml, textOf, XmlElement, XmlSyntaxError } from './xml-lite';

export type RpcType = 'int' | 'i8' | 'boolean' | 'string' | 'double' | 'base64' | 'datetime' | 'nil' | 'array' | 'struct';
export interface RpcParam {
  readonly type: RpcType;
  readonly value: unknown;
}
export interface RpcCall {
  readonly method: string;
  readonly params: RpcParam[];
}

/** An XML-RPC <fault>: xmlrpc-c's own error codes (-501 type error, -503 parse error, -506 no such method). */
export class RpcFault extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

const PROLOGUE = '<?xml version="1.0" encoding="UTF-8"?>\r\n';

/** Decodes a <methodCall> body; throws RpcFault(-503) when it is not one. */
export function parseCall(body: string): RpcCall {
  try {
    const root = parseXml(body);
    if (root.name !== 'methodCall') throw new XmlSyntaxError(`root element is <${root.name}>`);
    const nameEl = childElements(root).find((e) => e.name === 'methodName');
    if (!nameEl) throw new XmlSyntaxError('no <methodName>');
    const paramsEl = childElements(root).find((e) => e.name === 'params');
    const params = paramsEl
      ? childElements(paramsEl).map((p) => {
          const v = childElements(p)[0];
          if (p.name !== 'param' || !v || v.name !== 'value') throw new XmlSyntaxError('malformed <param>');
          return decodeValue(v);
        })
      : [];
    return { method: textOf(nameEl).trim(), params };
  } catch (err) {
    if (err instanceof RpcFault) throw err;
    throw new RpcFault(-503, `Call XML not a proper XML-RPC call.  ${(err as Error).message}`);
  }
}

function decodeValue(valueEl: XmlElement): RpcParam {
  const inner = childElements(valueEl)[0];
  if (!inner) return { type: 'string', value: textOf(valueEl) };
  const text = textOf(inner);
  switch (inner.name) {
    case 'int':
    case 'i4':
      return { type: 'int', value: integer(text, 2 ** 31) };
    case 'i8':
      return { type: 'i8', value: integer(text, 2 ** 63) };
    case 'boolean':
      if (text.trim() !== '0' && text.trim() !== '1') throw new XmlSyntaxError(`bad boolean "${text}"`);
      return { type: 'boolean', value: text.trim() === '1' };
    case 'string':
      return { type: 'string', value: text };
    case 'double':
      return { type: 'double', value: Number(text) };
    case 'base64':
      return { type: 'base64', value: Buffer.from(text.replace(/\s+/g, ''), 'base64') };
    case 'dateTime.iso8601':
      return { type: 'datetime', value: text.trim() };
    case 'nil':
      return { type: 'nil', value: null };
    case 'array': {
      const data = childElements(inner).find((e) => e.name === 'data');
      return { type: 'array', value: data ? childElements(data).map(decodeValue) : [] };
    }
    case 'struct':
      return {
        type: 'struct',
        value: childElements(inner).map((m) => {
          const [n, v] = childElements(m);
          if (!n || !v) throw new XmlSyntaxError('malformed <member>');
          return [textOf(n), decodeValue(v)] as const;
        }),
      };
    default:
      throw new XmlSyntaxError(`unknown value type <${inner.name}>`);
  }
}

function integer(text: string, limit: number): number {
  const t = text.trim();
  if (!/^[+-]?\d+$/.test(t)) throw new XmlSyntaxError(`bad integer "${text}"`);
  const n = Number(t);
  if (n >= limit || n < -limit) throw new XmlSyntaxError(`integer out of range "${text}"`);
  return n;
}

/** A decoded parameter as plain JavaScript (what the calls log shows). */
export function plain(p: RpcParam): unknown {
  if (p.type === 'array') return (p.value as RpcParam[]).map(plain);
  if (p.type === 'struct') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of p.value as Array<[string, RpcParam]>) out[k] = plain(v);
    return out;
  }
  return p.value;
}

export type Out =
  | { t: 'i4' | 'i8'; v: number }
  | { t: 'boolean'; v: boolean }
  | { t: 'string'; v: string }
  | { t: 'array'; v: Out[] }
  | { t: 'struct'; v: Array<[string, Out]> };

/** Typed answer values: <i4>, <i8>, <boolean>, <string>. */
export const i4 = (v: number): Out => ({ t: 'i4', v });
export const i8 = (v: number): Out => ({ t: 'i8', v });
export const bool = (v: boolean): Out => ({ t: 'boolean', v });
export const str = (v: string): Out => ({ t: 'string', v });

/** xmlrpc-c's escaping of string data: only <, >, & and CR are replaced. */
export function escapeText(s: string): string {
  return s.replace(/[<>&\r]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '\r': '&#x0d;' })[c] as string);
}

function value(o: Out): string {
  switch (o.t) {
    case 'i4':
    case 'i8':
      return `<value><${o.t}>${o.v}</${o.t}></value>`;
    case 'boolean':
      return `<value><boolean>${o.v ? 1 : 0}</boolean></value>`;
    case 'string':
      return `<value><string>${escapeText(o.v)}</string></value>`;
    case 'array':
      return `<value><array><data>\r\n${o.v.map((x) => `${value(x)}\r\n`).join('')}</data></array></value>`;
    case 'struct':
      return `<value><struct>\r\n${o.v
        .map(([k, x]) => `<member><name>${escapeText(k)}</name>\r\n${value(x)}</member>\r\n`)
        .join('')}</struct></value>`;
  }
}

/** A successful <methodResponse> carrying one value. */
export function responseXml(o: Out): string {
  return `${PROLOGUE}<methodResponse>\r\n<params>\r\n<param>${value(o)}</param>\r\n</params>\r\n</methodResponse>\r\n`;
}

/** A <fault> response, member order faultCode then faultString as xmlrpc-c builds it. */
export function faultXml(code: number, message: string): string {
  const struct: Out = { t: 'struct', v: [['faultCode', i4(code)], ['faultString', str(message)]] };
  return `${PROLOGUE}<methodResponse>\r\n<fault>\r\n${value(struct)}\r\n</fault>\r\n</methodResponse>\r\n`;
}
