// Bad input, one row each: the documented exit code, a message naming what is wrong, no change in
// OpenNebula, and no file written outside our state and staging directories.
import * as fs from 'fs';
import * as path from 'path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { requireQemuImg } from '../helpers/images';
import { ALPHA, availableEvent, cacheImage, expireEvent } from '../e2e/scenario';
import { eventEnv, PASSWORD, stateFiles, writeCalls } from '../e2e/site';
import type { SimImage } from '../sim/index';
import {
  cacheEmptyFile,
  cacheManyMemberTar,
  cacheOva,
  cacheSizeLyingTar,
  cacheTextFile,
  cacheTruncatedQcow2,
} from './helpers-b/bad-files';
import { BadSite, makeBadSite, RunSpec, runSpec } from './helpers-b/bad-site';
import { diffTrees, listTree, snapshotTree } from './helpers-b/tree-snapshot';

interface Row {
  readonly name: string;
  /** Prepares the site (files, faults, settings) and says how to run the hook. */
  readonly given: (site: BadSite) => RunSpec;
  readonly code: 0 | 2 | 3;
  /** What stderr must say: the variable, setting or value at fault. */
  readonly says: RegExp;
  /** Success rows: template values the new image must carry exactly. */
  readonly registered?: Record<string, string>;
  /** The event waits in the spool for a retry; default: for exit code 2 only. */
  readonly kept?: boolean;
}

const MiB = 1024 * 1024;

/** A valid AvailablePostfix for a real qcow2 with these variables changed (undefined removes one). */
function available(site: BadSite, over: Record<string, string | undefined> = {}): Record<string, string> {
  return availableEvent(site, cacheImage(site, 'qcow2', 'alpha-v2'), over);
}

/** An AvailablePostfix for a file already placed in the cache (its real checksum). */
function availableFor(site: BadSite, img: { sha512: string; file: string }): Record<string, string> {
  return availableEvent(site, img);
}

function description(value: string, registered: string = value): Pick<Row, 'given' | 'registered'> {
  return {
    given: (s) => ({ env: available(s, { VMCATCHER_EVENT_DC_DESCRIPTION: value }) }),
    registered: { DESCRIPTION: registered, VMCATCHER_EVENT_DC_DESCRIPTION: registered },
  };
}

function withAuth(content: string | undefined, mode = 0o600): (s: BadSite) => RunSpec {
  return (s) => {
    const file = path.join(s.root, 'one_auth_row');
    if (content !== undefined) fs.writeFileSync(file, content, { mode });
    fs.chmodSync(path.dirname(file), 0o755);
    if (content !== undefined) fs.chmodSync(file, mode);
    return { env: Object.assign(available(s), { VMCHNDL_ON_AUTH_FILE: file }) };
  };
}

function onedAnswers(body: string, contentType = 'text/xml'): (s: BadSite) => RunSpec {
  return (s) => {
    s.sim.inject({ method: '*', times: 1000, fault: { type: 'body', body, contentType } });
    return { env: available(s) };
  };
}

