// one.system.config through the real client against the simulator: oned.conf's IMAGE_RESTRICTED_ATTR
// lines as oned 6.10 serves them (RequestManagerSystem.cc, NebulaTemplate::to_xml_hidden).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOneClient } from '../../src/one/client';
import { parseOnedConfig } from '../../src/one/parse-config';
import { startSimulator, type Simulator } from '../sim/index';
import { onedConfXml } from '../sim/system-config';

describe('one.system.config', () => {
  let sim: Simulator;
  beforeEach(async () => {
    sim = await startSimulator();
  });
  afterEach(() => sim.close());

  it("returns oned.conf's restricted image attributes, repeated lines in order, for admins and users", async () => {
    const admin = createOneClient({ endpoint: sim.url, session: 'oneadmin:opennebula' });
    expect((await admin.systemConfig()).attrs.IMAGE_RESTRICTED_ATTR).toEqual(['SOURCE', 'VCENTER_IMPORTED']);
    sim.setImageRestrictedAttrs(['SOURCE', 'VMCATCHER_EVENT_DC_IDENTIFIER', 'VMCHNDL_ON_RETIRED']);
    const conf = await admin.systemConfig();
    expect(conf.attrs.IMAGE_RESTRICTED_ATTR).toEqual(['SOURCE', 'VMCATCHER_EVENT_DC_IDENTIFIER', 'VMCHNDL_ON_RETIRED']);
    expect(conf.attrs.PORT).toEqual(['2633']);
    // Vector attributes (DB = [...]) are not single values.
    expect(conf.attrs.DB).toBeUndefined();
    sim.addUser({ name: 'alice', password: 'a' });
    const alice = createOneClient({ endpoint: sim.url, session: 'alice:a' });
    expect((await alice.systemConfig()).attrs.IMAGE_RESTRICTED_ATTR).toHaveLength(3);
  });

  it('hides the DB credentials from callers outside the oneadmin group, as oned does', () => {
    const conf = [{ name: 'DB', vector: [['BACKEND', 'mysql'], ['PASSWD', 'x<y'], ['TIMEOUT', '2500']] as Array<[string, string]> }];
    expect(onedConfXml(conf, false)).toBe('<OPENNEBULA_CONFIGURATION><DB><BACKEND>***</BACKEND><PASSWD>***</PASSWD><TIMEOUT>2500</TIMEOUT></DB></OPENNEBULA_CONFIGURATION>');
    expect(onedConfXml(conf, true)).toContain('<PASSWD>x&lt;y</PASSWD>');
    expect(parseOnedConfig('<OPENNEBULA_CONFIGURATION/>').attrs).toEqual({});
    expect(() => parseOnedConfig('<IMAGE/>')).toThrow(/OPENNEBULA_CONFIGURATION/);
  });
});
