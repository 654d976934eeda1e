// `doctor` reads and parses VMCHNDL_ON_TEMPLATE_FILE as an event would.
import * as fs from 'fs';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { useSite } from '../e2e/use-site';
import { cli } from './cli-site';

describe('doctor: the VM template file', () => {
  const getSite = useSite();

  it('is quiet with templates off, OK for a good file, FAIL naming the file and line for a bad one, WARN for a file not used', async () => {
    const site = getSite();
    const checks = async (env: Record<string, string>) => {
      const r = await cli(site, 'node20', ['doctor', '--json'], env);
      return { code: r.code, t: (JSON.parse(r.stdout).checks as { id: string; status: string; message: string; fix?: string }[]).filter((c) => c.id === 'template-file') };
    };
    expect((await checks({})).t).toEqual([]);
    const good = path.join(site.root, 'good.tmpl');
    fs.writeFileSync(good, '# site part\nNIC = [ NETWORK = "public", NETWORK_UNAME = "oneadmin" ]\nGRAPHICS = [ TYPE = "vnc", LISTEN = "0.0.0.0" ]\n');
    const ok = await checks({ VMCHNDL_ON_TEMPLATE: 'yes', VMCHNDL_ON_TEMPLATE_FILE: good });
    expect(ok.t).toEqual([{ id: 'template-file', status: 'ok', message: `VMCHNDL_ON_TEMPLATE_FILE ${good}: 2 attribute(s) (NIC, GRAPHICS)` }]);
    const bad = path.join(site.root, 'bad.tmpl');
    fs.writeFileSync(bad, 'NIC = [ NETWORK = "public"\nMEMORY = 2048\n');
    const failed = await checks({ VMCHNDL_ON_TEMPLATE: 'yes', VMCHNDL_ON_TEMPLATE_FILE: bad });
    expect(failed.code).not.toBe(0);
    expect(failed.t[0].status).toBe('fail');
    expect(failed.t[0].message).toContain(`VMCHNDL_ON_TEMPLATE_FILE: ${bad} line `);
    const unused = await checks({ VMCHNDL_ON_TEMPLATE_FILE: good });
    expect(unused.t[0]).toMatchObject({ status: 'warn', message: expect.stringContaining('VMCHNDL_ON_TEMPLATE is no') });
  });
});