const ROWS: Row[] = [
  // The event's variables: invalid event, exit 3.
  { name: 'VMCATCHER_EVENT_TYPE missing', given: (s) => ({ env: available(s), unset: ['VMCATCHER_EVENT_TYPE'] }), code: 3, says: /VMCATCHER_EVENT_TYPE is not set/ },
  { name: 'VMCATCHER_EVENT_TYPE empty', given: (s) => ({ env: available(s, { VMCATCHER_EVENT_TYPE: '' }) }), code: 3, says: /VMCATCHER_EVENT_TYPE is not set/ },
  { name: 'DC_IDENTIFIER missing', given: (s) => ({ env: available(s, { VMCATCHER_EVENT_DC_IDENTIFIER: undefined }) }), code: 3, says: /VMCATCHER_EVENT_DC_IDENTIFIER is missing or empty/ },
  { name: 'DC_IDENTIFIER empty', given: (s) => ({ env: available(s, { VMCATCHER_EVENT_DC_IDENTIFIER: '' }) }), code: 3, says: /VMCATCHER_EVENT_DC_IDENTIFIER is missing or empty/ },
  { name: 'CACHE_DIR_CACHE missing', given: (s) => ({ env: available(s, { VMCATCHER_CACHE_DIR_CACHE: undefined }) }), code: 3, says: /VMCATCHER_CACHE_DIR_CACHE is missing or empty/ },
  { name: 'CACHE_DIR_CACHE empty', given: (s) => ({ env: available(s, { VMCATCHER_CACHE_DIR_CACHE: '' }) }), code: 3, says: /VMCATCHER_CACHE_DIR_CACHE is missing or empty/ },
  { name: 'identifier with /', given: (s) => ({ env: available(s, { VMCATCHER_EVENT_DC_IDENTIFIER: `../../etc/${ALPHA}` }) }), code: 3, says: /VMCATCHER_EVENT_DC_IDENTIFIER "\.\.\/\.\.\/etc\/.*" is not a usable identifier/ },
  { name: 'identifier ..', given: (s) => ({ env: available(s, { VMCATCHER_EVENT_DC_IDENTIFIER: '..' }) }), code: 3, says: /VMCATCHER_EVENT_DC_IDENTIFIER "\.\." is not a usable identifier/ },
  { name: 'identifier with a leading -', given: (s) => ({ env: available(s, { VMCATCHER_EVENT_DC_IDENTIFIER: '-rf' }) }), code: 3, says: /VMCATCHER_EVENT_DC_IDENTIFIER "-rf" is not a usable identifier/ },
  { name: 'identifier with an escape sequence', given: (s) => ({ env: available(s, { VMCATCHER_EVENT_DC_IDENTIFIER: `${ALPHA}\u001b[2J` }) }), code: 3, says: /VMCATCHER_EVENT_DC_IDENTIFIER ".*\\u001b\[2J" is not a usable identifier/ },
  { name: 'identifier with NUL-like text', given: (s) => ({ env: available(s, { VMCATCHER_EVENT_DC_IDENTIFIER: `${ALPHA}%00.raw` }) }), code: 3, says: /VMCATCHER_EVENT_DC_IDENTIFIER ".*%00\.raw" is not a usable identifier/ },
  { name: 'identifier with a space', given: (s) => ({ env: available(s, { VMCATCHER_EVENT_DC_IDENTIFIER: `${ALPHA} 2014-06-04_12-54-44` }) }), code: 3, says: /VMCATCHER_EVENT_DC_IDENTIFIER ".* 2014.*" is not a usable identifier/ },
  { name: 'identifier of 10 000 characters', given: (s) => ({ env: available(s, { VMCATCHER_EVENT_DC_IDENTIFIER: 'a'.repeat(10000) }) }), code: 3, says: /VMCATCHER_EVENT_DC_IDENTIFIER "a{60}…" is not a usable identifier/ },
  { name: 'FILENAME with /', given: (s) => ({ env: available(s, { VMCATCHER_EVENT_FILENAME: '../../../etc/passwd' }) }), code: 3, says: /VMCATCHER_EVENT_FILENAME "\.\.\/\.\.\/\.\.\/etc\/passwd" is not a bare file name/ },
  { name: 'FILENAME ..', given: (s) => ({ env: available(s, { VMCATCHER_EVENT_FILENAME: '..' }) }), code: 3, says: /VMCATCHER_EVENT_FILENAME "\.\." is not a bare file name/ },
  { name: 'FILENAME with a leading -', given: (s) => ({ env: available(s, { VMCATCHER_EVENT_FILENAME: '--help' }) }), code: 3, says: /VMCATCHER_EVENT_FILENAME "--help" is not a bare file name/ },
  { name: 'FILENAME with a newline', given: (s) => ({ env: available(s, { VMCATCHER_EVENT_FILENAME: `${ALPHA}\nINFO fake log line` }) }), code: 3, says: /VMCATCHER_EVENT_FILENAME ".*\\nINFO fake log line" is not a bare file name/ },
  { name: 'FILENAME with a space', given: (s) => ({ env: available(s, { VMCATCHER_EVENT_FILENAME: `${ALPHA} copy` }) }), code: 3, says: /VMCATCHER_EVENT_FILENAME ".* copy" is not a bare file name/ },
  { name: 'FILENAME of 10 000 characters', given: (s) => ({ env: available(s, { VMCATCHER_EVENT_FILENAME: 'f'.repeat(10000) }) }), code: 3, says: /VMCATCHER_EVENT_FILENAME "f{60}…" is not a bare file name/ },
  { name: 'FILENAME missing', given: (s) => ({ env: available(s, { VMCATCHER_EVENT_FILENAME: undefined }) }), code: 3, says: /VMCATCHER_EVENT_FILENAME is missing or empty/ },
  { name: 'checksum of 127 digits', given: (s) => ({ env: available(s, { VMCATCHER_EVENT_SL_CHECKSUM_SHA512: 'a'.repeat(127) }) }), code: 3, says: /VMCATCHER_EVENT_SL_CHECKSUM_SHA512 "a{60}…" is not a sha512/ },
  { name: 'checksum of 128 non-hex characters', given: (s) => ({ env: available(s, { VMCATCHER_EVENT_SL_CHECKSUM_SHA512: 'z'.repeat(128) }) }), code: 3, says: /VMCATCHER_EVENT_SL_CHECKSUM_SHA512 "z{60}…" is not a sha512/ },
  { name: 'checksum as sha256', given: (s) => ({ env: available(s, { VMCATCHER_EVENT_SL_CHECKSUM_SHA512: 'e'.repeat(64) }) }), code: 3, says: /VMCATCHER_EVENT_SL_CHECKSUM_SHA512 "e{60}…" is not a sha512 \(128 hexadecimal digits\)/ },
  { name: 'description of 70 000 characters', given: (s) => ({ env: available(s, { VMCATCHER_EVENT_DC_DESCRIPTION: 'd'.repeat(70000) }) }), code: 3, says: /VMCATCHER_EVENT_DC_DESCRIPTION is longer than 65536 characters/ },
  { name: 'HV_SIZE not a number', given: (s) => ({ env: available(s, { VMCATCHER_EVENT_HV_SIZE: '2 GB' }) }), code: 3, says: /VMCATCHER_EVENT_HV_SIZE "2 GB" is not a number of bytes/ },
  { name: 'HV_SIZE negative', given: (s) => ({ env: available(s, { VMCATCHER_EVENT_HV_SIZE: '-196616' }) }), code: 3, says: /VMCATCHER_EVENT_HV_SIZE "-196616" is not a number of bytes/ },
  {
    name: 'DC_TITLE not UTF-8 (Latin-1 bytes)',
    given: (s) => ({ env: available(s, { VMCATCHER_EVENT_DC_TITLE: undefined }), raw: { VMCATCHER_EVENT_DC_TITLE: Buffer.from('Caf\xe9 image', 'latin1') } }),
    code: 3,
    says: /VMCATCHER_EVENT_DC_TITLE contains bytes that are not UTF-8/,
  },
  {
    name: 'DC_TITLE not UTF-8, under Node 10',
    given: (s) => ({ env: available(s, { VMCATCHER_EVENT_DC_TITLE: undefined }), raw: { VMCATCHER_EVENT_DC_TITLE: Buffer.from([0x41, 0xe9, 0x80, 0x42]) }, node: 'node10' }),
    code: 3,
    says: /VMCATCHER_EVENT_DC_TITLE contains bytes that are not UTF-8/,
  },
  {
    name: 'DC_IDENTIFIER not UTF-8',
    given: (s) => ({ env: available(s, { VMCATCHER_EVENT_DC_IDENTIFIER: undefined }), raw: { VMCATCHER_EVENT_DC_IDENTIFIER: Buffer.concat([Buffer.from(ALPHA), Buffer.from([0xff, 0xfe])]) } }),
    code: 3,
    says: /VMCATCHER_EVENT_DC_IDENTIFIER contains bytes that are not UTF-8/,
  },
  {
    name: 'CACHE_DIR_CACHE not UTF-8',
    given: (s) => ({ env: available(s, { VMCATCHER_CACHE_DIR_CACHE: undefined }), raw: { VMCATCHER_CACHE_DIR_CACHE: Buffer.concat([Buffer.from(s.cacheDir), Buffer.from([0xc3, 0x28])]) } }),
    code: 3,
    says: /VMCATCHER_CACHE_DIR_CACHE contains bytes that are not UTF-8/,
  },

  // Descriptions are free text: registered exactly; only what XML cannot carry changes, with a warning.
  { name: 'description with quotes and backslashes', ...description('He said "hi" and \'bye\' \\ C:\\images\\ ends with \\'), code: 0, says: /done: / },
  { name: 'description with newlines and tabs', ...description('line 1\nline 2\n\n\tindented\n'), code: 0, says: /done: / },
  { name: 'description with ] and $', ...description('a[0] ]] ] $HOME ${PATH} $(id) `id` $1 100$'), code: 0, says: /done: / },
  { name: 'description with template syntax', ...description('DISK = [ IMAGE = "x" ]\nNAME="evil"\n<TEMPLATE><NAME>x</NAME></TEMPLATE> {{name}} %s &amp; <![CDATA[x'), code: 0, says: /done: / },
  { name: 'description with ]]>', ...description('before ]]> after ]]>', 'before ]] > after ]] >'), code: 0, says: /VMCATCHER_EVENT_DC_DESCRIPTION: "\]\]>" written as "\]\] >"/ },
  { name: 'description with control characters', ...description('bell\u0007 esc\u001b[31m red', 'bell esc[31m red'), code: 0, says: /VMCATCHER_EVENT_DC_DESCRIPTION: control characters .* removed/ },
  { name: 'description with CR LF line ends', ...description('line 1\r\nline 2\r\n', 'line 1\nline 2\n'), code: 0, says: /VMCATCHER_EVENT_DC_DESCRIPTION: carriage returns replaced by newlines/ },
  {
    name: 'description with CR LF and a bell, under Node 10',
    given: (s) => ({ env: available(s, { VMCATCHER_EVENT_DC_DESCRIPTION: 'a\r\nb\u0007' }), node: 'node10' }),
    registered: { DESCRIPTION: 'a\nb', VMCATCHER_EVENT_DC_DESCRIPTION: 'a\nb' },
    code: 0,
    says: /VMCATCHER_EVENT_DC_DESCRIPTION: control characters/,
  },

  // The cached file: a failed operation, exit 2.
  { name: 'a file that is not an image', given: (s) => ({ env: availableFor(s, cacheTextFile(s)) }), code: 2, says: /is not a disk image: no known format and 49 bytes is not a whole number of sectors/ },
  { name: 'an empty file', given: (s) => ({ env: availableFor(s, cacheEmptyFile(s)) }), code: 2, says: /is a raw image of virtual size 0: refused, it holds no disk/ },
  {
    name: 'the cached file is a symlink to /etc/passwd',
    given: (s) => {
      fs.symlinkSync('/etc/passwd', path.join(s.cacheDir, ALPHA));
      return { env: eventEnv(s, '03-AvailablePostfix.env', { VMCATCHER_EVENT_SL_CHECKSUM_SHA512: undefined }) };
    },
    code: 2,
    says: /\/etc\/passwd is not a disk image/,
  },
  {
    name: 'the cached file is a directory',
    given: (s) => {
      fs.mkdirSync(path.join(s.cacheDir, ALPHA));
      return { env: eventEnv(s, '03-AvailablePostfix.env', { VMCATCHER_EVENT_SL_CHECKSUM_SHA512: undefined }) };
    },
    code: 2,
    says: /the cached image .* is not a regular file/,
  },
  { name: 'a truncated qcow2', given: (s) => ({ env: availableFor(s, cacheTruncatedQcow2(s)) }), code: 2, says: /is a damaged qcow2 image \(qemu-img check: \d+ corruptions/ },
  { name: 'OVA member ../', given: (s) => ({ env: availableFor(s, cacheOva(s, { hostile: [{ name: '../../.ssh/authorized_keys', data: Buffer.from('ssh-rsa AAAA\n') }] })) }), code: 2, says: /tar member "\.\.\/\.\.\/\.ssh\/authorized_keys" at byte 0 has a "\.\." in its name: refused/ },
  { name: 'OVA member with an absolute name', given: (s) => ({ env: availableFor(s, cacheOva(s, { hostile: [{ name: '/etc/cron.d/evil', data: Buffer.from('* * * * * root id\n') }] })) }), code: 2, says: /tar member "\/etc\/cron\.d\/evil" at byte 0 has an absolute name: refused/ },
  { name: 'OVA disk that is a symlink', given: (s) => ({ env: availableFor(s, cacheOva(s, { diskAs: { name: 'appliance-disk1.vmdk', type: '2', linkName: '/etc/shadow' } })) }), code: 2, says: /OVA member "appliance-disk1\.vmdk" .* is a symlink to "\/etc\/shadow", not a plain file: refused/ },
  { name: 'OVA disk that is a hard link', given: (s) => ({ env: availableFor(s, cacheOva(s, { diskAs: { name: 'appliance-disk1.vmdk', type: '1', linkName: '../../etc/passwd' } })) }), code: 2, says: /OVA member "appliance-disk1\.vmdk" .* is a hardlink to "\.\.\/\.\.\/etc\/passwd", not a plain file: refused/ },
  { name: "OVF naming a disk outside the OVA", given: (s) => ({ env: availableFor(s, cacheOva(s, { ovf: ovfWithHref('file:///etc/shadow') })) }), code: 2, says: /the OVF's first disk is "file:\/\/\/etc\/shadow", outside the OVA: refused/ },
  { name: 'tar bomb: 5000 members', given: (s) => ({ env: availableFor(s, cacheManyMemberTar(s, 5000)) }), code: 2, says: /more than 1000 tar members: refused as a tar bomb/ },
  { name: 'tar bomb: a member declaring 1 TiB', given: (s) => ({ env: availableFor(s, cacheSizeLyingTar(s, 1024 * 1024 * MiB)) }), code: 2, says: /tar member "appliance-disk1\.vmdk" at byte 0 declares 1099511627776 bytes, beyond the archive's 1024: refused/ },

  // Credentials and endpoint: configuration.
  // Found only once the event is stored: it waits for the fix, but the exit code still says "configuration".
  { name: 'auth file missing', given: withAuth(undefined), code: 3, kept: true, says: /one_auth_row: the file does not exist/ },
  { name: 'auth file empty', given: withAuth(''), code: 3, kept: true, says: /one_auth_row: the auth file is empty; write one line user:password/ },
  { name: 'auth file without a colon', given: withAuth(`oneadmin${PASSWORD}\n`), code: 3, kept: true, says: /one_auth_row: the auth file has no ":"; write one line user:password/ },
  { name: 'auth file world-readable (a warning)', given: withAuth(`oneadmin:${PASSWORD}\n`, 0o644), code: 0, says: /one_auth_row can be read by every user \(mode 644\); it holds a password: chmod 600 it/, registered: {} },
  { name: 'wrong password', given: withAuth('oneadmin:not-the-password\n'), code: 3, kept: true, says: /oned refused user oneadmin \(wrong password, or no such user\?\); the credentials come from \S*one_auth_row \(VMCHNDL_ON_AUTH_FILE\): one\.\w+\.info failed \(AUTHENTICATION\)/ },
  { name: 'endpoint not a URL', given: (s) => ({ env: Object.assign(available(s), { VMCHNDL_ON_ENDPOINT: 'oned.example.org 2633' }) }), code: 3, kept: true, says: /VMCHNDL_ON_ENDPOINT: expected an http:\/\/ or https:\/\/ URL \(found "oned\.example\.org 2633"\)/ },
  { name: 'endpoint with another scheme', given: (s) => ({ env: Object.assign(available(s), { VMCHNDL_ON_ENDPOINT: 'ftp://127.0.0.1:2633/RPC2' }) }), code: 3, kept: true, says: /VMCHNDL_ON_ENDPOINT: expected an http:\/\/ or https:\/\/ URL/ },
  { name: '$ONE_XMLRPC without a scheme', given: (s) => ({ env: Object.assign(available(s), { ONE_XMLRPC: 'localhost:2633/RPC2' }), unset: ['VMCHNDL_ON_ENDPOINT'] }), code: 3, kept: true, says: /endpoint "localhost:2633\/RPC2" is not an http:\/\/ or https:\/\/ URL/ },
  { name: 'settings: several wrong at once', given: (s) => ({ env: Object.assign(available(s), { VMCHNDL_ON_FORMAT: 'vmdk', VMCHNDL_ON_READY_TIMEOUT: 'soon', VMCHNDL_ON_STAGING_DIR: 'staging' }) }), code: 3, kept: true, says: /VMCHNDL_ON_FORMAT: expected raw or qcow2 \(found "vmdk"\)[^]*VMCHNDL_ON_STAGING_DIR: expected an absolute path \(found "staging"\)[^]*VMCHNDL_ON_READY_TIMEOUT: expected a positive number of seconds \(found "soon"\)/ },

  // oned answering something that is not an answer: a failed operation, nothing changed.
  { name: 'oned answers plain text', given: onedAnswers('Service Unavailable\n', 'text/plain'), code: 2, says: /one\.\w+\.info failed \(malformed\): http:\/\/127\.0\.0\.1:\d+\/RPC2 sent an answer that is not XML-RPC: it begins "Service Unavailable"/ },
  { name: 'oned answers an HTML error page', given: onedAnswers('<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>', 'text/html'), code: 2, says: /one\.\w+\.info failed \(malformed\): .* not XML-RPC: it begins "<!DOCTYPE html><html><head><title>502 Bad Gateway/ },
  { name: 'oned answers HTTP 500', given: (s) => { s.sim.inject({ method: '*', times: 1000, fault: { type: 'http500' } }); return { env: available(s) }; }, code: 2, says: /one\.\w+\.info failed \(http\): .* answered HTTP 500 Internal Server Error: Error 500/ },
  { name: 'oned answers 50 MB of garbage', given: onedAnswers('x'.repeat(50 * MiB), 'text/xml'), code: 2, says: /one\.\w+\.info failed \(malformed\): .* not XML-RPC: it begins "x{80}" \(52428800 bytes\)/ },
  { name: 'oned answers a 50 MB string that is no pool', given: onedAnswers(bigStringAnswer(50 * MiB)), code: 2, says: /one\.\w+\.info failed \(malformed\)/ },

  // Not bad, but never harmful: an event type we do not know is ignored.
  { name: 'unknown event type', given: (s) => ({ env: available(s, { VMCATCHER_EVENT_TYPE: 'AvailablePostfix; rm -rf /' }) }), code: 0, says: /nothing to do for this event type/ },
  { name: 'expiry with a / in the identifier', given: (s) => ({ env: expireEvent(s, { VMCATCHER_EVENT_DC_IDENTIFIER: '../x' }) }), code: 3, says: /VMCATCHER_EVENT_DC_IDENTIFIER "\.\.\/x" is not a usable identifier/ },
];

function ovfWithHref(href: string): string {
  return `<?xml version="1.0"?><Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1"><References><File ovf:href="${href}" ovf:id="file1"/></References><DiskSection><Disk ovf:diskId="d1" ovf:fileRef="file1"/></DiskSection></Envelope>`;
}

function bigStringAnswer(bytes: number): string {
  const head = '<?xml version="1.0" encoding="UTF-8"?>\r\n<methodResponse>\r\n<params>\r\n<param><value><array><data>\r\n<value><boolean>1</boolean></value>\r\n<value><string>';
  const tail = '</string></value>\r\n<value><i4>0</i4></value>\r\n</data></array></value></param>\r\n</params>\r\n</methodResponse>\r\n';
  return head + 'A'.repeat(bytes - head.length - tail.length) + tail;
}

type ImageView = Pick<SimImage, 'id' | 'name' | 'uid' | 'gid' | 'permissions' | 'stateName' | 'template'>;
function images(site: BadSite): ImageView[] {
  return site.sim.images().map((i) => ({ id: i.id, name: i.name, uid: i.uid, gid: i.gid, permissions: i.permissions, stateName: i.stateName, template: i.template }));
}

describe('bad input', () => {
  let site: BadSite | undefined;
  afterEach(async () => {
    if (site) await site.close();
    site = undefined;
  });
  afterAll(() => {
    // eslint-disable-next-line no-console
    console.log(`bad input table: ${ROWS.length} rows`);
  });

  it('has at least 30 rows', () => {
    expect(ROWS.length).toBeGreaterThanOrEqual(30);
  });

  it.each(ROWS.map((r) => [r.name, r] as const))('%s', async (_name, row) => {
    requireQemuImg();
    const s = (site = await makeBadSite());
    const spec = row.given(s);
    await s.sim.settle();
    s.sim.clearCalls();
    const imagesBefore = images(s);
    // Everything of the site but our own directories and oned's datastores.
    const ours = [s.stateDir, s.stagingDir, s.sim.root];
    const before = snapshotTree(s.root, ours);

    const r = await runSpec(s, spec);
    await s.sim.settle();

    expect({ code: r.code, stderr: r.stderr.slice(0, 3000) }).toMatchObject({ code: row.code });
    expect(r.stderr).toMatch(row.says);
    // A clear message: one bounded report, never an internal error with a stack.
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(r.stderr.length).toBeLessThan(20000);
    expect(diffTrees(before, snapshotTree(s.root, ours))).toEqual([]);
    expect(listTree(s.stagingDir)).toEqual([]);
    expect(stateFiles(s, 'journal')).toEqual([]);

    if (row.code !== 0) {
      expect(writeCalls(s.sim)).toEqual([]);
      expect(images(s)).toEqual(imagesBefore);
      // An invalid event cannot become valid by waiting; a failed operation is retried later.
      expect(stateFiles(s, 'spool')).toHaveLength((row.kept !== undefined ? row.kept : row.code === 2) ? 1 : 0);
    }
    if (row.registered) {
      const current = s.sim.images().filter((i) => i.name === ALPHA);
      expect(current).toHaveLength(1);
      expect(current[0].id).not.toBe(s.currentId);
      for (const key of Object.keys(row.registered)) expect(current[0].template[key]).toBe(row.registered[key]);
    }
  });
});
