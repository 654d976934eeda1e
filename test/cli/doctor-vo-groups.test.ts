// `doctor` checks every group VMCHNDL_ON_VO_GROUPS maps a VO to, by name or id.
import { describe, expect, it } from 'vitest';
import { useSite } from '../e2e/use-site';
import { cli } from './cli-site';

describe('doctor: VO groups', () => {
  const getSite = useSite();

  it('says OK when every mapped group exists, FAIL naming the VO and the group otherwise; nothing when unset', async () => {
    const site = getSite();
    const gid = site.sim.addGroup('fedcloud');
    const checks = async (env: Record<string, string>) => {
      const r = await cli(site, 'node20', ['doctor', '--json'], env);
      return { code: r.code, vo: (JSON.parse(r.stdout).checks as { id: string; status: string; message: string; fix?: string }[]).filter((c) => c.id === 'vo-groups') };
    };
    expect((await checks({})).vo).toEqual([]);
    const ok = await checks({ VMCHNDL_ON_VO_GROUPS: `fedcloud.egi.eu=fedcloud,vo.access.egi.eu=${gid}` });
    expect(ok.vo).toEqual([
      { id: 'vo-groups', status: 'ok', message: `VMCHNDL_ON_VO_GROUPS: fedcloud.egi.eu → group ${gid} fedcloud, vo.access.egi.eu → group ${gid} fedcloud (mode 640)` },
    ]);
    const bad = await checks({ VMCHNDL_ON_VO_GROUPS: 'fedcloud.egi.eu=fedcloud,vo.access.egi.eu=4242' });
    expect(bad.code).not.toBe(0);
    expect(bad.vo[0]).toMatchObject({ status: 'fail', message: 'VMCHNDL_ON_VO_GROUPS: VO "vo.access.egi.eu" is mapped to group "4242", which does not exist' });
    expect(bad.vo[0].fix).toMatch(/onegroup create/);
  });
});
