import { describe, expect, it } from 'vitest';
import { fillPlaceholders, parseSiteTemplate } from '../../src/template/parse-site-template';
import { HANDLER_TEMPLATE_ATTRS } from '../../src/template/appliance-template';

const SITE = `# the site's part of every appliance template
NIC = [ NETWORK = "public", NETWORK_UNAME = "oneadmin" ]
GRAPHICS = [
  TYPE = "VNC",   # a comment inside a vector
  LISTEN = "0.0.0.0"
]
SCHED_REQUIREMENTS = "HYPERVISOR=\\"kvm\\""
memory = 2048
DESCRIPTION = "{title} {version}
from {mpuri}"
LOGO = images/logos/{{linux}.png
`;

describe('parseSiteTemplate', () => {
  it('reads single values (quoted or not), vectors over several lines, comments, escaped quotes and multi-line values', () => {
    const r = parseSiteTemplate(SITE);
    if (!r.ok) throw new Error(r.problem.message);
    expect(r.nodes).toEqual([
      { name: 'NIC', vector: { NETWORK: 'public', NETWORK_UNAME: 'oneadmin' } },
      { name: 'GRAPHICS', vector: { TYPE: 'VNC', LISTEN: '0.0.0.0' } },
      { name: 'SCHED_REQUIREMENTS', value: 'HYPERVISOR="kvm"' },
      { name: 'MEMORY', value: '2048' },
      { name: 'DESCRIPTION', value: '{title} {version}\nfrom {mpuri}' },
      { name: 'LOGO', value: 'images/logos/{{linux}.png' },
    ]);
    expect(fillPlaceholders('{title} {version} {{x}', { title: 'Alpha', version: '2.0' })).toBe('Alpha 2.0 {x}');
  });

  it.each([
    ['NIC = [ NETWORK = "public"', 1, 'not closed'],
    ['A = 1\nB = "open\n', 2, 'not closed'],
    ['A = 1\n= 2', 2, 'expected an attribute name'],
    ['A 1', 1, 'expected = after A'],
    ['A =', 1, 'A has no value'],
    ['A = "x" B = "y"', 1, 'one attribute a line'],
    ['NIC = [ A = "x" B = "y" ]', 1, 'expected , or ]'],
    ['NIC = [ A = "x", A = "y" ]', 1, 'NIC sets A twice'],
    ['\n\nNAME = "{nmae}"', 3, 'unknown placeholder {nmae}'],
    ['DISK = [ IMAGE_ID = 4 ]', 1, 'DISK/IMAGE_ID is set by the handler'],
    ['# x\nVMCHNDL_ON_RUN = 1', 2, 'VMCHNDL_ON_RUN is set by the handler'],
  ])('refuses %j at line %d: %s', (text, line, message) => {
    const r = parseSiteTemplate(text, HANDLER_TEMPLATE_ATTRS);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problem.line).toBe(line);
    expect(r.problem.message).toContain(message);
  });
});
