// What oned (or the way to it) can answer instead of a result: its error classes with the texts
// Request::failure_response writes, an HTTP 500 from Abyss, a dropped connection, no answer at all.
import type { SimCall, SimFault } from '../../sim/index';
import { EC, failureText, ObjName } from '../../sim/messages';

export interface FaultCase {
  /** e.g. "ACTION", "drop after oned acted". */
  readonly label: string;
  readonly fault: SimFault;
  /** The call takes effect first and only its answer is lost. */
  readonly after: boolean;
  /** What the log line naming the failing call must also say. */
  readonly says: string | RegExp;
  /** An oned error class (as opposed to a transport failure). */
  readonly oneClass?: string;
}

const OBJ: Record<string, ObjName> = { 'one.datastorepool.info': 'datastore', 'one.userpool.info': 'user' };

// The resp_msg oned puts after the "[method] " prefix, per class; method-specific where oned has its own text.
function respMsg(code: number, call: SimCall, id: number): string {
  const m = call.method;
  switch (code) {
    case EC.AUTHORIZATION:
      return `Not authorized to perform ${/info$/.test(m) ? 'USE' : 'MANAGE'} ${(OBJ[m] || 'image').toUpperCase()} [${id}]`;
    case EC.ACTION:
      if (m === 'one.image.rename') return `IMAGE cannot be renamed to ${String(call.params[2])} because it collides with IMAGE 9`;
      if (m === 'one.image.allocate') return 'Not enough space in datastore';
      if (m === 'one.image.enable') return 'Could not disable image: Image cannot be disabled in its current state';
      return `Cannot perform ${m.replace(/^one\./, '')} on image [${id}] in its current state`;
    case EC.INTERNAL:
      // ImageEnable's answer for an image VMs hold (ImageManager::enable_image).
      if (m === 'one.image.enable') return 'Could not disable image: Image cannot be in state USED.';
      if (m === 'one.image.update') return 'Cannot update template: error writing image to the DB';
      return `Error writing ${OBJ[m] || 'image'} [${id}] to the DB`;
    case EC.ALLOCATE:
      return 'NAME is already taken by IMAGE 9.';
    default:
      return '';
  }
}

/** oned's full message for an error class answering this call. */
export function onedMessage(code: number, call: SimCall): string {
  const id = typeof call.params[1] === 'number' && !/pool/.test(call.method) ? (call.params[1] as number) : -1;
  return failureText(call.method, code, 0, { respMsg: respMsg(code, call, id), obj: OBJ[call.method] || 'image', respId: id });
}

const CLASSES: [string, number][] = [
  ['AUTHENTICATION', EC.AUTHENTICATION],
  ['AUTHORIZATION', EC.AUTHORIZATION],
  ['NO_EXISTS', EC.NO_EXISTS],
  ['ACTION', EC.ACTION],
  ['INTERNAL', EC.INTERNAL],
  ['ALLOCATE', EC.ALLOCATE],
  ['LOCKED', EC.LOCKED],
];

/** Every fault for one call: 7 error classes and 3 transport failures; for a call that changes something
 * the transport failures also come "after oned acted" (the change is made, the answer is lost). */
export function faultCases(call: SimCall, changes: boolean): FaultCase[] {
  const out: FaultCase[] = CLASSES.map(([name, code]) => {
    const message = onedMessage(code, call);
    return { label: name, fault: { type: 'error', code, message }, after: false, says: message, oneClass: name };
  });
  const transport: [string, SimFault, RegExp][] = [
    ['HTTP 500', { type: 'http500' }, /failed \(http\): .*HTTP 500/],
    ['dropped connection', { type: 'drop' }, /failed \(connection\)/],
    ['hang past the call timeout', { type: 'hang' }, /failed \(timeout\): no complete answer/],
  ];
  for (const after of changes ? [false, true] : [false]) {
    for (const [label, fault, says] of transport) out.push({ label: after ? `${label} after oned acted` : label, fault, after, says });
  }
  return out;
}
