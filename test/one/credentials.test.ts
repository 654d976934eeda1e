// Finding oned's endpoint, the session and TLS settings like OpenNebula's own clients do,
// with temporary HOME and system directories and plain env objects.

import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidConfigError } from '../../src/errors';
import { DEFAULT_ENDPOINT, resolveEndpoint, resolveSession, resolveTimeoutMs } from '../../src/one/credentials';
import { resolveTls } from '../../src/one/tls';

let root: string;
let home: string;
let systemDir: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'one-cred-'));
  home = join(root, 'home');
  systemDir = join(root, 'var-lib-one-.one');
  mkdirSync(join(home, '.one'), { recursive: true });
  mkdirSync(systemDir, { recursive: true });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function write(file: string, content: string, mode = 0o600): string {
  writeFileSync(file, content);
  chmodSync(file, mode);
  return file;
}

describe('resolveEndpoint', () => {
  it('takes, in order: explicit, $ONE_XMLRPC, ~/.one/one_endpoint, system one_endpoint, default', () => {
    write(join(home, '.one', 'one_endpoint'), 'http://home:2633/RPC2\n');
    write(join(systemDir, 'one_endpoint'), 'http://system:2633/RPC2');
    const env = { ONE_XMLRPC: 'http://env:2633/RPC2' };
    expect(resolveEndpoint({ explicit: 'https://explicit/RPC2', env, home, systemDir })).toEqual({ endpoint: 'https://explicit/RPC2', source: 'configuration' });
    expect(resolveEndpoint({ env, home, systemDir })).toEqual({ endpoint: 'http://env:2633/RPC2', source: '$ONE_XMLRPC' });
    expect(resolveEndpoint({ env: {}, home, systemDir })).toEqual({ endpoint: 'http://home:2633/RPC2', source: join(home, '.one', 'one_endpoint') });
    expect(resolveEndpoint({ env: {}, systemDir })).toEqual({ endpoint: 'http://system:2633/RPC2', source: join(systemDir, 'one_endpoint') });
    expect(resolveEndpoint({ env: {}, home: join(root, 'nobody'), systemDir: join(root, 'none') })).toEqual({ endpoint: DEFAULT_ENDPOINT, source: 'default' });
  });

  it('passes over an empty $ONE_XMLRPC and reads the first line of the file, trimmed', () => {
    write(join(home, '.one', 'one_endpoint'), '  http://home:2633/RPC2  \r\nsecond line\n');
    expect(resolveEndpoint({ env: { ONE_XMLRPC: '' }, home, systemDir }).endpoint).toBe('http://home:2633/RPC2');
  });

  it('refuses an empty endpoint file, naming it', () => {
    const file = write(join(home, '.one', 'one_endpoint'), '\n');
    expect(() => resolveEndpoint({ env: {}, home, systemDir })).toThrow(InvalidConfigError);
    expect(() => resolveEndpoint({ env: {}, home, systemDir })).toThrow(file);
  });
});

