// What `plan --json`, `--dry-run --json` and `replay --json` print: plain data for scripts.
import type { HookResult } from '../hook/handle-event';
import type { Plan, Step } from '../plan/types';
import { describeStep } from '../steps';

export type StepView = Step & { readonly description: string };

export type PlanView = Plan & { readonly steps: readonly StepView[] };

export interface OutcomeView {
  readonly type: string;
  readonly identifier: string | null;
  readonly outcome: HookResult['outcome'];
  /** The spooled events this run processed (the event itself and any pending before it). */
  readonly events: ReadonlyArray<{ readonly identifier: string; readonly type: string; readonly outcome: string; readonly error?: string }>;
}

/** The plan with each step's one-line description (the same text the log shows). */
export function planView(p: Plan): PlanView {
  return Object.assign({}, p, { steps: p.steps.map((s) => Object.assign({}, s, { description: describeStep(s) }) as StepView) });
}

/** A planned event as its plan; a handled one as its outcome. */
export function hookResultView(res: HookResult): PlanView | OutcomeView {
  if (res.plan) return planView(res.plan);
  return {
    type: res.event.type,
    identifier: res.event.identifier || null,
    outcome: res.outcome,
    events: (res.results || []).map((r) => {
      const v = { identifier: r.entry.identifier, type: r.entry.type, outcome: r.outcome };
      return r.error instanceof Error ? Object.assign(v, { error: r.error.message }) : v;
    }),
  };
}

/** A plan as text for stdout (`plan`): the summary, warnings, then one numbered line a step. */
export function formatPlanText(p: Plan): string {
  let out = `${p.summary}\n`;
  for (const w of p.warnings) out += `warning: ${w}\n`;
  p.steps.forEach((s, i) => {
    out += `  ${i + 1}. ${describeStep(s)}${i === p.commitIndex && i > 0 ? '   (from here on the new image is current: failures roll forward)' : ''}\n`;
  });
  return out;
}
