// The RPM for SL6/EL6: what rpm -qp says about the package npm run rpm builds, checked against
// what rpm 4.8 (EL6) can install.
import execa from 'execa';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../e2e/site';
import { buildRpm, BuiltRpm, NAME, rpmLines, rpmQuery, VERSION } from './rpm-tools';

// rpmlib features rpm 4.8 provides (lib/rpmds.c rpmlibProvides[] of rpm 4.8; ScriptletExpansion
// came in 4.9, TildeInVersions in 4.10, RichDependencies in 4.12, Caret/DynamicBuildRequires in 4.15).
const RPM48_RPMLIB: Record<string, string> = {
  VersionedDependencies: '3.0.3-1',
  CompressedFileNames: '3.0.4-1',
  PayloadIsBzip2: '3.0.5-1',
  PayloadIsXz: '5.2-1',
  PayloadIsLzma: '4.4.2-1',
  PayloadFilesHavePrefix: '4.0-1',
  ExplicitPackageProvide: '4.0-1',
  HeaderLoadSortsTags: '4.0.1-1',
  ScriptletInterpreterArgs: '4.0.3-1',
  PartialHardlinkSets: '4.0.4-1',
  ConcurrentAccess: '4.1-1',
  BuiltinLuaScripts: '4.2.2-1',
  FileDigests: '4.6.0-1',
  FileCaps: '4.6.1-1',
};
const SHIPPED_DOCS = ['vmcatcher-cron.cfg', 'vmcatcher_eventHndl_ON-drain.service', 'vmcatcher_eventHndl_ON-drain.timer'];
const DOCS = ['ChangeLog', 'LICENSE', 'README.md'].filter((f) => fs.existsSync(path.join(REPO, f))).concat(SHIPPED_DOCS).sort();

let built: BuiltRpm;
beforeAll(async () => {
  built = await buildRpm();
});
afterAll(() => {
  if (built) fs.rmSync(built.out, { recursive: true, force: true });
});