describe('resolveSession', () => {
  it('takes, in order: explicit file, $ONE_AUTH, ~/.one/one_auth, system one_auth', () => {
    const explicit = write(join(root, 'explicit_auth'), 'explicit:pw');
    const fromEnv = write(join(root, 'env_auth'), 'env:pw');
    write(join(home, '.one', 'one_auth'), 'home:pw');
    write(join(systemDir, 'one_auth'), 'system:pw');
    const env = { ONE_AUTH: fromEnv };
    expect(resolveSession({ explicit, env, home, systemDir })).toEqual({ session: 'explicit:pw', source: explicit, warnings: [] });
    expect(resolveSession({ env, home, systemDir })).toMatchObject({ session: 'env:pw', source: fromEnv });
    expect(resolveSession({ env: {}, home, systemDir })).toMatchObject({ session: 'home:pw', source: join(home, '.one', 'one_auth') });
    expect(resolveSession({ env: {}, systemDir })).toMatchObject({ session: 'system:pw', source: join(systemDir, 'one_auth') });
  });

  it('passes over a $ONE_AUTH that names no file, as the Ruby client does, with a warning', () => {
    write(join(home, '.one', 'one_auth'), 'home:pw');
    const missing = join(root, 'missing');
    const r = resolveSession({ env: { ONE_AUTH: missing }, home, systemDir });
    expect(r.session).toBe('home:pw');
    expect(r.warnings).toEqual([expect.stringContaining(`$ONE_AUTH names ${missing}`)]);
  });

  it('says where it looked when there is no auth file at all', () => {
    expect(() => resolveSession({ env: { ONE_AUTH: join(root, 'x') }, home, systemDir })).toThrow(/no OpenNebula credentials found \(looked at \$ONE_AUTH, .*one_auth/);
  });

  it('refuses a missing explicit file, naming it', () => {
    const file = join(root, 'nope');
    expect(() => resolveSession({ explicit: file, env: {}, home, systemDir })).toThrow(`${file}: the file does not exist`);
  });

  it('strips trailing whitespace only', () => {
    const file = write(join(root, 'auth'), 'oneadmin:pass word \t\r\n\n');
    expect(resolveSession({ explicit: file, env: {}, home }).session).toBe('oneadmin:pass word');
  });

  it.each([
    ['', /is empty/],
    ['\n  \n', /is empty/],
    ['oneadm1n', /no ":"/],
    [':s3cret', /no user name/],
    ['oneadmin:pw\nsecond:line', /more than one line/],
  ])('refuses the content %j with one problem naming the file, never the content', (content, problem) => {
    const file = write(join(root, 'auth'), content);
    const err = (() => {
      try {
        resolveSession({ explicit: file, env: {}, home });
      } catch (e) {
        return e as InvalidConfigError;
      }
      throw new Error('no error');
    })();
    expect(err).toBeInstanceOf(InvalidConfigError);
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0]).toMatch(problem);
    expect(err.problems[0].startsWith(`${file}: `)).toBe(true);
    if (content.trim()) expect(err.message).not.toContain(content.trim());
  });

  it('warns when the auth file can be read by group or others', () => {
    const file = write(join(root, 'auth'), 'a:b', 0o644);
    expect(resolveSession({ explicit: file, env: {}, home }).warnings).toEqual([expect.stringMatching(/can be read by every user \(mode 644\).*chmod 600/)]);
    chmodSync(file, 0o640);
    expect(resolveSession({ explicit: file, env: {}, home }).warnings).toEqual([expect.stringMatching(/can be read by its group \(mode 640\)/)]);
    chmodSync(file, 0o600);
    expect(resolveSession({ explicit: file, env: {}, home }).warnings).toEqual([]);
  });
});

describe('resolveTls and resolveTimeoutMs', () => {
  it('reads ONE_CERT_DIR and ONE_DISABLE_SSL_VERIFY like the Ruby client', () => {
    expect(resolveTls({})).toEqual({ insecure: false });
    expect(resolveTls({ ONE_CERT_DIR: '/etc/one/certs' })).toEqual({ caDir: '/etc/one/certs', insecure: false });
    expect(resolveTls({ ONE_DISABLE_SSL_VERIFY: 'yes' })).toEqual({ insecure: true });
    expect(resolveTls({ ONE_DISABLE_SSL_VERIFY: '0' })).toEqual({ insecure: true });
    expect(resolveTls({ ONE_DISABLE_SSL_VERIFY: '' })).toEqual({ insecure: false });
  });

  it('reads ONE_XMLRPC_TIMEOUT in seconds', () => {
    expect(resolveTimeoutMs({})).toBeUndefined();
    expect(resolveTimeoutMs({ ONE_XMLRPC_TIMEOUT: '30' })).toBe(30000);
    expect(() => resolveTimeoutMs({ ONE_XMLRPC_TIMEOUT: 'soon' })).toThrow(InvalidConfigError);
    expect(() => resolveTimeoutMs({ ONE_XMLRPC_TIMEOUT: '0' })).toThrow(/positive number of seconds/);
  });
});
