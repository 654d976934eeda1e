// One XML-RPC call over HTTP(S) with a deadline and a size limit. The xmlrpc package's Client has
// neither, so we make the request ourselves and use the package only to (de)serialise.

import * as http from 'http';
import * as https from 'https';
import type * as tls from 'tls';
import { PassThrough } from 'stream';
import { serializeMethodCall } from 'xmlrpc/lib/serializer';
import Deserializer from 'xmlrpc/lib/deserializer';
import { InvalidArgumentError, InvalidConfigError, OneError, OneTransportError } from '../errors';
import { AnswerError, AnswerReader, ReadText, TextSink, wholeText } from './answer-reader';
import { redactSession } from './redact';

export interface TransportOptions {
  readonly endpoint: string;
  /** Only used to keep it out of error messages. */
  readonly session: string;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
  /** For https endpoints. */
  readonly tls: tls.ConnectionOptions;
  /** Where the endpoint came from (VMCHNDL_ON_ENDPOINT, $ONE_XMLRPC, a file), for messages. */
  readonly endpointSource?: string;
}

/**
 * Sends one call and resolves with the deserialised answer; faults become OneError (fault: true).
 * With `text`, a string result is handed to it as it arrives, and the answer carries a ReadText of
 * what it made instead of the string.
 */
export type CallXmlRpc = (method: string, params: unknown[], text?: TextSink<unknown>) => Promise<unknown>;

const TLS_HINT = 'trust its CA with caFile / caDir (or $ONE_CERT_DIR), or set insecure to skip verification';

function describeNetworkError(err: NodeJS.ErrnoException): string {
  const code = err.code || '';
  if (code === 'ECONNREFUSED') return 'connection refused: is oned running and listening there?';
  if (code === 'ECONNRESET' || code === 'EPIPE') return 'the connection was dropped before the answer arrived';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `host not found (${code})`;
  if (/CERT|SELF_SIGNED|ALTNAME|UNABLE_TO_VERIFY/.test(code)) return `certificate not trusted: ${err.message} (${code}); ${TLS_HINT}`;
  return `${err.message}${code ? ` (${code})` : ''}`;
}

// OpenSSL's words for a TLS record that is no TLS (an https:// client talking to a plain HTTP server).
const PLAIN_HTTP_ANSWER = /wrong version number|packet length too long|http request|unknown protocol/i;
// A web server in front of oned telling a plain HTTP request off (nginx, Apache).
const TLS_PORT_ANSWER = /plain HTTP request was sent to HTTPS port|speaking plain HTTP to an SSL-enabled server/i;

/** The endpoint with the other scheme, for the fix. */
function otherScheme(url: URL): string {
  const u = new URL(url.href);
  u.protocol = url.protocol === 'https:' ? 'http:' : 'https:';
  u.username = '';
  u.password = '';
  return u.href;
}

/** A scheme that does not match the server: the setting's mistake (exit 3), said without OpenSSL's dump. */
function schemeMismatch(url: URL, source: string | undefined, serverSpeaks: 'plain HTTP' | 'TLS (https)'): InvalidConfigError {
  const from = source ? `${source} is ${url.protocol}//` : `the endpoint is ${url.protocol}//`;
  return new InvalidConfigError([`${from} but the server at ${url.host} answered in ${serverSpeaks}; use ${otherScheme(url)}`]);
}

