// oned's answer array: [true, value, 0] on success; on failure [false, message, code] (≤ 5.2),
// plus the object id as a 4th i4 (5.4+) and the replication index as a 5th i8 (5.10+), which the
// xmlrpc package decodes as a string (src/rm/Request.cc, Request::failure_response).

import { OneError, OneTransportError } from '../errors';
import { ReadText } from './answer-reader';

function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}

/** The value of a successful answer; OneError for a failure; OneTransportError('malformed') for anything else. */
export function unwrapAnswer(method: string, answer: unknown, clean: (text: string) => string = (t) => t): unknown {
  const malformed = (what: string) => new OneTransportError(method, 'malformed', `unexpected answer shape: ${what}`);
  if (!Array.isArray(answer)) throw malformed(`expected an array, got ${answer === null ? 'null' : typeof answer}`);
  if (answer.length < 2) throw malformed(`expected at least 2 elements, got ${answer.length}`);
  const [ok, value, code, objectId] = answer;
  if (ok === true) return value;
  if (ok !== false) throw malformed('the first element is not a boolean');
  if (typeof value !== 'string') throw malformed('the failure message is not a string');
  if (!isInt(code)) throw malformed('the failure code is not an integer');
  // 4th element: the object the failure is about; -1 when none.
  const id = isInt(objectId) && objectId >= 0 ? { objectId } : {};
  throw new OneError(method, code, clean(value), id);
}

/** A success value that must be an integer (an id). */
export function expectInt(method: string, value: unknown): number {
  if (isInt(value)) return value;
  throw new OneTransportError(method, 'malformed', `expected an integer result, got ${typeof value}`);
}

/** A success value that must be a string (an XML document, a version). */
export function expectString(method: string, value: unknown): string {
  if (typeof value === 'string') return value;
  throw new OneTransportError(method, 'malformed', `expected a string result, got ${typeof value}`);
}

/** A string result that the call's TextSink read as it arrived (answer-reader.ts): what the sink made of it. */
export function expectReadText<T>(method: string, value: unknown): T {
  if (value instanceof ReadText) return value.value as T;
  throw new OneTransportError(method, 'malformed', `expected a string result, got ${typeof value}`);
}
