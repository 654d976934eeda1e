// The OPENNEBULA_CONFIGURATION document (one.system.config): oned.conf's single-valued attributes.

import type { OnedConfig } from './types';
import { asList, rootOf, shapeError } from './parse-common';

/** Parses the answer of one.system.config; vector attributes (DB = [...]) are left out. */
export function parseOnedConfig(xml: string): OnedConfig {
  const root = rootOf(xml, 'OPENNEBULA_CONFIGURATION');
  const attrs: Record<string, string[]> = {};
  if (root === '') return { attrs };
  if (typeof root !== 'object' || Array.isArray(root)) throw shapeError('OPENNEBULA_CONFIGURATION', '', 'expected one element');
  for (const key of Object.keys(root)) {
    const values = asList(root[key]).filter((v): v is string => typeof v === 'string');
    if (values.length) attrs[key] = values;
  }
  return { attrs };
}
