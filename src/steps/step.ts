// The contract of a step kind: apply, undo, isDone, describe.
import type { ExecContext } from '../exec/context';
import { resolveImage } from '../exec/context';
import type { StepResult } from '../exec/journal';
import { OperationFailedError } from '../errors';
import type { ImageRef, Step, StepKind } from '../plan/types';

export interface StepImpl<S extends Step> {
  /** One line for logs and `plan`: what the step does, with the call it makes. */
  describe(step: S): string;
  /** Does it. Must be safe to call again after a crash (guarded, idempotent). */
  apply(step: S, ctx: ExecContext): Promise<StepResult | void>;
  /** Whether the effect is already in place (a crash may fall between the call and the journal). */
  isDone(step: S, ctx: ExecContext): Promise<StepResult | false>;
  /** Reverses the effect, if it is in place; does nothing otherwise. */
  undo(step: S, ctx: ExecContext, result: StepResult | undefined): Promise<void>;
}

/** One implementation per step kind: a new kind does not compile until it has all of them. */
export type StepImpls = { readonly [K in StepKind]: StepImpl<Extract<Step, { kind: K }>> };

/** The id behind an image reference; the new image's id must be known by the time it is used. */
export function imageId(ctx: ExecContext, ref: ImageRef): number {
  const id = resolveImage(ctx, ref);
  if (id === undefined) throw new OperationFailedError('internal: the new image id is not known yet');
  return id;
}

/** `image 7` or `the new image` for messages. */
export function imageLabel(ref: ImageRef): string {
  return ref === 'new' ? 'the new image' : `image ${ref}`;
}
