// Keeps the session (user:password) out of every message we build from what others wrote.

const SHORTEST_SECRET = 4;

/** Replaces the session, and its password part when long enough to be told apart from text, by [redacted]. */
export function redactSession(text: string, session: string): string {
  if (!session) return text;
  let out = text.split(session).join('[redacted]');
  const secret = session.slice(session.indexOf(':') + 1);
  // A password of 1-3 characters would blank out ordinary words; the whole session is still removed.
  if (secret.length >= SHORTEST_SECRET) out = out.split(secret).join('[redacted]');
  return out;
}
