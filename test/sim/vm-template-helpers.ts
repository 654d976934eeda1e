// Set-up helpers for VM templates (no XML-RPC involved): one made directly in the world, as a
// co-tenant or an admin would have created it, and the deep copies tests assert on.
import { parseMode, umaskPerms } from './authz';
import type { VmTemplate, World } from './state';
import { attributeName, parseTemplate, singles, sortedAttrs, storable, Template } from './templates';
import { vmFlavour } from './vm-templates';
import type { SimTemplateInput, SimVmTemplate } from './types';

/** A deep copy of a VM template: single attributes as a record, every attribute in `nodes` in oned's order (vectors as records). */
export function toSimTemplate(w: World, t: VmTemplate): SimVmTemplate {
  return {
    id: t.id,
    uid: t.uid,
    gid: t.gid,
    uname: w.userName(t.uid),
    gname: w.groupName(t.gid),
    name: t.name,
    permissions: [...t.perms],
    regtime: t.regtime,
    ...(t.lock ? { lock: t.lock.level } : {}),
    template: singles(t.template),
    nodes: sortedAttrs(t.template).map((a) => ('value' in a ? { name: a.name, value: a.value } : { name: a.name, vector: Object.fromEntries(a.vector) })),
  };
}

/** Template attributes from a record: a string is a single value, an object a vector, an array several vectors. */
export function templateFromInput(input: SimTemplateInput): Template {
  const t: Template = [];
  for (const key of Object.keys(input)) {
    const name = attributeName(key);
    const v = input[key];
    if (typeof v === 'string') t.push({ name, value: v });
    else for (const vec of Array.isArray(v) ? v : [v]) t.push({ name, vector: Object.keys(vec).map((k) => [k.toUpperCase(), vec[k]] as [string, string]) });
  }
  return t;
}

/** Creates a VM template directly: default owner oneadmin, the owner's group, mode from the umask (600). */
export function addTemplate(w: World, i: { name: string; uid?: number; gid?: number; mode?: string; template?: SimTemplateInput | string; regtime?: number }): number {
  const uid = i.uid ?? 0;
  const gid = i.gid ?? w.users.get(uid)?.gid ?? 0;
  if (!w.users.has(uid) || !w.groups.has(gid)) throw new Error(`oned simulator: user ${uid} or group ${gid} does not exist`);
  if ([...w.vmTemplates.values()].some((t) => t.uid === uid && t.name === i.name)) throw new Error(`oned simulator: user ${uid} already owns a template named ${i.name}`);
  const id = w.nextTemplate++;
  let input: Template;
  if (typeof i.template === 'string') {
    const parsed = parseTemplate(i.template, vmFlavour(w.version));
    if (!parsed.ok) throw new Error(`oned simulator: template of ${i.name}: ${parsed.error}`);
    input = parsed.template;
  } else {
    input = templateFromInput(i.template ?? {});
  }
  const template = storable(input.filter((a) => a.name !== 'NAME'));
  w.vmTemplates.set(id, { id, uid, gid, name: i.name, perms: i.mode ? parseMode(i.mode) : umaskPerms(), regtime: i.regtime ?? Math.floor(Date.now() / 1000), template });
  return id;
}
