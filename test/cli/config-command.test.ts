// `config` through the bundled command: every setting's effective value and where it came from
// (file:line, environment, -s, a dedicated flag, default); the endpoint and the credentials' user; no secret.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SETTINGS } from '../../src/config/settings';
import { NodeKind, PASSWORD } from '../e2e/site';
import { useSite } from '../e2e/use-site';
import { cli } from './cli-site';

const ConfigSchema = z
  .object({
    file: z.string().nullable(),
    settings: z.array(z.object({ key: z.string(), value: z.string().nullable(), default: z.string().nullable(), from: z.string() }).strict()),
    endpoint: z.object({ value: z.string().nullable(), from: z.string() }).strict(),
    credentials: z.object({ user: z.string().nullable(), from: z.string() }).strict(),
  })
  .strict();

describe.each<NodeKind>(['node20', 'node10'])('config under %s', (node) => {
  const getSite = useSite();

  it('shows each setting with its origin, the endpoint and the credentials, never the password', async () => {
    const site = getSite();
    const file = path.join(site.root, 'site.conf');
    fs.writeFileSync(file, '# our site\nVMCHNDL_ON_DATASTORE=fast\n\nVMCHNDL_ON_FORMAT="qcow2"\nVMCHNDL_ON_RETRY_DELAY=30\n');
    const r = await cli(site, node, ['config', '--json', '-c', file, '-s', 'VMCHNDL_ON_RETRY_DELAY=5', '-q'], { VMCHNDL_ON_QUEUE: 'yes' });
    expect(r.code).toBe(0);
    const c = ConfigSchema.parse(JSON.parse(r.stdout));
    const by = (k: string) => c.settings.filter((s) => s.key === k)[0];
    expect(c.settings.map((s) => s.key)).toEqual(SETTINGS.map((s) => s.key));
    expect(c.file).toBe(file);
    expect(by('VMCHNDL_ON_DATASTORE')).toEqual({ key: 'VMCHNDL_ON_DATASTORE', value: 'fast', default: 'default', from: `${file}:2` });
    expect(by('VMCHNDL_ON_FORMAT')).toMatchObject({ value: 'qcow2', from: `${file}:4` });
    // -s goes above the file, the environment above the file too; --quiet sets the log level.
    expect(by('VMCHNDL_ON_RETRY_DELAY')).toMatchObject({ value: '5', from: '-s' });
    expect(by('VMCHNDL_ON_QUEUE')).toMatchObject({ value: 'yes', from: 'environment' });
    expect(by('VMCHNDL_ON_LOG_LEVEL')).toMatchObject({ value: 'warning', from: '--quiet' });
    expect(by('VMCHNDL_ON_NEW_MODE')).toMatchObject({ value: '600', from: 'default' });
    expect(by('VMCHNDL_ON_STATE_DIR')).toMatchObject({ value: site.stateDir, from: 'environment' });
    expect(c.endpoint).toEqual({ value: site.sim.url, from: 'VMCHNDL_ON_ENDPOINT' });
    expect(c.credentials).toEqual({ user: 'oneadmin', from: site.authFile });
    expect(r.stdout + r.stderr).not.toContain(PASSWORD);

    const text = await cli(site, node, ['config', '-c', file, '-s', 'VMCHNDL_ON_ENDPOINT=http://oneadmin:pw-in-url@127.0.0.1:2633/RPC2']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`^VMCHNDL_ON_DATASTORE +fast +${file}:2$`, 'm'));
    expect(text.stdout).toMatch(/^VMCHNDL_ON_ENDPOINT +http:\/\/\*\*\*@127\.0\.0\.1:2633\/RPC2 +-s$/m);
    expect(text.stdout).toMatch(new RegExp(`^credentials: oneadmin:\\*\\*\\* \\(from ${site.authFile}\\)$`, 'm'));
    expect(text.stdout + text.stderr).not.toMatch(/pw-in-url|opennebula-Secret/);
  });

  it('exits 3 naming the setting when the configuration is invalid', async () => {
    const site = getSite();
    const file = path.join(site.root, 'bad.conf');
    fs.writeFileSync(file, 'VMCHNDL_ON_FORMAT=vmdk\n');
    const r = await cli(site, node, ['config', '-c', file]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/VMCHNDL_ON_FORMAT: expected raw or qcow2/);
  });
});
