import { describe, expect, it } from 'vitest';
import { buildApplianceTemplate, chooseTemplateName, openNebulaArch, withDiskImage } from '../../src/template/appliance-template';
import { parseSiteTemplate } from '../../src/template/parse-site-template';

const FACTS = { identifier: 'id-1', title: 'Alpha Linux Base', description: 'Alpha', version: '2.0', mpuri: 'https://appdb/x:1/', arch: 'x86_64', vo: 'vo.test' };

describe('the appliance template', () => {
  it('maps sl:arch to what OpenNebula expects', () => {
    expect(['x86_64', 'amd64', 'i386', 'i686', 'x86', 'arm64', 'aarch64', 'sparc', undefined].map(openNebulaArch)).toEqual([
      'x86_64',
      'x86_64',
      'i686',
      'i686',
      'i686',
      'aarch64',
      'aarch64',
      undefined,
      undefined,
    ]);
  });

  it('names the template after the title, unique among the owner\'s names, else the identifier', () => {
    expect(chooseTemplateName(FACTS, [])).toBe('Alpha Linux Base');
    expect(chooseTemplateName(FACTS, ['Alpha Linux Base', 'Alpha Linux Base (2)'])).toBe('Alpha Linux Base (3)');
    expect(chooseTemplateName({ identifier: 'id-1', title: ' \n ' }, [])).toBe('id-1');
  });

  it('has the defaults, with the site file merged over them and the handler\'s attributes last', () => {
    const site = parseSiteTemplate('MEMORY = 4096\nCONTEXT = [ START_SCRIPT = "echo {identifier}" ]\nDISK = [ DEV_PREFIX = "vd" ]\nNIC = [ NETWORK = "public" ]');
    if (!site.ok) throw new Error(site.problem.message);
    const nodes = buildApplianceTemplate({ facts: FACTS, name: 'Alpha Linux Base', memory: 512, cpu: 2, runId: 'run-1', site: site.nodes });
    expect(withDiskImage(nodes, 42)).toEqual([
      { name: 'NAME', value: 'Alpha Linux Base' },
      { name: 'DISK', vector: { IMAGE_ID: '42', DEV_PREFIX: 'vd' } },
      { name: 'MEMORY', value: '4096' },
      { name: 'CPU', value: '2' },
      { name: 'VCPU', value: '2' },
      { name: 'OS', vector: { ARCH: 'x86_64' } },
      { name: 'CONTEXT', vector: { NETWORK: 'YES', SSH_PUBLIC_KEY: '$USER[SSH_PUBLIC_KEY]', START_SCRIPT: 'echo id-1' } },
      { name: 'NIC', vector: { NETWORK: 'public' } },
      { name: 'CLOUDKEEPER_APPLIANCE_MPURI', value: 'https://appdb/x:1/' },
      { name: 'CLOUDKEEPER_APPLIANCE_DESCRIPTION', value: 'Alpha' },
      { name: 'CLOUDKEEPER_APPLIANCE_VERSION', value: '2.0' },
      { name: 'CLOUDKEEPER_APPLIANCE_ARCHITECTURE', value: 'x86_64' },
      { name: 'VMCATCHER_EVENT_AD_MPURI', value: 'https://appdb/x:1/' },
      { name: 'VMCATCHER_EVENT_HV_VERSION', value: '2.0' },
      { name: 'VMCATCHER_EVENT_DC_IDENTIFIER', value: 'id-1' },
      { name: 'VMCHNDL_ON_RUN', value: 'run-1' },
    ]);
  });
});
