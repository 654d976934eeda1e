// No external command is ever run through a shell: shell syntax in every event variable (and in
// vmcatcher's directory names) creates no marker file, and every value reaches OpenNebula exactly.
import * as fs from 'fs';
import * as path from 'path';
import { afterEach, describe, expect, it } from 'vitest';
import { requireQemuImg } from '../helpers/images';
import { ALPHA, cacheImage, imageListSays } from '../e2e/scenario';
import { makeSite, NodeKind, readEventFixture, runHook, Site } from '../e2e/site';
import { installRecorders, Recorders, recordedCalls } from './helpers-b/recorders';
import { shQuote } from './helpers-b/raw-env';

/** Six ways a shell would run `touch <marker>`; each value keeps some text around the syntax. */
function payloads(markerDir: string, tag: string): string[] {
  const m = (n: number) => path.join(markerDir, `${tag}-${n}`);
  return [
    `a$(touch ${m(1)})b`,
    `a\`touch ${m(2)}\`b`,
    `a; touch ${m(3)}; b`,
    `a | touch ${m(4)}`,
    `a && touch ${m(5)} || touch ${m(5)}`,
    `a > ${m(6)} < /dev/null & touch ${m(6)} #`,
  ];
}

interface ShellSite {
  site: Site;
  rec: Recorders;
  markers: string;
  shellLog: string;
}

/** A site whose vmcatcher directories and markers are named with shell syntax, with recorders on PATH. */
async function shellSite(): Promise<ShellSite> {
  requireQemuImg();
  const site = await makeSite();
  const rec = installRecorders(site);
  Object.assign(site.baseEnv, rec.settings);
  const markers = path.join(site.root, 'markers');
  fs.mkdirSync(markers);
  // A `sh` or `bash` looked up by name would be these, and would say so.
  const shellLog = path.join(site.root, 'rec-shell.log');
  for (const sh of ['sh', 'bash', 'dash']) {
    fs.writeFileSync(path.join(rec.binDir, sh), `#!/bin/sh\necho "${sh} $*" >> ${shQuote(shellLog)}\nexec /bin/sh "$@"\n`, { mode: 0o755 });
  }
  return { site, rec, markers, shellLog };
}

/** Every VMCATCHER_EVENT_* of the real dump set to shell syntax, except those with strict rules (and the session, set apart). */
function hostileVars(markers: string): Record<string, string> {
  const ev = readEventFixture('03-AvailablePostfix.env');
  const strict = ['VMCATCHER_EVENT_UUID_SESSION', 'VMCATCHER_EVENT_DC_IDENTIFIER', 'VMCATCHER_EVENT_FILENAME', 'VMCATCHER_EVENT_TYPE', 'VMCATCHER_EVENT_SL_CHECKSUM_SHA512', 'VMCATCHER_EVENT_HV_SIZE'];
  const out: Record<string, string> = {};
  let n = 0;
  for (const k of Object.keys(ev).filter((x) => x.indexOf('VMCATCHER_EVENT_') === 0 && strict.indexOf(x) < 0)) {
    const all = payloads(markers, k);
    out[k] = all[n++ % all.length];
  }
  out.VMCATCHER_EVENT_DC_DESCRIPTION = payloads(markers, 'description').join('\n');
  return out;
}

describe.each<NodeKind>(['node20', 'node10'])('no shell, under %s', (node) => {
  let s: ShellSite | undefined;
  afterEach(async () => {
    if (s) await s.site.close();
    s = undefined;
  });

  it('shell syntax in every variable runs nothing and arrives in OpenNebula exactly', async () => {
    s = await shellSite();
    const { site, rec, markers } = s;
    // vmcatcher's directories may be named anything: these go to qemu-img as arguments.
    const vmc = path.join(site.root, `vmc $(touch ${markers}/dir-1);x\`touch ${markers}/dir-2\``);
    const cache = path.join(vmc, 'cache');
    fs.mkdirSync(path.join(cache, 'expired'), { recursive: true });
    const siteView: Site = Object.assign({}, site, { cacheDir: cache });
    const img = cacheImage(siteView, 'qcow2', 'alpha-v1');
    const vars = hostileVars(markers);
    const common = {
      VMCATCHER_CACHE_DIR_CACHE: cache,
      VMCATCHER_CACHE_DIR_DOWNLOAD: path.join(vmc, `partial|touch ${markers}/dir-3`),
      VMCATCHER_CACHE_DIR_EXPIRE: path.join(cache, 'expired'),
      VMCATCHER_EVENT_UUID_SESSION: payloads(markers, 'session')[0],
      VMCATCHER_RDBMS: `sqlite:////var/lib/vmcatcher/db; touch ${markers}/rdbms`,
    };
    const available = Object.assign({}, vars, common, {
      VMCATCHER_EVENT_TYPE: 'AvailablePostfix',
      VMCATCHER_EVENT_DC_IDENTIFIER: ALPHA,
      VMCATCHER_EVENT_FILENAME: ALPHA,
      VMCATCHER_EVENT_SL_CHECKSUM_SHA512: img.sha512,
    });

    const r = await runHook(site, available, { node, args: ['-v'] });
    expect({ code: r.code, stderr: r.stderr.slice(-2000) }).toMatchObject({ code: 0 });
    await site.sim.settle();
    const registered = site.sim.images().filter((i) => i.name === ALPHA);
    expect(registered).toHaveLength(1);
    for (const k of Object.keys(vars)) expect({ k, v: registered[0].template[k] }).toEqual({ k, v: vars[k] });
    expect(registered[0].template.VMCATCHER_EVENT_UUID_SESSION).toBe(common.VMCATCHER_EVENT_UUID_SESSION);
    expect(registered[0].template.DESCRIPTION).toBe(vars.VMCATCHER_EVENT_DC_DESCRIPTION);
    // qemu-img got the directory name as one argument, unchanged.
    expect(recordedCalls(rec.qemuLog).some((c) => c.indexOf(`convert`) >= 0 && c.indexOf(img.file) >= 0)).toBe(true);

    // Expiry: vmcatcher_image gets VMCATCHER_RDBMS exactly, in its environment.
    const expire = Object.assign({}, vars, common, imageListSays(1), {
      VMCATCHER_EVENT_TYPE: 'ExpirePostfix',
      VMCATCHER_EVENT_DC_IDENTIFIER: ALPHA,
      VMCATCHER_EVENT_FILENAME: `${ALPHA}.2014-06-04_12-54-44`,
    });
    const e = await runHook(site, expire, { node, args: ['-v'] });
    expect({ code: e.code, stderr: e.stderr.slice(-2000) }).toMatchObject({ code: 0 });
    expect(recordedCalls(rec.vmcatcherImageLog)).toEqual(['call -l']);
    expect(fs.readFileSync(rec.vmcatcherImageLog, 'utf8').split('\n')).toContain(`  env VMCATCHER_RDBMS=${common.VMCATCHER_RDBMS}`);
    expect(site.sim.images().filter((i) => i.name === ALPHA)).toHaveLength(0);

    // An event type that is shell syntax is only an unknown type.
    const odd = await runHook(site, Object.assign({}, common, { VMCATCHER_EVENT_TYPE: payloads(markers, 'type')[0] }), { node });
    expect(odd.code).toBe(0);
    expect(odd.stderr).toMatch(/nothing to do for this event type/);

    expect(fs.readdirSync(markers)).toEqual([]);
    expect(fs.existsSync(s.shellLog)).toBe(false);
  }, 60000);
});
