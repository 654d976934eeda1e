// VMCHNDL_ON_TEMPLATE_FILE: the site's part of every new VM template, in OpenNebula's template syntax
// (`KEY = value`, `KEY = "value"`, vectors `KEY = [ A = "x", B = "y" ]`, `#` comments, several lines),
// with placeholders for the appliance's values. Parsed whole before anything changes in OpenNebula.
import type { TemplateNode } from '../one/types';

/** The placeholders a site template may use, replaced by the appliance's values. */
export const PLACEHOLDERS: readonly string[] = ['identifier', 'title', 'description', 'version', 'mpuri', 'arch', 'memory', 'cpu', 'vcpu', 'vo'];

/** A problem in the file: its line (1-based) and what is wrong. */
export interface SiteTemplateProblem {
  readonly line: number;
  readonly message: string;
}

/** The parsed file, or the first problem found. */
export type SiteTemplateParse = { readonly ok: true; readonly nodes: readonly TemplateNode[] } | { readonly ok: false; readonly problem: SiteTemplateProblem };

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

class Stop {
  constructor(readonly line: number, readonly message: string) {}
}

/** Checks the placeholders of a value: `{name}` must be one of PLACEHOLDERS, `{{` is a literal `{`. */
function checkPlaceholders(value: string, line: number): void {
  const re = /\{\{|\{([^{}]*)\}/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(value))) {
    if (m[0] === '{{') continue;
    if (PLACEHOLDERS.indexOf(m[1]) < 0) {
      throw new Stop(line, `unknown placeholder {${m[1]}} (known: ${PLACEHOLDERS.map((p) => `{${p}}`).join(' ')}; {{ writes a literal {)`);
    }
  }
}

/** Parses the text of a site template; `reserved` names attributes only the handler sets. Pure. */
export function parseSiteTemplate(text: string, reserved: readonly string[] = []): SiteTemplateParse {
  let i = 0;
  let line = 1;
  const peek = () => text.charAt(i);
  const next = () => {
    const c = text.charAt(i++);
    if (c === '\n') line++;
    return c;
  };
  // Blanks and comments; newlines too when `lines` is true.
  const skip = (lines: boolean) => {
    for (;;) {
      const c = peek();
      if (c === ' ' || c === '\t' || c === '\r' || (lines && c === '\n')) next();
      else if (c === '#') while (i < text.length && peek() !== '\n') next();
      else return;
    }
  };
  const name = (what: string) => {
    const m = NAME.exec(text.slice(i));
    if (!m) throw new Stop(line, `expected ${what} (letters, digits and _), found ${JSON.stringify(text.slice(i, i + 12).split('\n')[0] || 'the end of the file')}`);
    for (let k = 0; k < m[0].length; k++) next();
    return m[0].toUpperCase();
  };
  const equals = (key: string) => {
    skip(false);
    if (peek() !== '=') throw new Stop(line, `expected = after ${key}`);
    next();
    skip(false);
  };
  const quoted = () => {
    const start = line;
    next();
    let v = '';
    for (;;) {
      if (i >= text.length) throw new Stop(start, 'a quoted value is not closed (missing ")');
      const c = next();
      if (c === '"') return v;
      if (c === '\\' && (peek() === '"' || peek() === '\\')) v += next();
      else v += c;
    }
  };
  // An unquoted value ends at the line's end (or a comment); inside a vector at , or ] too.
  const bare = (inVector: boolean) => {
    let v = '';
    while (i < text.length) {
      const c = peek();
      if (c === '\n' || c === '#' || (inVector && (c === ',' || c === ']'))) break;
      v += next();
    }
    return v.trim();
  };
  const value = (key: string, inVector: boolean) => {
    const at = line;
    let v: string;
    if (peek() === '"') v = quoted();
    else {
      v = bare(inVector);
      if (v === '' || v.charAt(0) === '[') throw new Stop(at, v === '' ? `${key} has no value` : `${key}: a vector cannot hold another vector`);
    }
    checkPlaceholders(v, at);
    return v;
  };
  const nodes: TemplateNode[] = [];
  try {
    for (;;) {
      skip(true);
      if (i >= text.length) break;
      const at = line;
      const key = name('an attribute name');
      if (reserved.indexOf(key) >= 0) throw new Stop(at, `${key} is set by the handler itself: remove it from the file`);
      equals(key);
      if (peek() === '[') {
        next();
        const vector: Record<string, string> = {};
        for (;;) {
          skip(true);
          if (peek() === ']') {
            next();
            break;
          }
          if (i >= text.length) throw new Stop(at, `the vector ${key} is not closed (missing ])`);
          const sub = name(`a name inside ${key}`);
          if (key === 'DISK' && sub === 'IMAGE_ID') throw new Stop(line, 'DISK/IMAGE_ID is set by the handler itself (the appliance\'s image): remove it from the file');
          if (Object.prototype.hasOwnProperty.call(vector, sub)) throw new Stop(line, `${key} sets ${sub} twice`);
          equals(`${key}/${sub}`);
          vector[sub] = value(`${key}/${sub}`, true);
          skip(true);
          if (peek() === ',') next();
          else if (i >= text.length) throw new Stop(at, `the vector ${key} is not closed (missing ])`);
          else if (peek() !== ']') throw new Stop(line, `expected , or ] in the vector ${key}`);
        }
        nodes.push({ name: key, vector });
      } else {
        nodes.push({ name: key, value: value(key, false) });
      }
      skip(false);
      if (i < text.length && peek() !== '\n') throw new Stop(line, `unexpected ${JSON.stringify(text.slice(i, i + 12).split('\n')[0])} after ${key}: one attribute a line`);
    }
  } catch (e) {
    if (e instanceof Stop) return { ok: false, problem: { line: e.line, message: e.message } };
    throw e;
  }
  return { ok: true, nodes };
}

/** Replaces the placeholders of a value; `{{` becomes `{`. */
export function fillPlaceholders(value: string, values: Readonly<Record<string, string>>): string {
  return value.replace(/\{\{|\{([^{}]*)\}/g, (all, key: string | undefined) => (all === '{{' ? '{' : key !== undefined && values[key] !== undefined ? values[key] : all));
}
