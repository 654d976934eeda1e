// VMTEMPLATE and VMTEMPLATE_POOL documents (one.template.info, one.templatepool.info) into VmTemplateRecords.
import { z } from 'zod';
import type { TemplateNode, VmTemplateRecord } from './types';
import { anything, element, int, permBits, permissions, poolItems, rootOf, shapeError, templateAttrs, text, validate } from './parse-common';
import type { XmlValue } from './xml-scan';

// Only what VmTemplateRecord needs is checked.
const vmTemplate = element({
  ID: text,
  UID: text,
  GID: text,
  UNAME: text,
  GNAME: text,
  NAME: text,
  LOCK: element({ LOCKED: text }).optional(),
  PERMISSIONS: permissions,
  REGTIME: text,
  TEMPLATE: anything,
});

type VmTemplateXml = z.infer<typeof vmTemplate>;

// All values of a name, an empty element ('' from the scanner) included: oned writes an empty value
// as <A><![CDATA[]]></A> (E = "" in its text form), and it is an attribute like any other.
const values = (v: XmlValue): XmlValue[] => (Array.isArray(v) ? v : [v]);

/**
 * Every attribute of a TEMPLATE element: single-valued ones as text, vectors as their children's text.
 * Attributes of one name come together, at the place of the first (the scanner groups repeats).
 */
export function templateNodes(value: XmlValue | undefined, root: string, path: string): TemplateNode[] {
  const nodes: TemplateNode[] = [];
  if (value === undefined || value === '') return nodes;
  if (typeof value !== 'object' || Array.isArray(value)) throw shapeError(root, path, 'expected one TEMPLATE element');
  for (const name of Object.keys(value)) {
    values(value[name]).forEach((v, n) => {
      if (typeof v === 'string') {
        nodes.push({ name, value: v });
        return;
      }
      if (typeof v !== 'object' || Array.isArray(v)) throw shapeError(root, `${path}.${name}[${n}]`, 'expected text or one level of children');
      const vector: Record<string, string> = {};
      for (const sub of Object.keys(v)) {
        const first = values(v[sub])[0];
        // oned's vectors are one level deep: a nested element is not something it wrote.
        if (typeof first !== 'string') throw shapeError(root, `${path}.${name}[${n}].${sub}`, 'expected text inside a vector attribute');
        vector[sub] = first;
      }
      nodes.push({ name, vector });
    });
  }
  return nodes;
}

function toRecord(t: VmTemplateXml, root: string, at: string): VmTemplateRecord {
  const lock = t.LOCK ? int(t.LOCK.LOCKED, root, `${at}.LOCK.LOCKED`) : 0;
  return {
    id: int(t.ID, root, `${at}.ID`),
    uid: int(t.UID, root, `${at}.UID`),
    gid: int(t.GID, root, `${at}.GID`),
    uname: t.UNAME,
    gname: t.GNAME,
    name: t.NAME,
    ...(lock > 0 ? { lock } : {}),
    permissions: permBits(t.PERMISSIONS, root, at),
    regtime: int(t.REGTIME, root, `${at}.REGTIME`),
    nodes: templateNodes(t.TEMPLATE, root, `${at}.TEMPLATE`),
    template: templateAttrs(t.TEMPLATE, root, `${at}.TEMPLATE`),
  };
}

/** Parses the answer of one.template.info. */
export function parseVmTemplate(xml: string): VmTemplateRecord {
  return toRecord(validate(vmTemplate, rootOf(xml, 'VMTEMPLATE'), 'VMTEMPLATE'), 'VMTEMPLATE', '');
}

/** Parses the answer of one.templatepool.info; an empty pool gives []. */
export function parseVmTemplatePool(xml: string): VmTemplateRecord[] {
  const root = 'VMTEMPLATE_POOL.VMTEMPLATE';
  return poolItems(rootOf(xml, 'VMTEMPLATE_POOL'), 'VMTEMPLATE_POOL', 'VMTEMPLATE').map((item, n) =>
    toRecord(validate(vmTemplate, item, `${root}[${n}]`), root, `[${n}]`),
  );
}
