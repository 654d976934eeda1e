// one.system.config: oned.conf as oned 6.10 serves it (RequestManagerSystem.cc SystemConfig, NebulaTemplate
// to_xml_hidden): root OPENNEBULA_CONFIGURATION, one element per attribute in name order (a multimap),
// values XML-escaped without CDATA, vector attributes as nested elements; DB's credentials read "***"
// unless the caller's primary group is oneadmin.
import type { Ctx } from './context';
import { str, Out } from './wire';

/** A single value, or a vector of named values (oned.conf's `NAME = [ K = V, … ]`). */
export type ConfAttr = { name: string; value: string } | { name: string; vector: Array<[string, string]> };

/** A few of oned.conf's defaults (share/etc/oned.conf of 6.10.5), enough for what clients read. */
export function defaultOnedConf(): ConfAttr[] {
  return [
    { name: 'LOG', vector: [['SYSTEM', 'file'], ['DEBUG_LEVEL', '3'], ['USE_VMS_LOCATION', 'NO']] },
    { name: 'MONITORING_INTERVAL_DATASTORE', value: '300' },
    { name: 'SCRIPTS_REMOTE_DIR', value: '/var/tmp/one' },
    { name: 'DB', vector: [['BACKEND', 'sqlite'], ['TIMEOUT', '2500']] },
    { name: 'PORT', value: '2633' },
    { name: 'LISTEN_ADDRESS', value: '0.0.0.0' },
    { name: 'DATASTORE_CAPACITY_CHECK', value: 'yes' },
    { name: 'DEFAULT_IMAGE_TYPE', value: 'OS' },
    { name: 'DEFAULT_UMASK', value: '177' },
    { name: 'IMAGE_RESTRICTED_ATTR', value: 'SOURCE' },
    { name: 'IMAGE_RESTRICTED_ATTR', value: 'VCENTER_IMPORTED' },
  ];
}

const HIDDEN: Record<string, string[]> = { DB: ['BACKEND', 'SERVER', 'PORT', 'USER', 'PASSWD', 'DB_NAME'] };

// one_util::escape_xml: the five XML entities.
function esc(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] as string);
}

/** The OPENNEBULA_CONFIGURATION document for a caller. */
export function onedConfXml(conf: readonly ConfAttr[], admin: boolean): string {
  // std::multimap: sorted by name, equal names in insertion order.
  const sorted = conf.map((a, i) => ({ a, i })).sort((x, y) => (x.a.name < y.a.name ? -1 : x.a.name > y.a.name ? 1 : x.i - y.i));
  const body = sorted
    .map(({ a }) => {
      if ('value' in a) return `<${a.name}>${esc(a.value)}</${a.name}>`;
      const hidden = admin ? [] : HIDDEN[a.name] || [];
      return `<${a.name}>${a.vector.map(([k, v]) => `<${k}>${hidden.indexOf(k) >= 0 ? '***' : esc(v)}</${k}>`).join('')}</${a.name}>`;
    })
    .join('');
  return `<OPENNEBULA_CONFIGURATION>${body}</OPENNEBULA_CONFIGURATION>`;
}

/** one.system.config: any authenticated user may ask; the document is for admins when the primary group is oneadmin. */
export function systemConfig(ctx: Ctx): Out {
  return str(onedConfXml(ctx.world.onedConf, ctx.caller.gid === 0));
}
