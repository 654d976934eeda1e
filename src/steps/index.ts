// The exhaustive map from step kind to implementation.
import { allocateStep } from './allocate';
import { chmodStep } from './chmod';
import { chownStep } from './chown';
import { convertStep } from './convert';
import { deleteRetiredStep } from './delete-retired';
import { enableStep } from './enable';
import { linkStep } from './link';
import { markRetiredStep } from './mark-retired';
import { recordStep } from './record';
import { removeStagingStep } from './remove-staging';
import { renameStep } from './rename';
import type { StepImpl, StepImpls } from './step';
import { templateAllocateStep } from './template-allocate';
import { templateChmodStep } from './template-chmod';
import { templateChownStep } from './template-chown';
import { templateUpdateStep } from './template-update';
import { verifyChecksumStep } from './verify-checksum';
import { waitReadyStep } from './wait-ready';
import type { Step } from '../plan/types';

export const STEPS: StepImpls = {
  'verify-checksum': verifyChecksumStep,
  convert: convertStep,
  link: linkStep,
  rename: renameStep,
  allocate: allocateStep,
  'wait-ready': waitReadyStep,
  'remove-staging': removeStagingStep,
  chown: chownStep,
  chmod: chmodStep,
  enable: enableStep,
  'mark-retired': markRetiredStep,
  record: recordStep,
  'delete-retired': deleteRetiredStep,
  'template-allocate': templateAllocateStep,
  'template-update': templateUpdateStep,
  'template-chown': templateChownStep,
  'template-chmod': templateChmodStep,
};

/** The implementation of a step's kind. */
export function implOf(step: Step): StepImpl<Step> {
  return STEPS[step.kind] as unknown as StepImpl<Step>;
}

/** One line saying what a step does. */
export function describeStep(step: Step): string {
  return implOf(step).describe(step);
}