/** Whether a TLS server answers at host:port: asked only after an http:// call was hung up on. */
async function speaksTls(host: string, port: number, timeoutMs: number): Promise<boolean> {
  const tlsModule = await import('tls');
  return new Promise((resolve) => {
    const socket = tlsModule.connect({ host, port, rejectUnauthorized: false });
    const done = (yes: boolean) => {
      socket.destroy();
      resolve(yes);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.on('secureConnect', () => done(true));
    socket.on('error', () => done(false));
  });
}

// How xmlrpc-c starts every answer. Anything else (a proxy's HTML page, text, another service on the
// port) is refused at once: the sax-based Deserializer spends seconds per megabyte on such text.
const ANSWER_START = /^\uFEFF?\s*(?:<\?xml[^>]*\?>\s*)?<methodResponse[\s>]/;

/** The start of a body that is no XML-RPC answer, for the message; undefined when it looks like one. */
function notAnAnswer(raw: Buffer): string | undefined {
  const head = raw.toString('utf8', 0, 256);
  if (ANSWER_START.test(head)) return undefined;
  const shown = head.replace(/\s+/g, ' ').trim().slice(0, 80);
  return shown ? `it begins ${JSON.stringify(shown)}${raw.length > 80 ? ` (${raw.length} bytes)` : ''}` : 'it is empty';
}

/** Hands the text on and wraps what the caller's sink made, so that it cannot pass for a string result. */
class ReadTextSink implements TextSink<ReadText<unknown>> {
  constructor(private readonly sink: TextSink<unknown>) {}
  write(text: string): void {
    this.sink.write(text);
  }
  end(): ReadText<unknown> {
    return new ReadText(this.sink.end());
  }
}

function mib(bytes: number): string {
  return `${Math.round((bytes / 1048576) * 10) / 10} MiB`;
}

/** Builds the call function for one endpoint; throws InvalidConfigError when the endpoint is no http(s) URL. */
export function createTransport(opts: TransportOptions): CallXmlRpc {
  let url: URL;
  try {
    url = new URL(opts.endpoint);
  } catch {
    throw new InvalidConfigError([`endpoint ${JSON.stringify(redactSession(opts.endpoint, opts.session))} is not a URL; expected e.g. http://localhost:2633/RPC2`]);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    // Shown without any user:password@ it may carry; "localhost:2633" (no scheme) parses as scheme "localhost:".
    url.username = '';
    url.password = '';
    throw new InvalidConfigError([`endpoint ${JSON.stringify(url.href)} is not an http:// or https:// URL; expected e.g. http://localhost:2633/RPC2`]);
  }
  const secure = url.protocol === 'https:';
  const where = `${url.protocol}//${url.host}${url.pathname}`;
  const agent = secure ? new https.Agent({ keepAlive: false }) : new http.Agent({ keepAlive: false });
  const base: https.RequestOptions = {
    method: 'POST',
    hostname: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port || (secure ? 443 : 80),
    path: `${url.pathname}${url.search}`,
    agent,
    ...(secure ? opts.tls : {}),
  };

  return (method, params, text) =>
    new Promise((resolve, reject) => {
      const clean = (text: string) => redactSession(text, opts.session);
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const finish = (err: Error | undefined, value?: unknown) => {
        if (settled) return;
        settled = true;
        if (timer) clearTimeout(timer);
        if (err) reject(err);
        else resolve(value);
      };
      const fail = (reason: OneTransportError['reason'], message: string, cause?: unknown) =>
        finish(new OneTransportError(method, reason, clean(message), cause));

      let body: string;
      try {
        body = serializeMethodCall(method, params);
      } catch {
        // xmlbuilder's message quotes the offending string, which may be the session: say less.
        finish(new InvalidArgumentError(`${method}: a parameter holds characters that XML-RPC cannot carry`));
        return;
      }
      const headers = {
        'Content-Type': 'text/xml',
        'Content-Length': String(Buffer.byteLength(body, 'utf8')),
        'Accept-Encoding': 'identity',
        'User-Agent': 'vmcatcher_eventHndl_ON',
      };
      const req = (secure ? https : http).request({ ...base, headers }, (res) => {
        const status = res.statusCode || 0;
        const declared = Number(res.headers['content-length']);
        if (status === 200 && declared > opts.maxResponseBytes) {
          fail('malformed', `the answer from ${where} is ${mib(declared)}, over the limit of ${mib(opts.maxResponseBytes)} (maxResponseBytes)`);
          req.destroy();
          return;
        }
        const chunks: Buffer[] = [];
        // A string result is decoded as it arrives, and the pool's images read from it (answer-reader.ts).
        const reader = new AnswerReader(text ? new ReadTextSink(text) : wholeText());
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          if (settled) return;
          size += chunk.length;
          if (status !== 200) {
            if (size <= 4096) chunks.push(chunk);
            return;
          }
          const declaredOver = Number.isInteger(declared) && size > declared;
          if (size > opts.maxResponseBytes || declaredOver) {
            fail('malformed', `the answer from ${where} is over ${declaredOver ? 'its Content-Length' : `the limit of ${mib(opts.maxResponseBytes)} (maxResponseBytes)`}; refused`);
            req.destroy();
            return;
          }
          try {
            reader.push(chunk);
          } catch (err) {
            unreadable(err);
            req.destroy();
          }
        });
        res.on('aborted', () => fail('connection', `${where}: the connection was dropped before the whole answer arrived`));
        res.on('error', (err: NodeJS.ErrnoException) => fail('connection', `${where}: ${describeNetworkError(err)}`, err));
        res.on('end', () => {
          if (settled) return;
          if (!res.complete) return fail('connection', `${where}: the connection was dropped before the whole answer arrived`);
          if (timer) clearTimeout(timer);
          if (status !== 200) {
            const excerpt = Buffer.concat(chunks).toString('utf8').replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 200);
            if (!secure && TLS_PORT_ANSWER.test(excerpt)) return finish(schemeMismatch(url, opts.endpointSource, 'TLS (https)'));
            return fail('http', `${where} answered HTTP ${status} ${res.statusMessage || ''}${excerpt ? `: ${excerpt}` : ''}`.trim());
          }
          let answer;
          try {
            answer = reader.finish();
          } catch (err) {
            return unreadable(err);
          }
          if (answer.streamed) return finish(undefined, answer.value);
          const junk = notAnAnswer(answer.body);
          if (junk) return fail('malformed', `${where} sent an answer that is not XML-RPC: ${junk}`);
          deserialize(answer.body);
        });
      });

      /** A broken answer (AnswerError), or what the caller's sink found wrong in the text. */
      const unreadable = (err: unknown) =>
        err instanceof AnswerError ? fail('malformed', `${where} sent an answer that is not XML-RPC: ${err.message}`, err) : fail('malformed', (err as Error).message, err);

      const deserialize = (raw: Buffer) => {
        const stream = new PassThrough();
        new Deserializer().deserializeMethodResponse(stream, (err, value) => {
          if (err) {
            if (err.faultCode !== undefined) {
              const code = Number(err.faultCode);
              return finish(new OneError(method, Number.isFinite(code) ? code : 0, clean(String(err.faultString || '')), { fault: true }));
            }
            return fail('malformed', `${where} sent an answer that is not XML-RPC: ${err.message}`, err);
          }
          // A string result the quick reader left to the Deserializer still goes to the caller's sink.
          if (text && Array.isArray(value) && value[0] === true && typeof value[1] === 'string') {
            try {
              text.write(value[1]);
              return finish(undefined, [true, new ReadText(text.end()), ...value.slice(2)]);
            } catch (e) {
              return unreadable(e);
            }
          }
          finish(undefined, value);
        });
        stream.end(raw);
      };

      let answered = false;
      req.on('response', () => (answered = true));
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (settled) return;
        if (secure && PLAIN_HTTP_ANSWER.test(err.message || '')) return finish(schemeMismatch(url, opts.endpointSource, 'plain HTTP'));
        // Hung up on before any answer: a TLS server taking our plain request? Asked once, briefly.
        if (!secure && !answered && (err.code === 'ECONNRESET' || err.code === 'EPIPE')) {
          speaksTls(String(base.hostname), Number(base.port), Math.min(2000, opts.timeoutMs)).then(
            (tlsThere) => (tlsThere ? finish(schemeMismatch(url, opts.endpointSource, 'TLS (https)')) : fail('connection', `${where}: ${describeNetworkError(err)}`, err)),
            () => fail('connection', `${where}: ${describeNetworkError(err)}`, err),
          );
          return;
        }
        fail('connection', `${where}: ${describeNetworkError(err)}`, err);
      });
      timer = setTimeout(() => {
        fail('timeout', `no complete answer from ${where} within ${opts.timeoutMs} ms`);
        req.destroy();
      }, opts.timeoutMs);
      req.end(body, 'utf8');
    });
}
