// A tiny HTTP(S) server on 127.0.0.1 for wire tests: records every request body and lets each
// test decide the answer (recorded bytes, errors, silence, dropped connections).

import * as http from 'http';
import * as https from 'https';
import type { AddressInfo, Socket } from 'net';
import { readFileSync } from 'fs';
import { join } from 'path';

export const RECORDINGS = '/work/shared/oned-recordings-5.2';

export interface StubRequest {
  readonly body: string;
  readonly headers: http.IncomingHttpHeaders;
}

export type StubHandler = (req: StubRequest, res: http.ServerResponse) => void;

export interface Stub {
  readonly url: string;
  readonly requests: StubRequest[];
  handle(h: StubHandler): void;
  close(): Promise<void>;
}

/** Reads a recording byte for byte. */
export function recording(name: string): Buffer {
  return readFileSync(join(RECORDINGS, name));
}

/** Answers with bytes as oned's xmlrpc-c does (text/xml, Content-Length). */
export function sendXml(res: http.ServerResponse, body: string | Buffer, status = 200): void {
  res.writeHead(status, { 'Content-Type': 'text/xml', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** Starts a stub; with tls it speaks https. */
export async function startStub(handler: StubHandler = () => undefined, tls?: { key: string; cert: string }): Promise<Stub> {
  const requests: StubRequest[] = [];
  const sockets = new Set<Socket>();
  let current = handler;
  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = { body: Buffer.concat(chunks).toString('utf8'), headers: req.headers };
      requests.push(r);
      current(r, res);
    });
  };
  const server = tls ? https.createServer(tls, onRequest) : http.createServer(onRequest);
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('secureConnection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}/RPC2`,
    requests,
    handle: (h) => {
      current = h;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
