// Plain text tables for terminals and pipes alike.

/** Left-aligned columns separated by two spaces; long cells are kept whole. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] || '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(widths[i] - c.length)))
      .join('  ')
      .replace(/\s+$/, '');
  return [line(headers)].concat(rows.map(line)).join('\n') + '\n';
}
