// Helpers for the VM template end-to-end tests: settings, vmcatcher's cache.index, what the admin does to
// a template (through the project's client), and templates in a form two runs can be compared by.
import * as fs from 'fs';
import * as path from 'path';
import type { TemplateNode } from '../../src/one/types';
import { ALPHA } from './scenario';
import type { Site } from './site';

export const TEMPLATE_ON = { VMCHNDL_ON_TEMPLATE: 'yes' };

/** vmcatcher's cache.index for ALPHA, with the image list's minimum memory and cores. */
export function writeCacheIndex(site: Site, ram = '512', cores = '2'): void {
  const entry = { 'dc:identifier': ALPHA, 'dc:title': 'Alpha Linux Base', 'hv:image.hv:ram_minimum': ram, 'hv:image.hv:core_minimum': cores };
  fs.writeFileSync(path.join(site.cacheDir, 'cache.index'), JSON.stringify({ [ALPHA]: entry }));
}

/** The project's client, logged in as the site's user (oneadmin), as an admin's CLI would be. */
export async function adminClient(site: Site) {
  const { createOneClient } = await import('../../src/one/client');
  return createOneClient({ endpoint: site.sim.url, session: fs.readFileSync(site.authFile, 'utf8').trim() });
}

/** What `onetemplate update --append` does with these nodes. */
export async function adminEdit(site: Site, id: number, nodes: TemplateNode[]): Promise<void> {
  await (await adminClient(site)).templateUpdate(id, nodes, true);
}

/** The handler's record of ALPHA. */
export function recordOf(site: Site): { current: { id: number } | null; template?: { id: number } } {
  return JSON.parse(fs.readFileSync(path.join(site.stateDir, 'records', `${ALPHA}.json`), 'utf8'));
}

/** The site's VM templates with ids, times and run markers left out (image ids as "current"/"other"). */
export function normalizedTemplates(site: Site) {
  const current = site.sim.images().filter((i) => i.name === ALPHA)[0];
  const img = (v: string) => (current && v === String(current.id) ? 'current' : 'other');
  return site.sim.templates().map((t) => ({
    name: t.name,
    uid: t.uid,
    gid: t.gid,
    permissions: t.permissions.join(''),
    nodes: t.nodes
      .filter((n) => n.name !== 'VMCHNDL_ON_RUN' && n.name !== 'VMCHNDL_ON_RETIRED')
      .map((n) => ('value' in n ? n : { name: n.name, vector: n.name === 'DISK' ? Object.assign({}, n.vector, { IMAGE_ID: img(n.vector.IMAGE_ID) }) : n.vector })),
    retired: Boolean(t.template.VMCHNDL_ON_RETIRED),
  }));
}
