// Pieces shared by the parsers of oned's XML documents: zod types for its text values,
// permissions, ID lists, free-form templates, and one error format that names the element.

import { z } from 'zod';
import type { Bit, PermBits, TemplateAttrs } from './types';
import { createXmlScanner, type XmlObject, type XmlValue } from './xml-scan';

const INTEGER = /^\s*-?\d+\s*$/;

/** A text element (a leaf), kept exactly as sent. */
export const text = z.string({ invalid_type_error: 'expected text, found an element with children' });

/** An element with children, given as a zod shape; only the listed children are checked. */
export const element = <S extends z.ZodRawShape>(shape: S) =>
  z.object(shape, { invalid_type_error: 'expected an element with children' });

/** An element that may hold repeated children or nothing (<VMS/>): checked when read. */
export const anything = z.any();

const PERM_NAMES = ['OWNER_U', 'OWNER_M', 'OWNER_A', 'GROUP_U', 'GROUP_M', 'GROUP_A', 'OTHER_U', 'OTHER_M', 'OTHER_A'] as const;

/** PERMISSIONS with its 9 children. */
export const permissions = element({
  OWNER_U: text,
  OWNER_M: text,
  OWNER_A: text,
  GROUP_U: text,
  GROUP_M: text,
  GROUP_A: text,
  OTHER_U: text,
  OTHER_M: text,
  OTHER_A: text,
});

/** Thrown while converting a validated document; names the element like zod's issues do. */
export function shapeError(root: string, path: string, problem: string): Error {
  return new Error(`unexpected <${root.split('.')[0]}> document: ${root}${path}: ${problem}`);
}

// Conversions run after zod checked the shape: zod transforms cost ~0.7 s on a 10 000-image pool,
// these plain checks a few milliseconds.

/** An integer element's value: oned writes digits only; surrounding whitespace is tolerated. */
export function int(value: string, root: string, path: string): number {
  if (!INTEGER.test(value)) throw shapeError(root, path, `expected an integer, found "${value.slice(0, 40)}"`);
  return Number(value);
}

function bit(value: string, root: string, path: string): Bit {
  if (value === '1') return 1;
  if (value === '0') return 0;
  throw shapeError(root, path, `expected 0 or 1, found "${value.slice(0, 40)}"`);
}

/** The 9 permission bits in oned's chmod order. */
export function permBits(p: z.infer<typeof permissions>, root: string, path: string): PermBits {
  const b = PERM_NAMES.map((n) => bit(p[n], root, `${path}.PERMISSIONS.${n}`));
  return b as unknown as PermBits;
}

/** A 0/1 flag such as PERSISTENT. */
export function flag(value: string, root: string, path: string): boolean {
  return bit(value, root, path) === 1;
}

/** A repeated child as a list: absent or empty → [], one → [it], several → all. */
export function asList(value: XmlValue | undefined): XmlValue[] {
  if (value === undefined || value === '') return [];
  return Array.isArray(value) ? value : [value];
}

/** An element holding <ID> children (VMS, GROUPS, ...), as numbers; <VMS/> is []. */
export function idList(value: XmlValue | undefined, root: string, path: string): number[] {
  if (value === undefined || value === '') return [];
  if (typeof value !== 'object' || Array.isArray(value)) throw shapeError(root, path, 'expected a list of <ID> elements');
  return asList(value.ID).map((id, n) => {
    if (typeof id !== 'string') throw shapeError(root, `${path}.ID[${n}]`, 'expected an integer, found an element with children');
    return int(id, root, `${path}.ID[${n}]`);
  });
}

/**
 * TEMPLATE's single-valued attributes, strings exactly as sent; vector attributes (with children)
 * are left out. A repeated single attribute keeps its first value, as oned's Template::get does.
 */
export function templateAttrs(value: XmlValue | undefined, root: string, path: string): TemplateAttrs {
  const attrs: Record<string, string> = {};
  if (value === undefined || value === '') return attrs;
  if (typeof value !== 'object' || Array.isArray(value)) throw shapeError(root, path, 'expected one TEMPLATE element');
  for (const key of Object.keys(value)) {
    const v = value[key];
    if (typeof v === 'string') attrs[key] = v;
    else if (Array.isArray(v)) {
      const first = v.find((x): x is string => typeof x === 'string');
      if (first !== undefined) attrs[key] = first;
    }
  }
  return attrs;
}

function formatPath(path: readonly (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/** Validates with zod; the Error names the element (IMAGE_POOL.IMAGE[3].STATE) and what was wrong. */
export function validate<T>(schema: z.ZodType<T, z.ZodTypeDef, unknown>, value: unknown, root: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.slice(0, 3).map((issue) => {
    const where = formatPath([root, ...issue.path]);
    const found = issue.code === 'invalid_type' && issue.received === 'undefined' ? 'element missing' : issue.message;
    return `${where}: ${found}`;
  });
  const more = result.error.issues.length > 3 ? ` (and ${result.error.issues.length - 3} more)` : '';
  throw new Error(`unexpected <${root.split('.')[0]}> document: ${problems.join('; ')}${more}`);
}

/** Reads a document in pieces; end() returns the content of its root, which must be `root`. */
export interface RootScanner {
  write(text: string): void;
  end(): XmlValue;
}

/** Scans a document given in pieces; `onItem` takes the root's children as they are read. */
export function rootScanner(root: string, onItem?: (name: string, value: XmlValue) => void): RootScanner {
  const wrongRoot = (found: string) => new Error(`expected a <${root}> document, found <${found}>`);
  const scanner = createXmlScanner(
    onItem &&
      ((found, name, value) => {
        if (found !== root) throw wrongRoot(found);
        onItem(name, value);
      }),
  );
  return {
    write: (text) => scanner.write(text),
    end: () => {
      const doc = scanner.end();
      const names = Object.keys(doc);
      if (names[0] !== root) throw wrongRoot(names[0]);
      return doc[root];
    },
  };
}

/** Scans a whole document and returns the content of its root, which must be `root`. */
export function rootOf(xml: string, root: string): XmlValue {
  const scanner = rootScanner(root);
  scanner.write(xml);
  return scanner.end();
}

/** The children named `child` of a pool root: `<POOL/>`, `<POOL></POOL>`, one, or many. */
export function poolItems(pool: XmlValue, root: string, child: string): XmlValue[] {
  if (pool === '') return [];
  if (typeof pool !== 'object' || Array.isArray(pool)) throw new Error(`unexpected <${root}> document: not one pool element`);
  return asList((pool as XmlObject)[child]);
}
