// The VM template a first registration creates: the defaults (name, disk, memory, CPUs, architecture,
// context, the attributes cloud-info-provider publishes by) and the site's part on top. Pure.
import {
  ATTR_CK_ARCHITECTURE,
  ATTR_CK_DESCRIPTION,
  ATTR_CK_MPURI,
  ATTR_CK_VERSION,
  ATTR_IDENTIFIER,
  ATTR_MPURI,
  ATTR_RETIRED,
  ATTR_RETIRED_FROM_GID,
  ATTR_RETIRED_FROM_MODE,
  ATTR_RUN,
  ATTR_VERSION,
  TPL_ARCH,
  TPL_CONTEXT,
  TPL_CPU,
  TPL_DISK,
  TPL_MEMORY,
  TPL_OS,
  TPL_VCPU,
} from '../attributes';
import type { TemplateNode } from '../one/types';
import { fillPlaceholders } from './parse-site-template';

/** Attributes only the handler sets on its templates (a site template may not). */
export const HANDLER_TEMPLATE_ATTRS: readonly string[] = [
  ATTR_RUN,
  ATTR_IDENTIFIER,
  ATTR_MPURI,
  ATTR_VERSION,
  ATTR_CK_MPURI,
  ATTR_CK_DESCRIPTION,
  ATTR_CK_VERSION,
  ATTR_CK_ARCHITECTURE,
  ATTR_RETIRED,
  ATTR_RETIRED_FROM_GID,
  ATTR_RETIRED_FROM_MODE,
];

/** What the appliance says about itself (from the event or the image's attributes). */
export interface ApplianceFacts {
  readonly identifier: string;
  readonly title?: string;
  readonly description?: string;
  readonly version?: string;
  readonly mpuri?: string;
  /** VMCATCHER_EVENT_SL_ARCH as the image list writes it. */
  readonly arch?: string;
  readonly vo?: string;
}

/** OpenNebula's OS/ARCH for an image list's sl:arch, or undefined when it has none. */
export function openNebulaArch(slArch: string | undefined): string | undefined {
  const a = (slArch || '').trim().toLowerCase();
  if (/^(x86_64|x86-64|amd64|x64)$/.test(a)) return 'x86_64';
  if (/^(i[3-6]86|x86|ia32)$/.test(a)) return 'i686';
  if (/^(aarch64|arm64)$/.test(a)) return 'aarch64';
  if (/^(ppc64le|ppc64el)$/.test(a)) return 'ppc64le';
  if (/^(ppc64|s390x|armv7l)$/.test(a)) return a;
  return undefined;
}

/** The attributes that say which version of the appliance a template serves (set again at each rotation). */
export function versionAttrs(f: ApplianceFacts): Record<string, string> {
  const out: Record<string, string> = {};
  const put = (k: string, v: string | undefined) => {
    if (v !== undefined && v !== '') out[k] = v;
  };
  put(ATTR_CK_MPURI, f.mpuri);
  put(ATTR_CK_DESCRIPTION, f.description || f.title);
  put(ATTR_CK_VERSION, f.version);
  put(ATTR_CK_ARCHITECTURE, f.arch);
  put(ATTR_MPURI, f.mpuri);
  put(ATTR_VERSION, f.version);
  return out;
}

/** A VM template name for the title: unique among `taken` (the owner's template names). */
export function chooseTemplateName(f: ApplianceFacts, taken: readonly string[]): string {
  // Names are one line: what else the title holds is blanked.
  const title = (f.title || '').replace(/[\u0000-\u001f\u007f]+/g, ' ').trim().slice(0, 120);
  if (!title) return f.identifier;
  if (taken.indexOf(title) < 0) return title;
  for (let n = 2; n < 100; n++) if (taken.indexOf(`${title} (${n})`) < 0) return `${title} (${n})`;
  return taken.indexOf(`${title} (${f.identifier})`) < 0 ? `${title} (${f.identifier})` : f.identifier;
}

