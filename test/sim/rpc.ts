// A tiny raw XML-RPC client for the simulator's own tests (deliberately not the project's client):
// builds the POST body by hand and decodes answers with fast-xml-parser, keeping value types.
import * as http from 'http';
import * as https from 'https';
import { XMLParser } from 'fast-xml-parser';

export type Arg = { s: string } | { i: number } | { b: boolean } | { raw: string };
/** Argument builders: <string>, <i4>, <boolean>. */
export const s = (v: string): Arg => ({ s: v });
export const i = (v: number): Arg => ({ i: v });
export const b = (v: boolean): Arg => ({ b: v });

const esc = (v: string): string => v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');

function argXml(a: Arg): string {
  if ('s' in a) return `<value><string>${esc(a.s)}</string></value>`;
  if ('i' in a) return `<value><i4>${a.i}</i4></value>`;
  if ('b' in a) return `<value><boolean>${a.b ? 1 : 0}</boolean></value>`;
  return a.raw;
}

/** A <methodCall> body. */
export function callBody(method: string, args: Arg[]): string {
  return `<?xml version="1.0"?><methodCall><methodName>${method}</methodName><params>${args.map((a) => `<param>${argXml(a)}</param>`).join('')}</params></methodCall>`;
}

export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** POSTs raw bytes; rejects when the connection fails or is dropped. */
export function post(url: string, body: string, path = '/RPC2'): Promise<HttpAnswer> {
  const u = new URL(url);
  const mod = u.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(
      { host: u.hostname, port: u.port, path, method: 'POST', headers: { 'Content-Type': 'text/xml' }, rejectUnauthorized: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export type Typed = { t: string; v: unknown };
type Node = Record<string, unknown>;

const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: false, preserveOrder: true, htmlEntities: true });
const tagOf = (n: Node): string => Object.keys(n).find((k) => k !== ':@') as string;
const kids = (n: Node): Node[] => (n[tagOf(n)] as Node[]) || [];
const elems = (ns: Node[]): Node[] => ns.filter((n) => tagOf(n) !== '#text');
const text = (ns: Node[]): string => ns.filter((n) => tagOf(n) === '#text').map((n) => String(n['#text'])).join('');

function decodeValue(valueNode: Node): Typed {
  const [inner] = elems(kids(valueNode));
  if (!inner) return { t: 'string', v: text(kids(valueNode)) };
  const t = tagOf(inner);
  const content = kids(inner);
  if (t === 'array') return { t, v: elems(kids(elems(content)[0])).map(decodeValue) };
  if (t === 'struct') {
    const out: Record<string, Typed> = {};
    for (const m of elems(content)) {
      const [n, v] = elems(kids(m));
      out[text(kids(n))] = decodeValue(v);
    }
    return { t, v: out };
  }
  if (t === 'i4' || t === 'int' || t === 'i8') return { t, v: Number(text(content)) };
  if (t === 'boolean') return { t, v: text(content) === '1' };
  return { t, v: text(content) };
}

export interface Answer {
  http: HttpAnswer;
  /** The typed items of the answer's array (success or failure). */
  items: Typed[];
  fault?: { code: number; message: string };
}

/** Decodes a <methodResponse>. */
export function decode(h: HttpAnswer): Answer {
  const doc = parser.parse(h.body) as Node[];
  const resp = doc.find((n) => tagOf(n) === 'methodResponse');
  if (!resp) throw new Error(`not a methodResponse: ${h.body.slice(0, 200)}`);
  const [first] = elems(kids(resp));
  if (tagOf(first) === 'fault') {
    const st = decodeValue(elems(kids(first))[0]).v as Record<string, Typed>;
    return { http: h, items: [], fault: { code: st.faultCode.v as number, message: st.faultString.v as string } };
  }
  const param = elems(kids(first))[0];
  const top = decodeValue(elems(kids(param))[0]);
  return { http: h, items: top.v as Typed[] };
}

/** Calls a method and decodes the answer. */
export async function call(url: string, method: string, ...args: Arg[]): Promise<Answer> {
  return decode(await post(url, callBody(method, args)));
}

/** Calls as oneadmin:opennebula. */
export function admin(url: string, method: string, ...args: Arg[]): Promise<Answer> {
  return call(url, method, s('oneadmin:opennebula'), ...args);
}

/** The [true, value, 0] payload, or a thrown Error with the failure text. */
export function ok(a: Answer): unknown {
  if (a.fault) throw new Error(`fault ${a.fault.code}: ${a.fault.message}`);
  if (a.items[0].v !== true) throw new Error(`failure ${String(a.items[2].v)}: ${String(a.items[1].v)}`);
  return a.items[1].v;
}

const docParser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: false,
  isArray: (name) => ['IMAGE', 'ID', 'DATASTORE', 'USER', 'GROUP', 'QUOTAS'].includes(name),
});

/** Parses an XML document returned inside an answer (IMAGE, IMAGE_POOL, ...). */
export function parseDoc(xml: string): Record<string, any> {
  return docParser.parse(xml);
}
