// A loopback HTTP proxy between the command and a real oned: it passes calls through unchanged and
// lets a test act at a chosen call (change the site before oned sees it) or hold a call open
// before or after oned acted on it (to kill the command right there).
import * as http from 'http';

export type When = 'before' | 'after';

export interface OnedProxy {
  readonly url: string;
  /** Method names, in the order received. */
  readonly calls: string[];
  /** Runs `fn` when the nth call of `method` (counted from now) arrives, before oned gets it. */
  beforeCall(method: string, fn: () => Promise<void>, nth?: number): void;
  /**
   * Holds the nth call of `method` (counted from now) open: `before` oned sees it, or `after` oned
   * acted on it (its answer kept back). Resolves once the call is held.
   */
  hold(method: string, when: When, nth?: number): Promise<void>;
  /** Ends every held call (its connection closed) and forgets the rules. */
  reset(): void;
  close(): Promise<void>;
}

interface Rule {
  method: string;
  remaining: number;
  act: (req: http.IncomingMessage, body: Buffer, res: http.ServerResponse) => Promise<boolean>;
}

function forward(target: URL, req: http.IncomingMessage, body: Buffer): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const out = http.request(
      { host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers: { 'content-type': req.headers['content-type'] || 'text/xml', 'content-length': body.length } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode || 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    out.on('error', reject);
    out.end(body);
  });
}

/** Starts a proxy to `onedUrl` on a random loopback port. */
export async function startProxy(onedUrl: string): Promise<OnedProxy> {
  const target = new URL(onedUrl);
  const calls: string[] = [];
  let rules: Rule[] = [];
  const held = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const m = /<methodName>\s*([^<\s]+)\s*<\/methodName>/.exec(body.toString('utf8'));
      const method = m ? m[1] : '?';
      calls.push(method);
      try {
        for (const rule of rules) {
          if (rule.method !== method || rule.remaining <= 0) continue;
          rule.remaining -= 1;
          if (rule.remaining === 0 && (await rule.act(req, body, res))) return;
        }
        const ans = await forward(target, req, body);
        res.writeHead(ans.status, { 'content-type': String(ans.headers['content-type'] || 'text/xml'), connection: 'close' });
        res.end(ans.body);
      } catch (err) {
        res.destroy(err as Error);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  const reset = (): void => {
    rules = [];
    for (const res of held) res.destroy();
    held.clear();
  };
  return {
    url: `http://127.0.0.1:${port}/RPC2`,
    calls,
    beforeCall(method, fn, nth = 1) {
      rules.push({ method, remaining: nth, act: async () => (await fn(), false) });
    },
    hold(method, when, nth = 1) {
      return new Promise<void>((resolve) => {
        rules.push({
          method,
          remaining: nth,
          act: async (req, body, res) => {
            if (when === 'after') await forward(target, req, body);
            held.add(res);
            resolve();
            return true;
          },
        });
      });
    },
    reset,
    close() {
      reset();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}