export interface BuildInput {
  readonly facts: ApplianceFacts;
  readonly name: string;
  readonly memory: number;
  readonly cpu: number;
  readonly runId: string;
  /** The site's part (VMCHNDL_ON_TEMPLATE_FILE), placeholders not yet filled. */
  readonly site?: readonly TemplateNode[];
}

/**
 * The template's attributes in order; the first DISK is the appliance's disk and gets IMAGE_ID when it is
 * allocated (templates.ts). The site's single attributes replace the defaults of the same name; its first
 * DISK, OS and CONTEXT are merged key by key into the defaults'; everything else it has is added.
 */
export function buildApplianceTemplate(b: BuildInput): TemplateNode[] {
  const f = b.facts;
  const arch = openNebulaArch(f.arch);
  const nodes: TemplateNode[] = [
    { name: 'NAME', value: b.name },
    { name: TPL_DISK, vector: {} },
    { name: TPL_MEMORY, value: String(b.memory) },
    { name: TPL_CPU, value: String(b.cpu) },
    { name: TPL_VCPU, value: String(b.cpu) },
  ];
  if (arch) nodes.push({ name: TPL_OS, vector: { [TPL_ARCH]: arch } });
  nodes.push({ name: TPL_CONTEXT, vector: { NETWORK: 'YES', SSH_PUBLIC_KEY: '$USER[SSH_PUBLIC_KEY]' } });
  const values: Record<string, string> = {
    identifier: f.identifier,
    title: f.title || f.identifier,
    description: f.description || '',
    version: f.version || '',
    mpuri: f.mpuri || '',
    arch: arch || '',
    memory: String(b.memory),
    cpu: String(b.cpu),
    vcpu: String(b.cpu),
    vo: f.vo || '',
  };
  const merged: string[] = [];
  for (const s of b.site || []) {
    if ('value' in s) {
      const v = fillPlaceholders(s.value, values);
      const at = nodes.map((n) => n.name).indexOf(s.name);
      if (at >= 0 && 'value' in nodes[at]) nodes[at] = { name: s.name, value: v };
      else nodes.push({ name: s.name, value: v });
      continue;
    }
    const vector: Record<string, string> = {};
    for (const k of Object.keys(s.vector)) vector[k] = fillPlaceholders(s.vector[k], values);
    const at = nodes.map((n) => n.name).indexOf(s.name);
    const base = at >= 0 ? nodes[at] : undefined;
    if (base && 'vector' in base && merged.indexOf(s.name) < 0) {
      merged.push(s.name);
      nodes[at] = { name: s.name, vector: Object.assign({}, base.vector, vector) };
    } else nodes.push({ name: s.name, vector });
  }
  const attrs = versionAttrs({ identifier: f.identifier, title: f.title, description: f.description, version: f.version, mpuri: f.mpuri, arch: f.arch });
  for (const k of Object.keys(attrs)) nodes.push({ name: k, value: attrs[k] });
  nodes.push({ name: ATTR_IDENTIFIER, value: f.identifier });
  nodes.push({ name: ATTR_RUN, value: b.runId });
  return nodes;
}

/** The nodes with the first DISK pointing at `imageId` (an image named otherwise loses the other names). */
export function withDiskImage(nodes: readonly TemplateNode[], imageId: number): TemplateNode[] {
  let set = false;
  const out = nodes.map((n) => {
    if (set || n.name !== TPL_DISK || !('vector' in n)) return n;
    set = true;
    const v: Record<string, string> = { IMAGE_ID: String(imageId) };
    for (const k of Object.keys(n.vector)) if (['IMAGE_ID', 'IMAGE', 'IMAGE_UNAME', 'IMAGE_UID'].indexOf(k) < 0) v[k] = n.vector[k];
    return { name: n.name, vector: v };
  });
  return set ? out : out.concat([{ name: TPL_DISK, vector: { IMAGE_ID: String(imageId) } }]);
}
