// Self-signed certificates for https tests, made with openssl at test time.

import { execFileSync } from 'child_process';
import { readFileSync } from 'fs';
import { join } from 'path';

export interface TestCert {
  readonly key: string;
  readonly cert: string;
  readonly certFile: string;
}

/** A P-256 self-signed certificate for the given subjectAltName (e.g. IP:127.0.0.1), written in dir. */
export function makeCert(dir: string, name: string, subjectAltName: string): TestCert {
  const keyFile = join(dir, `${name}.key`);
  const certFile = join(dir, `${name}.pem`);
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', certFile,
      '-days', '2', '-subj', `/CN=${name}`, '-addext', `subjectAltName=${subjectAltName}`],
    { stdio: 'pipe' },
  );
  return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8'), certFile };
}
