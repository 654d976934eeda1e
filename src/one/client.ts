// The OneApi over oned's XML-RPC interface: one method, one call; answers parsed into typed records.

import CustomType from 'xmlrpc/lib/customtype';
import { CredentialsOrigin, OneError, OneTransportError } from '../errors';
import type { TextSink } from './answer-reader';
import { expectInt, expectReadText, expectString, unwrapAnswer } from './envelope';
import { parseOnedConfig } from './parse-config';
import { parseDatastore, parseDatastorePool } from './parse-datastore';
import { imagePoolReader, parseImage } from './parse-image';
import { parseGroupPool, parseUser, parseUserPool } from './parse-user';
import { redactSession } from './redact';
import { renderTemplate, renderTemplateNodes } from './template';
import { parseVmTemplate, parseVmTemplatePool } from './parse-vm-template';
import { httpsOptions, readTrustedCerts } from './tls';
import { createTransport } from './transport';
import type { Bit, ImageRecord, OneApi, TemplateAttrs, TemplateNode } from './types';

export interface OneClientOptions {
  readonly endpoint: string;
  /** user:password; the first parameter of every call, never shown anywhere. */
  readonly session: string;
  /** Per call, from sending the request to the last byte of the answer. Default 60 000. */
  readonly timeoutMs?: number;
  /** Answers larger than this are refused. Default 128 MiB (oned sends ~5 KB per image). */
  readonly maxResponseBytes?: number;
  /** Extra trusted CAs for https: a PEM file, and/or a directory whose files hold PEMs. */
  readonly caFile?: string;
  readonly caDir?: string;
  /** Skip certificate verification (https). */
  readonly insecure?: boolean;
  /** After every call, for logs and benchmarks: ok is false for failures of any kind. */
  readonly onCall?: (method: string, ms: number, ok: boolean) => void;
  /** Where the endpoint came from (VMCHNDL_ON_ENDPOINT, $ONE_XMLRPC, a file): a wrong scheme names it. */
  readonly endpointSource?: string;
  /** Whose session this is and where it came from: an AUTHENTICATION failure names them. */
  readonly credentials?: CredentialsOrigin;
  /** Template values we had to change before sending (see template.ts). */
  readonly onWarning?: (message: string) => void;
}

export const DEFAULT_TIMEOUT_MS = 60000;
export const DEFAULT_MAX_RESPONSE_BYTES = 128 * 1024 * 1024;

// oned declares its integer parameters as i4; the xmlrpc package would write <int>, an alias.
function i4(n: number, what: string): CustomType {
  if (!Number.isInteger(n) || n < -2147483648 || n > 2147483647) throw new RangeError(`${what} must be a 32-bit integer, got ${n}`);
  const v = new CustomType(String(n));
  v.tagName = 'i4';
  return v;
}

// Strings go out entity-escaped: the xmlrpc package would wrap any string holding '<' or '&' in
// CDATA, and xmlbuilder 8.2.2 splits only the first "]]>" of it (XMLStringifier.cdata), so a
// template with two empty values (<![CDATA[]]>) would reach oned broken.
function str(s: string): CustomType {
  const v = new CustomType(s);
  v.tagName = 'string';
  return v;
}

