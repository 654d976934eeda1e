// doctor: the site's VM template file (VMCHNDL_ON_TEMPLATE_FILE), read and parsed as an event would.
import type { Config } from '../config/config';
import { InvalidConfigError } from '../errors';
import { readSiteTemplate } from '../template/read-site-template';
import { CheckResult, result } from './types';

/** The template file parses; nothing when VM templates are off (VMCHNDL_ON_TEMPLATE=no) and no file is set. */
export function checkTemplateFile(config: Config): CheckResult[] {
  if (!config.template) {
    if (config.templateFile === undefined) return [];
    return [result('template-file', 'warn', `VMCHNDL_ON_TEMPLATE_FILE is set but VMCHNDL_ON_TEMPLATE is no: the file is not used`, 'set VMCHNDL_ON_TEMPLATE=yes to keep a VM template per appliance, or unset VMCHNDL_ON_TEMPLATE_FILE')];
  }
  if (config.templateFile === undefined) return [result('template-file', 'ok', 'VM templates on; no VMCHNDL_ON_TEMPLATE_FILE: new templates get only the handler\'s attributes')];
  try {
    const nodes = readSiteTemplate(config.templateFile);
    return [result('template-file', 'ok', `VMCHNDL_ON_TEMPLATE_FILE ${config.templateFile}: ${nodes.length} attribute(s) (${nodes.map((n) => n.name).join(', ')})`)];
  } catch (e) {
    if (!(e instanceof InvalidConfigError)) throw e;
    return [result('template-file', 'fail', e.problems.join('; '), 'correct the file: every event that makes a VM template fails with exit 3 until then')];
  }
}
