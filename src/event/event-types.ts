// vmcatcher's event types and what we do with each.

/** The event types that change something in OpenNebula. */
export const AVAILABLE_TYPES = ['AvailablePostfix'] as const;
/** `ExpirePosfix` is the old misspelling some vmcatcher versions sent. */
export const EXPIRE_TYPES = ['ExpirePostfix', 'ExpirePosfix'] as const;
/** Known types that carry no work for us. */
export const KNOWN_IGNORED_TYPES = [
  'ProcessPrefix',
  'ProcessPostfix',
  'AvailablePrefix',
  'ExpirePrefix',
  'SubscriptionImageNew',
  'ImageNew',
] as const;

export type EventKind = 'available' | 'expire' | 'ignored';

/** What an event type asks of us. */
export function kindOfEventType(type: string): EventKind {
  if ((AVAILABLE_TYPES as readonly string[]).indexOf(type) >= 0) return 'available';
  if ((EXPIRE_TYPES as readonly string[]).indexOf(type) >= 0) return 'expire';
  return 'ignored';
}

/** The one log line for an event type we do nothing for (the small entry in bin.ts writes it too). */
export function ignoredEventMessage(type: string, identifier: string | undefined, pending: number): string {
  const what = `event ${type}${identifier ? ` for ${identifier}` : ''}: nothing to do for this event type`;
  return pending ? `${what}; retrying ${pending} pending event(s)` : what;
}
