// Saved vmcatcher events: `KEY=VALUE` lines as `env` prints them, or the JSON lines that
// vmcatcher's example handler (vmcatcher_eventHndlExpl --output_file) appends, one object per event.
import * as fs from 'fs';
import { InvalidArgumentError } from '../errors';
import { kindOfEventType } from '../event/event-types';

/** One saved event: variable name → value. */
export type SavedEvent = Readonly<Record<string, string>>;

const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=/;

function parseJsonLines(lines: readonly string[], where: string): SavedEvent[] {
  const events: SavedEvent[] = [];
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch (e) {
      throw new InvalidArgumentError(`${where}:${i + 1}: not a JSON object (${(e as Error).message})`);
    }
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw new InvalidArgumentError(`${where}:${i + 1}: expected a JSON object of variables`);
    const ev: Record<string, string> = {};
    for (const k of Object.keys(obj as object)) {
      const v = (obj as Record<string, unknown>)[k];
      // The example handler writes "" for every variable the event lacked: vmcatcher would not have set it.
      if (typeof v === 'string' && v !== '') ev[k] = v;
      else if (typeof v === 'number') ev[k] = String(v);
    }
    events.push(ev);
  });
  return events;
}

// `env` prints a value holding a newline across lines: a line that is not NAME=… continues the value.
function parseEnvLines(lines: readonly string[]): SavedEvent {
  const ev: Record<string, string> = {};
  let last: string | undefined;
  for (const line of lines) {
    const m = ASSIGNMENT.exec(line);
    if (m) {
      last = m[1];
      ev[last] = line.slice(m[0].length);
    } else if (last !== undefined) {
      ev[last] += '\n' + line;
    } else if (line.trim() && line.charAt(0) !== '#') {
      throw new InvalidArgumentError(`expected NAME=VALUE lines as \`env\` prints them, found ${JSON.stringify(line.slice(0, 60))}`);
    }
    // Comments and blank lines before the first variable are skipped (the saved dumps start with one).
  }
  return ev;
}

/** Parses a saved-event file's text into its events, oldest first. */
export function parseEventFile(text: string, where: string): SavedEvent[] {
  const lines = text.replace(/\r\n/g, '\n').replace(/\n+$/, '').split('\n');
  const first = lines.filter((l) => l.trim() && l.charAt(0) !== '#')[0];
  if (first === undefined) throw new InvalidArgumentError(`${where} holds no event`);
  if (first.trim().charAt(0) === '{') return parseJsonLines(lines, where);
  try {
    return [parseEnvLines(lines)];
  } catch (e) {
    throw new InvalidArgumentError(`${where}: ${(e as Error).message}`);
  }
}

/** Reads a saved-event file. */
export function readEventFile(file: string): SavedEvent[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new InvalidArgumentError(`cannot read the saved event ${file}: ${(e as Error).message}`);
  }
  return parseEventFile(text, file);
}

/**
 * Picks the event to replay: the last one for the identifier (any, when none is given), preferring
 * one of the requested type, else one that changes something (AvailablePostfix, ExpirePostfix).
 */
export function pickSavedEvent(events: readonly SavedEvent[], where: string, identifier?: string, type?: string): SavedEvent {
  const mine = identifier ? events.filter((e) => e.VMCATCHER_EVENT_DC_IDENTIFIER === identifier) : events.slice();
  if (!mine.length) {
    const ids: string[] = [];
    for (const e of events) {
      const id = e.VMCATCHER_EVENT_DC_IDENTIFIER;
      if (id && ids.indexOf(id) < 0) ids.push(id);
    }
    throw new InvalidArgumentError(`${where} holds no event for ${identifier}${ids.length ? ` (it holds events for ${ids.join(', ')})` : ''}`);
  }
  const wanted = type
    ? mine.filter((e) => e.VMCATCHER_EVENT_TYPE === type)
    : mine.filter((e) => kindOfEventType(e.VMCATCHER_EVENT_TYPE || '') !== 'ignored');
  return (wanted.length ? wanted : mine)[(wanted.length ? wanted : mine).length - 1];
}
