// oned.conf's VM_RESTRICTED_ATTR (6.10.5 defaults) and Template::check_restricted: what users
// outside the oneadmin group may not set in a VM template (allocate) nor change (update).
import type { Template } from './templates';

const DEFAULTS =
  'CONTEXT/FILES NIC/MAC NIC/VLAN_ID NIC/BRIDGE NIC/FILTER NIC/FILTER_IP_SPOOFING NIC/FILTER_MAC_SPOOFING NIC/INBOUND_AVG_BW ' +
  'NIC/INBOUND_PEAK_BW NIC/INBOUND_PEAK_KB NIC/OUTBOUND_AVG_BW NIC/OUTBOUND_PEAK_BW NIC/OUTBOUND_PEAK_KB NIC/OPENNEBULA_MANAGED ' +
  'NIC/VCENTER_INSTANCE_ID NIC/VCENTER_NET_REF NIC/VCENTER_PORTGROUP_TYPE NIC/EXTERNAL NIC_ALIAS/MAC NIC_ALIAS/VLAN_ID ' +
  'NIC_ALIAS/BRIDGE NIC_ALIAS/INBOUND_AVG_BW NIC_ALIAS/INBOUND_PEAK_BW NIC_ALIAS/INBOUND_PEAK_KB NIC_ALIAS/OUTBOUND_AVG_BW ' +
  'NIC_ALIAS/OUTBOUND_PEAK_BW NIC_ALIAS/OUTBOUND_PEAK_KB NIC_ALIAS/OPENNEBULA_MANAGED NIC_ALIAS/VCENTER_INSTANCE_ID ' +
  'NIC_ALIAS/VCENTER_NET_REF NIC_ALIAS/VCENTER_PORTGROUP_TYPE NIC_DEFAULT/MAC NIC_DEFAULT/VLAN_ID NIC_DEFAULT/BRIDGE ' +
  'NIC_DEFAULT/FILTER NIC_DEFAULT/EXTERNAL DISK/TOTAL_BYTES_SEC DISK/TOTAL_BYTES_SEC_MAX_LENGTH DISK/TOTAL_BYTES_SEC_MAX ' +
  'DISK/READ_BYTES_SEC DISK/READ_BYTES_SEC_MAX_LENGTH DISK/READ_BYTES_SEC_MAX DISK/WRITE_BYTES_SEC DISK/WRITE_BYTES_SEC_MAX_LENGTH ' +
  'DISK/WRITE_BYTES_SEC_MAX DISK/TOTAL_IOPS_SEC DISK/TOTAL_IOPS_SEC_MAX_LENGTH DISK/TOTAL_IOPS_SEC_MAX DISK/READ_IOPS_SEC ' +
  'DISK/READ_IOPS_SEC_MAX_LENGTH DISK/READ_IOPS_SEC_MAX DISK/WRITE_IOPS_SEC DISK/WRITE_IOPS_SEC_MAX_LENGTH DISK/WRITE_IOPS_SEC_MAX ' +
  'DISK/SIZE_IOPS_SEC DISK/OPENNEBULA_MANAGED DISK/VCENTER_DS_REF DISK/VCENTER_INSTANCE_ID DISK/ORIGINAL_SIZE DISK/SIZE_PREV ' +
  'DEPLOY_ID CPU_COST MEMORY_COST DISK_COST PCI EMULATOR RAW/DATA USER_PRIORITY USER_INPUTS/CPU USER_INPUTS/MEMORY ' +
  'USER_INPUTS/VCPU VCENTER_VM_FOLDER VCENTER_ESX_HOST TOPOLOGY/PIN_POLICY TOPOLOGY/HUGEPAGE_SIZE';

// parse_attributes: a std::map from name to the (sorted) set of sub-attributes; empty set = single attribute.
const RESTRICTED: Array<[string, string[]]> = (() => {
  const m = new Map<string, Set<string>>();
  for (const entry of DEFAULTS.split(' ')) {
    const [name, sub] = entry.split('/');
    if (!m.has(name)) m.set(name, new Set());
    if (sub) m.get(name)?.add(sub);
  }
  return [...m.keys()].sort().map((k) => [k, [...(m.get(k) as Set<string>)].sort()] as [string, string[]]);
})();

const single = (t: Template, name: string): string | undefined => {
  const a = t.find((x) => x.name === name && 'value' in x);
  return a && 'value' in a ? a.value : undefined;
};

/** check_restricted(ra) for a new template: the first restricted (sub-)attribute it holds, or null. */
export function firstRestricted(t: Template): string | null {
  for (const [name, subs] of RESTRICTED) {
    if (subs.length) {
      for (const a of t) {
        if (a.name !== name || 'value' in a) continue;
        const hit = subs.find((s) => a.vector.some(([k]) => k === s));
        if (hit) return hit;
      }
    } else if (single(t, name) !== undefined) {
      return name;
    }
  }
  return null;
}

// restricted_values: "SUBvalue" of every restricted sub-attribute of every vector of the name, sorted.
function restrictedValues(t: Template, name: string, subs: string[]): { exists: boolean; values: string[] } {
  const vectors = t.filter((a) => a.name === name && !('value' in a));
  const values: string[] = [];
  for (const v of vectors) if (!('value' in v)) for (const s of subs) for (const [k, val] of v.vector) if (k === s) values.push(s + val);
  return { exists: vectors.length > 0, values: values.sort() };
}

/**
 * check_restricted(ra, base, append) for an update by a non-admin: the attribute that may not change,
 * or null; a restricted single attribute missing from `next` gets the base's value (returned template).
 */
export function changedRestricted(next: Template, base: Template, append: boolean): { name: string | null; template: Template } {
  let t = next;
  for (const [name, subs] of RESTRICTED) {
    if (subs.length) {
      const now = restrictedValues(t, name, subs);
      const had = restrictedValues(base, name, subs);
      if ((now.exists || (!append && had.exists)) && now.values.join('\n') !== had.values.join('\n')) return { name, template: t };
      continue;
    }
    const now = single(t, name);
    const had = single(base, name);
    if (now !== undefined && now !== (had ?? '')) return { name, template: t };
    if (now === undefined && had !== undefined) t = [...t, { name, value: had }];
  }
  return { name: null, template: t };
}
