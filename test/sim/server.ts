// The HTTP(S) face of the simulator, shaped like xmlrpc-c's Abyss server: POST /RPC2, status 200
// and "Connection: close" on every answer, plus the injected faults (500, drop, hang, raw body).
import * as http from 'http';
import * as https from 'https';
import type { Socket } from 'net';
import { dispatch, injectedFailure } from './dispatch';
import type { Engine } from './engine';
import type { Faults } from './faults';
import type { World } from './state';
import type { SimCall, SimFault } from './types';
import { faultXml, parseCall, plain, RpcCall, RpcFault } from './wire';

export interface ServerDeps {
  world: World;
  engine: Engine;
  faults: Faults;
  calls: SimCall[];
}

const ABYSS_500 =
  '<HTML><HEAD><TITLE>Error 500</TITLE></HEAD><BODY><H1>Error 500</H1><P>Internal Server Error</P><HR><ADDRESS>ABYSS Web Server for XML-RPC For C/C++ version 1.40.0</ADDRESS></BODY></HTML>';

function send(res: http.ServerResponse, status: number, body: string, contentType = 'text/xml'): void {
  res.writeHead(status, {
    Connection: 'close',
    Date: new Date().toUTCString(),
    Server: 'Xmlrpc-c_Abyss/1.40.0',
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

function applyFault(deps: ServerDeps, call: RpcCall, fault: SimFault, res: http.ServerResponse): void {
  switch (fault.type) {
    case 'error':
      return send(res, 200, injectedFailure(deps.world, call, fault.code, fault.message));
    case 'http500':
      return send(res, 500, ABYSS_500, 'text/html');
    case 'drop':
      res.socket?.destroy();
      return;
    case 'hang':
      return; // never answered; close() ends the connection
    case 'body':
      return send(res, 200, fault.body, fault.contentType ?? 'text/xml');
  }
}

function handle(deps: ServerDeps, req: http.IncomingMessage, res: http.ServerResponse, body: string): void {
  if (req.url !== '/RPC2') return send(res, 404, '<HTML><HEAD><TITLE>Error 404</TITLE></HEAD><BODY><H1>Error 404</H1></BODY></HTML>', 'text/html');
  if (req.method !== 'POST') return send(res, 405, '<HTML><HEAD><TITLE>Error 405</TITLE></HEAD><BODY><H1>Error 405</H1></BODY></HTML>', 'text/html');
  let call: RpcCall;
  try {
    call = parseCall(body);
  } catch (err) {
    const f = err as RpcFault;
    return send(res, 200, faultXml(f.code, f.message));
  }
  deps.calls.push({ method: call.method, params: call.params.map(plain), at: Date.now() });
  const injected = deps.faults.take(call.method);
  if (injected && !injected.after) return applyFault(deps, call, injected.fault, res);
  const answer = dispatch(deps.world, deps.engine, call);
  if (injected) return applyFault(deps, call, injected.fault, res);
  send(res, 200, answer);
}

/** Listens on 127.0.0.1 (random port); resolves with the port and a closer that also ends hanging requests. */
export async function listen(deps: ServerDeps, tls?: { key: string; cert: string }): Promise<{ port: number; close: () => Promise<void> }> {
  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(deps, req, res, Buffer.concat(chunks).toString('utf8')));
  };
  const server = tls ? https.createServer({ key: tls.key, cert: tls.cert }, onRequest) : http.createServer(onRequest);
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('oned simulator: no TCP address');
  return {
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
