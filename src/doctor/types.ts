// What a doctor check reports: one line each, OK / WARN / FAIL, with the fix when something is wrong.

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface CheckResult {
  /** Stable, kebab-case: scripts select checks by it. */
  readonly id: string;
  readonly status: CheckStatus;
  /** What was found, cause first. */
  readonly message: string;
  /** What to do about it (WARN and FAIL). */
  readonly fix?: string;
}

/** A result, with the fix only when given. */
export function result(id: string, status: CheckStatus, message: string, fix?: string): CheckResult {
  return fix ? { id, status, message, fix } : { id, status, message };
}