/** Creates the client; reads CA files now, so a wrong path fails at start (InvalidConfigError). */
export function createOneClient(opts: OneClientOptions): OneApi {
  const certs = opts.insecure ? [] : readTrustedCerts(opts.caFile, opts.caDir);
  const send = createTransport({
    endpoint: opts.endpoint,
    session: opts.session,
    timeoutMs: opts.timeoutMs !== undefined ? opts.timeoutMs : DEFAULT_TIMEOUT_MS,
    maxResponseBytes: opts.maxResponseBytes !== undefined ? opts.maxResponseBytes : DEFAULT_MAX_RESPONSE_BYTES,
    tls: httpsOptions(certs, !!opts.insecure),
    endpointSource: opts.endpointSource,
  });
  const clean = (text: string) => redactSession(text, opts.session);

  /** `text` reads a string result as it arrives (answer-reader.ts); convert then gets a ReadText. */
  async function call<T>(method: string, params: unknown[], convert: (value: unknown) => T, text?: TextSink<unknown>): Promise<T> {
    const started = Date.now();
    let ok = false;
    try {
      const value = unwrapAnswer(method, await send(method, [str(opts.session), ...params], text), clean);
      let result: T;
      try {
        result = convert(value);
      } catch (err) {
        if (err instanceof OneTransportError) throw err;
        throw new OneTransportError(method, 'malformed', clean((err as Error).message), err);
      }
      ok = true;
      return result;
    } catch (err) {
      if (err instanceof OneError && err.oneClass === 'AUTHENTICATION' && opts.credentials) {
        throw new OneError(method, err.oneCode, err.oneMessage, { objectId: err.objectId, credentials: opts.credentials });
      }
      throw err;
    } finally {
      try {
        if (opts.onCall) opts.onCall(method, Date.now() - started, ok);
      } catch {
        // A failing log callback must not turn a done call into a failed one.
      }
    }
  }

  const xml = (method: string) => (v: unknown) => expectString(method, v);
  const id = (method: string) => (v: unknown) => expectInt(method, v);
  const none = () => undefined;
  const template = (attrs: TemplateAttrs) => {
    const rendered = renderTemplate(attrs);
    if (opts.onWarning) rendered.warnings.forEach(opts.onWarning);
    return str(rendered.xml);
  };

  const nodes = (list: readonly TemplateNode[]) => {
    const rendered = renderTemplateNodes(list);
    if (opts.onWarning) rendered.warnings.forEach(opts.onWarning);
    return str(rendered.xml);
  };
  const bits9 = (bits: readonly (Bit | -1)[]) => {
    if (bits.length !== 9 || bits.some((b) => b !== -1 && b !== 0 && b !== 1)) {
      throw new RangeError(`chmod takes 9 values of -1, 0 or 1, got [${bits.join(',')}]`);
    }
    return bits.map((b: Bit | -1) => i4(b, 'permission'));
  };

  return {
    systemVersion: async () => call('one.system.version', [], xml('one.system.version')),
    systemConfig: async () => call('one.system.config', [], (v) => parseOnedConfig(expectString('one.system.config', v))),
    // The biggest answer by far: its images are read as it arrives, never held whole.
    imagePool: async () =>
      call('one.imagepool.info', [i4(-2, 'filter'), i4(-1, 'start'), i4(-1, 'end')], (v) => expectReadText<ImageRecord[]>('one.imagepool.info', v), imagePoolReader()),
    imageInfo: async (imageId) => call('one.image.info', [i4(imageId, 'image id')], (v) => parseImage(expectString('one.image.info', v))),
    imageAllocate: async (attrs, datastoreId) =>
      call('one.image.allocate', [template(attrs), i4(datastoreId, 'datastore id')], id('one.image.allocate')),
    imageChown: async (imageId, uid, gid) => call('one.image.chown', [i4(imageId, 'image id'), i4(uid, 'uid'), i4(gid, 'gid')], none),
    imageChmod: async (imageId, bits) => {
      if (bits.length !== 9 || bits.some((b) => b !== -1 && b !== 0 && b !== 1)) {
        throw new RangeError(`chmod takes 9 values of -1, 0 or 1, got [${bits.join(',')}]`);
      }
      return call('one.image.chmod', [i4(imageId, 'image id'), ...bits.map((b: Bit | -1) => i4(b, 'permission'))], none);
    },
    imageRename: async (imageId, name) => call('one.image.rename', [i4(imageId, 'image id'), str(name)], none),
    imageEnable: async (imageId, enable) => call('one.image.enable', [i4(imageId, 'image id'), enable], none),
    imageDelete: async (imageId, force) => call('one.image.delete', force ? [i4(imageId, 'image id'), true] : [i4(imageId, 'image id')], none),
    imageUpdate: async (imageId, attrs, merge) =>
      call('one.image.update', [i4(imageId, 'image id'), template(attrs), i4(merge ? 1 : 0, 'merge')], none),
    templatePool: async () =>
      call('one.templatepool.info', [i4(-2, 'filter'), i4(-1, 'start'), i4(-1, 'end')], (v) => parseVmTemplatePool(expectString('one.templatepool.info', v))),
    // extended = false: the template as stored, not with its images' attributes merged in.
    templateInfo: async (tid) => call('one.template.info', [i4(tid, 'template id'), false], (v) => parseVmTemplate(expectString('one.template.info', v))),
    templateAllocate: async (list) => call('one.template.allocate', [nodes(list)], id('one.template.allocate')),
    templateUpdate: async (tid, list, merge) => call('one.template.update', [i4(tid, 'template id'), nodes(list), i4(merge ? 1 : 0, 'merge')], none),
    templateChown: async (tid, uid, gid) => call('one.template.chown', [i4(tid, 'template id'), i4(uid, 'uid'), i4(gid, 'gid')], none),
    templateChmod: async (tid, bits) => call('one.template.chmod', [i4(tid, 'template id'), ...bits9(bits)], none),
    templateRename: async (tid, name) => call('one.template.rename', [i4(tid, 'template id'), str(name)], none),
    // recursive = false, always: deleting a template must never delete the images its disks use.
    templateDelete: async (tid) => call('one.template.delete', [i4(tid, 'template id'), false], none),
    datastorePool: async () => call('one.datastorepool.info', [], (v) => parseDatastorePool(expectString('one.datastorepool.info', v))),
    datastoreInfo: async (dsId) => call('one.datastore.info', [i4(dsId, 'datastore id')], (v) => parseDatastore(expectString('one.datastore.info', v))),
    userPool: async () => call('one.userpool.info', [], (v) => parseUserPool(expectString('one.userpool.info', v))),
    groupPool: async () => call('one.grouppool.info', [], (v) => parseGroupPool(expectString('one.grouppool.info', v))),
    userInfo: async (userId) => call('one.user.info', [i4(userId, 'user id')], (v) => parseUser(expectString('one.user.info', v))),
  };
}
