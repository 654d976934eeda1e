// Certificate trust for https endpoints: the system's CAs plus a CA file or a directory of them,
// or no verification at all when asked for explicitly.

import * as fs from 'fs';
import * as path from 'path';
import * as tls from 'tls';
import { InvalidConfigError } from '../errors';
import type { Env } from './credentials';

export interface TlsSettings {
  readonly caDir?: string;
  readonly insecure: boolean;
}

/**
 * $ONE_CERT_DIR (extra trusted CAs) and $ONE_DISABLE_SSL_VERIFY, as the Ruby client reads them:
 * any non-empty value of ONE_DISABLE_SSL_VERIFY disables verification, even "0" or "no".
 */
export function resolveTls(env: Env): TlsSettings {
  const dir = env.ONE_CERT_DIR;
  const off = env.ONE_DISABLE_SSL_VERIFY;
  return { ...(dir ? { caDir: dir } : {}), insecure: off !== undefined && off !== '' };
}

const PEM = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

function certsIn(file: string, required: boolean): string[] {
  let content: string;
  try {
    content = fs.readFileSync(file, 'latin1');
  } catch (err) {
    throw new InvalidConfigError([`${file}: cannot read the CA certificate file (${(err as NodeJS.ErrnoException).code})`]);
  }
  const certs = content.match(PEM) || [];
  if (required && certs.length === 0) throw new InvalidConfigError([`${file}: no PEM certificate (-----BEGIN CERTIFICATE-----) in the CA file`]);
  return certs;
}

/** Reads the PEM certificates of a CA file and of every file in a CA directory (like ONE_CERT_DIR/*). */
export function readTrustedCerts(caFile?: string, caDir?: string): string[] {
  const certs: string[] = [];
  if (caFile) certs.push(...certsIn(caFile, true));
  if (caDir) {
    let names: string[];
    try {
      names = fs.readdirSync(caDir).sort();
    } catch (err) {
      throw new InvalidConfigError([`${caDir}: cannot read the CA directory (${(err as NodeJS.ErrnoException).code})`]);
    }
    for (const name of names) {
      const file = path.join(caDir, name);
      if (fs.statSync(file).isFile()) certs.push(...certsIn(file, false));
    }
    if (certs.length === 0) throw new InvalidConfigError([`${caDir}: no PEM certificate in any file of the CA directory`]);
  }
  return certs;
}

interface NativeContext {
  addCACert(pem: string): void;
}

/** https request options: verification on, extra CAs added to the system's, or verification off. */
export function httpsOptions(extraCerts: readonly string[], insecure: boolean): tls.ConnectionOptions {
  if (insecure) return { rejectUnauthorized: false };
  if (extraCerts.length === 0) return { rejectUnauthorized: true };
  const roots = (tls as { rootCertificates?: readonly string[] }).rootCertificates;
  if (roots) return { rejectUnauthorized: true, ca: [...roots, ...extraCerts] };
  // Node 10 has no tls.rootCertificates; a context made without `ca` holds the system roots,
  // and its native half takes more (how Node itself adds each `ca` entry).
  const secureContext = tls.createSecureContext();
  const native = (secureContext as unknown as { context: NativeContext }).context;
  for (const pem of extraCerts) native.addCACert(pem);
  return { rejectUnauthorized: true, secureContext };
}
