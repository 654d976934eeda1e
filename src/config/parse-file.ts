// Parses the settings file: `KEY=value` lines like vmcatcher's own configuration, `#` comments.

export interface ParsedFile {
  values: Record<string, string>;
  problems: string[];
  /** The line (1-based) each value was read from. */
  lines: Record<string, number>;
}

/** Parses `KEY=value` lines; quotes around a value are removed, `export ` is allowed. */
export function parseConfigText(text: string, fileName: string): ParsedFile {
  const values: Record<string, string> = {};
  const problems: string[] = [];
  const lines: Record<string, number> = {};
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.charAt(0) === '#') return;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m) {
      problems.push(`${fileName}:${i + 1}: expected KEY=value, found ${JSON.stringify(raw)}`);
      return;
    }
    let value = m[2];
    const q = value.charAt(0);
    if ((q === '"' || q === "'") && value.length >= 2 && value.charAt(value.length - 1) === q) {
      value = value.slice(1, -1);
    }
    values[m[1]] = value;
    lines[m[1]] = i + 1;
  });
  return { values, problems, lines };
}
