// Plain text tables for terminals and pipes alike; cells may carry colour codes.

const ANSI = /\x1b\[[0-9;]*m/g;

/** The width a cell takes on screen: colour codes take none. */
export function visibleWidth(s: string): number {
  return s.replace(ANSI, '').length;
}

/** Left-aligned columns separated by two spaces; long cells are kept whole. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[], opts: { indent?: string } = {}): string {
  const widths = headers.map((h, i) => Math.max(visibleWidth(h), ...rows.map((r) => visibleWidth(r[i] || ''))));
  const indent = opts.indent || '';
  const line = (cells: readonly string[]) =>
    indent +
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(widths[i] - visibleWidth(c))))
      .join('  ')
      .replace(/\s+$/, '');
  return [line(headers)].concat(rows.map(line)).join('\n') + '\n';
}

export type Paint = (style: 'bold' | 'dim' | 'green' | 'yellow' | 'red' | 'cyan', text: string) => string;

const CODES = { bold: 1, dim: 2, red: 31, green: 32, yellow: 33, cyan: 36 };

/** Colours text when `enabled` (a terminal, and NO_COLOR not set); otherwise returns it unchanged. */
export function painter(enabled: boolean): Paint {
  return (style, text) => (enabled && text ? `\x1b[${CODES[style]}m${text}\x1b[0m` : text);
}

/** Whether colours are wanted: only on a terminal, never with NO_COLOR (https://no-color.org). */
export function colorWanted(isTty: boolean | undefined, env: NodeJS.ProcessEnv): boolean {
  return Boolean(isTty) && !env.NO_COLOR && env.TERM !== 'dumb';
}
