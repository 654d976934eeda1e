// Reads VMCHNDL_ON_TEMPLATE_FILE: a file that cannot be read or parsed is a configuration error
// (exit 3, the event kept), found before anything changes in OpenNebula.
import * as fs from 'fs';
import { InvalidConfigError } from '../errors';
import type { TemplateNode } from '../one/types';
import { HANDLER_TEMPLATE_ATTRS } from './appliance-template';
import { parseSiteTemplate } from './parse-site-template';

/** The site's template nodes; throws InvalidConfigError naming the setting, the file, the line and the problem. */
export function readSiteTemplate(file: string): TemplateNode[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new InvalidConfigError([`VMCHNDL_ON_TEMPLATE_FILE: cannot read ${file} (${(e as NodeJS.ErrnoException).code || (e as Error).message})`]);
  }
  const parsed = parseSiteTemplate(text, HANDLER_TEMPLATE_ATTRS);
  if (!parsed.ok) throw new InvalidConfigError([`VMCHNDL_ON_TEMPLATE_FILE: ${file} line ${parsed.problem.line}: ${parsed.problem.message}`]);
  return parsed.nodes.slice();
}
