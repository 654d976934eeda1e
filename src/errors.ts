// Error classes with codes, and the one table that maps them to exit codes.
//
// Exit codes are 0.0.8's: 0 done or ignored, 1 internal error, 2 the operation
// failed (and was rolled back or left for retry), 3 invalid event or configuration.

export const EXIT = {
  OK: 0,
  INTERNAL: 1,
  FAILED: 2,
  INVALID: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export type ErrorCode =
  | 'INVALID_EVENT'
  | 'INVALID_CONFIG'
  | 'INVALID_ARGUMENT'
  | 'OPERATION_FAILED'
  | 'ONE_ERROR'
  | 'ONE_AUTHENTICATION'
  | 'ONE_TRANSPORT'
  | 'QEMU_FAILED'
  | 'LOCK_BUSY'
  | 'NEEDS_ADMIN'
  | 'INTERNAL';

/** Base class: every error we raise on purpose carries a code. */
export class VmcError extends Error {
  readonly code: ErrorCode;
  readonly cause?: unknown;
  /** The long part (paths, the step, full checksums): logged at -v and in JSON, kept in the journal and spool. */
  readonly detail?: string;

  constructor(code: ErrorCode, message: string, cause?: unknown, detail?: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    // Node 10 has no Error `cause` option: keep it as a plain property.
    if (cause !== undefined) this.cause = cause;
    if (detail) this.detail = detail;
  }
}

/** An error's one-line message. */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The message and, on the next line, its detail: what the journal and the spool keep. */
export function fullText(e: unknown): string {
  return e instanceof VmcError && e.detail ? `${e.message}\n${e.detail}` : messageOf(e);
}

/** The event from vmcatcher is missing a variable or carries a malformed one. */
export class InvalidEventError extends VmcError {
  constructor(message: string, cause?: unknown) {
    super('INVALID_EVENT', message, cause);
  }
}

/** The configuration (file, environment or flags) is invalid; `problems` lists every one. */
export class InvalidConfigError extends VmcError {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super('INVALID_CONFIG', `invalid configuration:\n  ${problems.join('\n  ')}`);
    this.problems = problems;
  }
}

/** A command-line argument is wrong. */
export class InvalidArgumentError extends VmcError {
  constructor(message: string) {
    super('INVALID_ARGUMENT', message);
  }
}

/** The operation could not be done (file missing, checksum wrong, image went to ERROR, ...). */
export class OperationFailedError extends VmcError {
  constructor(message: string, cause?: unknown, detail?: string) {
    super('OPERATION_FAILED', message, cause, detail);
  }
}

/** oned's error classes, by the numeric code in its failure answer. */
export const ONE_ERROR_CLASSES = {
  0x0100: 'AUTHENTICATION',
  0x0200: 'AUTHORIZATION',
  0x0400: 'NO_EXISTS',
  0x0800: 'ACTION',
  0x1000: 'XML_RPC_API',
  0x2000: 'INTERNAL',
  0x4000: 'ALLOCATE',
  0x8000: 'LOCKED',
  0x10000: 'REPLICATION',
} as const;

export type OneErrorClass = (typeof ONE_ERROR_CLASSES)[keyof typeof ONE_ERROR_CLASSES] | 'UNKNOWN';

/** Names oned's numeric error code. */
export function oneErrorClass(code: number): OneErrorClass {
  return (ONE_ERROR_CLASSES as Record<number, OneErrorClass>)[code] || 'UNKNOWN';
}

/** Whose credentials a call used and where they came from, for an AUTHENTICATION failure's message. */
export interface CredentialsOrigin {
  readonly user: string;
  /** The auth file (VMCHNDL_ON_AUTH_FILE, $ONE_AUTH, ~/.one/one_auth, ...). */
  readonly source: string;
}

/**
 * oned answered a call with a failure array, or with an XML-RPC fault. AUTHENTICATION (a wrong password,
 * an unknown or disabled user) is a configuration problem: code ONE_AUTHENTICATION, exit 3, and the
 * message names the user and the auth file first when they are known.
 */
export class OneError extends VmcError {
  readonly method: string;
  readonly oneCode: number;
  readonly oneClass: OneErrorClass | 'FAULT';
  /** oned's own message text, kept verbatim: admins search for it. */
  readonly oneMessage: string;
  readonly objectId?: number;

  constructor(method: string, oneCode: number, oneMessage: string, opts: { fault?: boolean; objectId?: number; credentials?: CredentialsOrigin } = {}) {
    const oneClass = opts.fault ? 'FAULT' : oneErrorClass(oneCode);
    const failed = `${method} failed (${oneClass}${opts.fault ? ` ${oneCode}` : ''}): ${oneMessage}`;
    const c = oneClass === 'AUTHENTICATION' ? opts.credentials : undefined;
    super(
      oneClass === 'AUTHENTICATION' ? 'ONE_AUTHENTICATION' : 'ONE_ERROR',
      c ? `oned refused user ${c.user} (wrong password, or no such user?); the credentials come from ${c.source}: ${failed}` : failed,
    );
    this.method = method;
    this.oneCode = oneCode;
    this.oneClass = oneClass;
    this.oneMessage = oneMessage;
    if (opts.objectId !== undefined) this.objectId = opts.objectId;
  }
}

/** The call never got an answer from oned: connection refused or dropped, HTTP error, timeout, unparsable answer. */
export class OneTransportError extends VmcError {
  readonly method: string;
  readonly reason: 'timeout' | 'http' | 'connection' | 'malformed';

  constructor(method: string, reason: OneTransportError['reason'], message: string, cause?: unknown) {
    super('ONE_TRANSPORT', `${method} failed (${reason}): ${message}`, cause);
    this.method = method;
    this.reason = reason;
  }
}

/** qemu-img (or reading an OVA) failed. */
export class QemuError extends VmcError {
  constructor(message: string, cause?: unknown) {
    super('QEMU_FAILED', message, cause);
  }
}

/** Only the administrator can decide (several images could be the current one): nothing was changed, the event is kept. */
export class AdminDecisionError extends VmcError {
  constructor(message: string) {
    super('NEEDS_ADMIN', message);
  }
}

/** Another process holds the lock for this identifier for longer than we may wait. */
export class LockBusyError extends VmcError {
  constructor(message: string) {
    super('LOCK_BUSY', message);
  }
}

const EXIT_BY_CODE: Record<ErrorCode, ExitCode> = {
  INVALID_EVENT: EXIT.INVALID,
  INVALID_CONFIG: EXIT.INVALID,
  INVALID_ARGUMENT: EXIT.INVALID,
  OPERATION_FAILED: EXIT.FAILED,
  ONE_ERROR: EXIT.FAILED,
  ONE_AUTHENTICATION: EXIT.INVALID,
  ONE_TRANSPORT: EXIT.FAILED,
  QEMU_FAILED: EXIT.FAILED,
  LOCK_BUSY: EXIT.FAILED,
  NEEDS_ADMIN: EXIT.INVALID,
  INTERNAL: EXIT.INTERNAL,
};

// oned refusing our credentials, also as the cause of a failed step or event: the fix is the configuration's.
function refusedCredentials(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof VmcError && depth < 10; e = e.cause, depth++) if (e.code === 'ONE_AUTHENTICATION') return true;
  return false;
}

/** The exit code for any thrown value: ours by their code, anything else is an internal error. */
export function exitCodeFor(err: unknown): ExitCode {
  if (refusedCredentials(err)) return EXIT.INVALID;
  if (err instanceof VmcError) return EXIT_BY_CODE[err.code];
  return EXIT.INTERNAL;
}
