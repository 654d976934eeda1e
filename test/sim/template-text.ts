// oned's text template syntax (src/parsers/template_parser.l + template_syntax.y), lexed the way
// flex does it: longest match, ties to the earlier rule, unmatched characters silently dropped.
// Quirks kept on purpose: inside double quotes only \" is an escape (and it is unescaped), a
// quoted value runs on to the last quote that can close it (so a value ending in a backslash
// swallows what follows), a value line holding "]]>" aborts the parse (when `ccdata` is set).
import type { TemplateAttr } from './templates';

type Kind = 'VARIABLE' | 'EQUAL' | 'EQUAL_EMPTY' | 'COMMA' | 'CBRACKET' | 'OBRACKET' | 'STRING' | 'CCDATA' | '$end';
interface Token {
  kind: Kind;
  quoted?: boolean;
  text: string;
  line: number;
  first: number;
  last: number;
}
interface Rule {
  re: RegExp;
  kind?: Kind;
  to?: 'INITIAL' | 'VALUE';
}

const INITIAL: Rule[] = [
  { re: /[ \t]*#[^\n]*\n/y },
  { re: /[ \t\n]+/y },
  { re: /[A-Za-z0-9_]+/y, kind: 'VARIABLE' },
  { re: /[ \t]*=[ \t]*/y, kind: 'EQUAL', to: 'VALUE' },
  { re: /[ \t]*=[ \t]*\n/y, kind: 'EQUAL_EMPTY' },
  { re: /[ \t\n]*,[ \t\n]*/y, kind: 'COMMA' },
  { re: /[ \t\n]*\][ \t\n]*/y, kind: 'CBRACKET' },
];
const CCDATA_RULE: Rule = { re: /[^\n]*\]\]>[^\n]*/y, kind: 'CCDATA', to: 'INITIAL' };
const QUOTED: Rule = { re: /$/y, kind: 'STRING', to: 'INITIAL' };
const VALUE_RULES: Rule[] = [
  { re: /[ \t]*\[[ \t\n]*/y, kind: 'OBRACKET', to: 'INITIAL' },
  { re: /[^=# \t\n,\[\]]+/y, kind: 'STRING', to: 'INITIAL' },
];

// flex's longest match for \"([^\"]|\\\")*\" : every inner quote must follow a backslash.
function quotedLength(src: string, at: number): number {
  if (src[at] !== '"') return 0;
  let best = 0;
  for (let j = at + 1; j < src.length; j++) {
    if (src[j] !== '"') continue;
    best = j - at + 1;
    if (!(j > at + 1 && src[j - 1] === '\\')) break;
  }
  return best;
}

/** Tokenises a template the way oned's flex scanner does. */
function tokenize(src: string, ccdata: boolean): Token[] {
  const out: Token[] = [];
  let state: 'INITIAL' | 'VALUE' = 'INITIAL';
  let pos = 0;
  let line = 1;
  let col = 1;
  let lastLoc = { line: 1, first: 1, last: 1 };
  while (pos < src.length) {
    const rules = state === 'INITIAL' ? INITIAL : ccdata ? [VALUE_RULES[0], CCDATA_RULE, VALUE_RULES[1]] : VALUE_RULES;
    let len = 0;
    let rule: Rule | undefined;
    for (const r of rules) {
      r.re.lastIndex = pos;
      const m = r.re.exec(src);
      if (m && m[0].length > len) {
        len = m[0].length;
        rule = r;
      }
    }
    if (state === 'VALUE') {
      const q = quotedLength(src, pos);
      // The quoted rule sits between the CCDATA and the bare-string rule: it wins ties against the latter.
      if (q > len || (q === len && q > 0 && rule?.kind === 'STRING')) {
        len = q;
        rule = QUOTED;
      }
    }
    if (!rule) len = 1; // flex's default rule: echo one character, no token
    const text = src.slice(pos, pos + len);
    line += (text.match(/\n/g) || []).length;
    const tok = { text, line, first: col, last: col + len };
    lastLoc = tok;
    col += len;
    pos += len;
    if (rule?.to) state = rule.to;
    if (rule?.kind) out.push({ kind: rule.kind, quoted: rule === QUOTED, ...tok });
  }
  // At end of input flex runs no action, so the location is the last chunk consumed.
  out.push({ kind: '$end', text: '', line: lastLoc.line, first: lastLoc.first, last: lastLoc.last });
  return out;
}

// the quoted rule strips the quotes; both kinds then go through unescape(): \" -> "
function stringValue(tok: Token): string {
  const raw = tok.quoted ? tok.text.slice(1, -1) : tok.text;
  return raw.split('\\"').join('"');
}

export type TextParse = { ok: true; attrs: TemplateAttr[] } | { ok: false; message: string | null };

/** Parses oned's text form. `message` is null when oned aborts without one (the "]]>" case). */
export function parseTextTemplate(src: string, opts: { ccdata: boolean; columnsWord: string }): TextParse {
  const toks = tokenize(src, opts.ccdata);
  let k = 0;
  const attrs: TemplateAttr[] = [];
  const error = (expected: Kind[]): TextParse => {
    const t = toks[k];
    const exp = expected.length ? `, expecting ${expected.join(' or ')}` : '';
    return { ok: false, message: `syntax error, unexpected ${t.kind}${exp} at line ${t.line}, ${opts.columnsWord} ${t.first}:${t.last}` };
  };
  const valueKinds: Kind[] = opts.ccdata ? ['OBRACKET', 'CCDATA', 'STRING'] : ['OBRACKET', 'STRING'];
  while (toks[k].kind !== '$end') {
    if (toks[k].kind !== 'VARIABLE') return error(['$end', 'VARIABLE']);
    const name = toks[k++].text;
    if (toks[k].kind === 'EQUAL_EMPTY') {
      k++;
      attrs.push({ name, value: '' });
      continue;
    }
    if (toks[k].kind !== 'EQUAL') return error(['EQUAL', 'EQUAL_EMPTY']);
    k++;
    const v = toks[k];
    if (v.kind === 'STRING') {
      k++;
      attrs.push({ name, value: stringValue(v) });
    } else if (v.kind === 'CCDATA') {
      return { ok: false, message: null };
    } else if (v.kind === 'OBRACKET') {
      k++;
      const vector: Array<[string, string]> = [];
      if (toks[k].kind !== 'CBRACKET') {
        for (;;) {
          if (toks[k].kind !== 'VARIABLE') return error(vector.length ? ['VARIABLE'] : ['CBRACKET', 'VARIABLE']);
          const key = toks[k++].text.toUpperCase();
          if (toks[k].kind !== 'EQUAL') return error(['EQUAL']);
          k++;
          if (toks[k].kind !== 'STRING') return error(['STRING']);
          // std::map::insert keeps the first value of a repeated key
          if (!vector.some(([kk]) => kk === key)) vector.push([key, stringValue(toks[k])]);
          k++;
          if (toks[k].kind === 'COMMA') {
            k++;
            continue;
          }
          if (toks[k].kind !== 'CBRACKET') return error(['COMMA', 'CBRACKET']);
          break;
        }
      }
      k++;
      attrs.push({ name, vector });
    } else {
      return error(valueKinds);
    }
  }
  return { ok: true, attrs };
}
