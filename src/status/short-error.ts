// Error texts for table cells: the cause first (without the failed step's long description), one line, bounded.

/** The cause of a recorded error, at most `max` characters; the full text stays in --json and the log. */
export function shortError(text: string, max = 100): string {
  const cause = text.replace(/^step \d+\/\d+ \(.*?\) failed: /, '').replace(/\s*\n\s*/g, ' ');
  return cause.length > max ? `${cause.slice(0, max - 1)}…` : cause;
}