describe('the binary RPM', () => {
  it('is noarch, named and versioned from package.json', () => {
    expect(rpmQuery(built.rpm, '--qf', '%{NAME} %{VERSION} %{RELEASE} %{ARCH}')).toBe(`${NAME} ${VERSION} 1 noarch`);
    expect(fs.existsSync(path.join(REPO, 'LICENSE'))).toBe(true);
  });

  it('holds exactly the expected files', () => {
    const expected = [
      '/etc/vmcatcher_eventHndl_ON.conf',
      '/etc/bash_completion.d/vmcatcher_eventHndl_ON',
      '/etc/logrotate.d/vmcatcher_eventHndl_ON',
      '/var/log/vmcatcher_eventHndl_ON',
      '/usr/bin/vmcatcher_eventHndl_ON',
      '/usr/lib/vmcatcher_eventHndl_ON',
      '/usr/lib/vmcatcher_eventHndl_ON/vmcatcher_eventHndl_ON.js',
      '/usr/share/doc/vmcatcher_eventHndl_ON',
      ...DOCS.map((f) => `/usr/share/doc/vmcatcher_eventHndl_ON/${f}`),
      '/usr/share/man/man8/vmcatcher_eventHndl_ON.8.gz',
      '/var/lib/vmcatcher_eventHndl_ON',
    ].sort();
    expect(rpmLines(built.rpm, '-l').sort()).toEqual(expected);
  });

  it('gives each file its mode, owner and flags: launcher 0755, conf %config(noreplace), state dir 0750', () => {
    const rows = rpmLines(built.rpm, '--qf', '[%{FILENAMES} %{FILEMODES:perms} %{FILEUSERNAME}:%{FILEGROUPNAME} %{FILEFLAGS:fflags}.\\n]');
    const by: Record<string, string> = {};
    for (const r of rows) by[r.split(' ')[0]] = r.split(' ').slice(1).join(' ');
    expect(by['/usr/bin/vmcatcher_eventHndl_ON']).toBe('-rwxr-xr-x root:root .');
    expect(by['/usr/lib/vmcatcher_eventHndl_ON/vmcatcher_eventHndl_ON.js']).toBe('-rw-r--r-- root:root .');
    expect(by['/etc/vmcatcher_eventHndl_ON.conf']).toBe('-rw-r--r-- root:root cn.');
    expect(by['/var/lib/vmcatcher_eventHndl_ON']).toBe('drwxr-x--- root:root .');
    expect(by['/var/log/vmcatcher_eventHndl_ON']).toBe('drwxr-x--- root:root .');
    expect(by['/etc/logrotate.d/vmcatcher_eventHndl_ON']).toBe('-rw-r--r-- root:root cn.');
    expect(by['/etc/bash_completion.d/vmcatcher_eventHndl_ON']).toBe('-rw-r--r-- root:root .');
    expect(by['/usr/share/man/man8/vmcatcher_eventHndl_ON.8.gz']).toBe('-rw-r--r-- root:root d.');
    for (const f of DOCS) expect(by[`/usr/share/doc/vmcatcher_eventHndl_ON/${f}`]).toBe('-rw-r--r-- root:root d.');
    // %post gives the state directory to oneadmin: rpm -V must not report that as a change.
    const verify = rpmLines(built.rpm, '--qf', '[%{FILENAMES} %{FILEVERIFYFLAGS:hex}\\n]').filter((l) => l.indexOf('/var/lib/') === 0)[0];
    expect(Number(verify.split(' ')[1]) & 0x18).toBe(0);
  });

  it('requires nodejs >= 10, qemu-img and tar, and only rpmlib features rpm 4.8 has', () => {
    const requires = rpmLines(built.rpm, '--requires');
    expect(requires.filter((r) => r.indexOf('rpmlib(') !== 0).sort()).toEqual(['/bin/sh', 'nodejs >= 10', 'qemu-img', 'tar']);
    const rpmlib = requires.filter((r) => r.indexOf('rpmlib(') === 0);
    expect(rpmlib.length).toBeGreaterThan(0);
    for (const r of rpmlib) {
      const m = /^rpmlib\((\w+)\) <= (\S+)$/.exec(r);
      expect(m, r).not.toBeNull();
      expect(RPM48_RPMLIB[m![1]], `${r} is unknown to rpm 4.8`).toBe(m![2]);
    }
    expect(requires.join('\n')).not.toMatch(/Zstd|RichDependencies|TildeInVersions|CaretInVersions|DynamicBuildRequires| (or|and|if|with) /);
  });

  it('provides and obsoletes the Python package vmcatcher_eventHndlExpl', () => {
    expect(rpmLines(built.rpm, '--provides')).toContain(`vmcatcher_eventHndlExpl = ${VERSION}-1`);
    expect(rpmLines(built.rpm, '--obsoletes')).toEqual([`vmcatcher_eventHndlExpl < ${VERSION}-1`]);
  });

  it('has a gzip or xz payload and the digests rpm 4.8 checks (header SHA1, MD5), binary and source alike', () => {
    for (const f of [built.rpm, built.srpm]) {
      expect(['gzip', 'xz']).toContain(rpmQuery(f, '--qf', '%{PAYLOADCOMPRESSOR}'));
      const check = execFileSync('rpm', ['-Kv', f], { encoding: 'utf8' });
      expect(check).toMatch(/Header SHA1 digest: OK/);
      expect(check).toMatch(/MD5 digest: OK/);
    }
    expect(rpmLines(built.srpm, '--requires').filter((r) => !/^rpmlib\((CompressedFileNames|FileDigests)\)/.test(r))).toEqual([]);
  });

  it('has one plain-sh %post scriptlet and nothing EL6 lacks', () => {
    const scripts = rpmQuery(built.rpm, '--scripts');
    expect(scripts.match(/^\w+ scriptlet \(using ([^)]+)\)/gm)).toEqual(['postinstall scriptlet (using /bin/sh)']);
    expect(scripts).not.toMatch(/systemctl|systemd|%\{|useradd|install-info|\[\[/);
    expect(rpmQuery(built.rpm, '--triggers')).toBe('');
  });

  it('%post gives the state and log directories to oneadmin when that user exists, and is silent otherwise', async () => {
    const body = rpmQuery(built.rpm, '--qf', '%{POSTIN}');
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vmc-post-'));
    try {
      const bin = path.join(tmp, 'bin');
      fs.mkdirSync(bin);
      const log = path.join(tmp, 'calls');
      fs.writeFileSync(path.join(bin, 'chown'), `#!/bin/sh\necho "chown $*" >> ${log}\n`, { mode: 0o755 });
      const run = async (idScript: string) => {
        fs.writeFileSync(path.join(bin, 'id'), `#!/bin/sh\n${idScript}\n`, { mode: 0o755 });
        if (fs.existsSync(log)) fs.unlinkSync(log);
        const r = await execa('/bin/sh', ['-e', '-c', body], { env: { PATH: `${bin}:/usr/bin:/bin` }, extendEnv: false, reject: false });
        return { code: r.exitCode, calls: fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '' };
      };
      expect(await run('[ "$1" = -gn ] && echo cloud; exit 0')).toEqual({ code: 0, calls: 'chown oneadmin:cloud /var/lib/vmcatcher_eventHndl_ON /var/log/vmcatcher_eventHndl_ON\n' });
      expect(await run('exit 1')).toEqual({ code: 0, calls: '' });
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('comes from a source RPM that rebuilds, offline and without npm, into the same files', async () => {
    const top = path.join(built.out, 'rebuild');
    const r = await execa('rpmbuild', ['--rebuild', '--define', `_topdir ${top}`, built.srpm], {
      env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', HOME: top, LC_ALL: 'C' },
      extendEnv: false,
      reject: false,
    });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toMatch(/\bnpm\b|\bnode\b|esbuild|https?:/);
    const files = (f: string) => rpmLines(f, '--qf', '[%{FILENAMES} %{FILEDIGESTS} %{FILEMODES:perms}\\n]');
    expect(files(path.join(top, 'RPMS/noarch', path.basename(built.rpm)))).toEqual(files(built.rpm));
  });

  it('has a %changelog made from ChangeLog (empty when there is none)', () => {
    const file = path.join(REPO, 'ChangeLog');
    const headers = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').match(/^\d{4}-\d{2}-\d{2}\s+.*<[^>]+>\s*$/gm) || [] : [];
    const entries = rpmQuery(built.rpm, '--changelog').match(/^\* \w{3} \w{3} \d{2} \d{4} /gm) || [];
    expect(entries.length).toBe(headers.length);
  });
});
