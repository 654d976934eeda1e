// Parses the settings file: `KEY=value` lines read as /bin/sh reads vmcatcher's own configuration
// (/etc/sysconfig/vmcatcher, sourced by a shell), so that a value means what it would mean there.
// No expansion is done: where sh would expand or run something, the line is refused instead.

export interface ParsedFile {
  values: Record<string, string>;
  problems: string[];
  /** The line (1-based) each value was read from. */
  lines: Record<string, number>;
}

// Characters that end or change an unquoted word in sh.
const SH_SPECIAL = /[$`;&|<>()]/;

/** The value of one assignment as sh reads it (after `KEY=`); a string is a problem. */
function readValue(text: string): { value: string } | { problem: string } {
  let value = '';
  let i = 0;
  while (i < text.length) {
    const c = text.charAt(i);
    if (c === ' ' || c === '\t') {
      // The word ends: only a comment may follow.
      const rest = text.slice(i).trim();
      if (rest === '' || rest.charAt(0) === '#') return { value };
      return { problem: `unquoted blank in the value (sh would run ${JSON.stringify(rest.split(/\s+/)[0])} as a command): quote the value, e.g. KEY="a b"` };
    }
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) return { problem: 'unterminated single quote' };
      value += text.slice(i + 1, end);
      i = end + 1;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      for (;;) {
        if (j >= text.length) return { problem: 'unterminated double quote' };
        const d = text.charAt(j);
        if (d === '"') break;
        if (d === '$' || d === '`') return { problem: `${d} inside double quotes: no expansion is done; write the value itself, or use single quotes` };
        if (d === '\\' && j + 1 < text.length && '$`"\\'.indexOf(text.charAt(j + 1)) >= 0) {
          value += text.charAt(j + 1);
          j += 2;
          continue;
        }
        value += d;
        j++;
      }
      i = j + 1;
      continue;
    }
    if (c === '\\') {
      if (i + 1 >= text.length) return { problem: 'a backslash at the end of the line (continuation lines are not supported)' };
      value += text.charAt(i + 1);
      i += 2;
      continue;
    }
    if (SH_SPECIAL.test(c)) return { problem: `unquoted ${c} in the value: no expansion or command is run; quote the value with single quotes` };
    value += c;
    i++;
  }
  return { value };
}

/**
 * Parses `KEY=value` lines as sh reads assignments: `export ` may come first; blanks around `=` are
 * allowed (as cron allows them); single quotes keep everything, double quotes everything but `\`
 * escapes of `$`, `` ` ``, `"` and `\`; unquoted, `\` escapes the next character and a blank ends
 * the value, after which only a `#` comment may follow. A `#` inside a word is part of it.
 */
export function parseConfigText(text: string, fileName: string): ParsedFile {
  const values: Record<string, string> = {};
  const problems: string[] = [];
  const lines: Record<string, number> = {};
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.charAt(0) === '#') return;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)[ \t]*=([ \t]*)(.*)$/.exec(line);
    if (!m) {
      problems.push(`${fileName}:${i + 1}: expected KEY=value, found ${JSON.stringify(raw)}`);
      return;
    }
    // `KEY= # comment`: an empty value, then a comment.
    const v = m[2] && m[3].charAt(0) === '#' ? { value: '' } : readValue(m[3]);
    if ('problem' in v) problems.push(`${m[1]}: ${fileName}:${i + 1}: ${v.problem}`);
    else {
      values[m[1]] = v.value;
      lines[m[1]] = i + 1;
    }
  });
  return { values, problems, lines };
}
