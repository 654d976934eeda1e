// The one function every log line and every printed error goes through before it leaves us.

/** Replaces every occurrence of each secret (the `user:password` session and the password alone) with `***`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) {
    if (s.length >= 3) out = out.split(s).join('***');
  }
  return out;
}

/** The strings to redact for a session `user:password`: the whole session and its password part. */
export function secretsOfSession(session: string | undefined): string[] {
  if (!session) return [];
  const colon = session.indexOf(':');
  const password = colon >= 0 ? session.slice(colon + 1) : '';
  return password ? [session, password] : [session];
}
