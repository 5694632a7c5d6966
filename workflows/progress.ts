/** Progress that long workflows expose through the `progress` query (done and total, per step). */
import type { Duration } from '@temporalio/common';
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { QuotaWaitHooks } from './quota-wait';

export type StepState = 'pending' | 'running' | 'done' | 'skipped' | 'failed';

export interface StepProgress {
  name: string;
  state: StepState;
  done: number;
  total: number;
  note?: string;
}

export interface WorkflowProgress {
  chain: string;
  tradingDate?: string;
  steps: StepProgress[];
}

export const progressQuery = defineQuery<WorkflowProgress>('progress');
/** Sent by a child to its parent after each finished batch, so the parent's progress stays current. */
export const childProgressSignal = defineSignal<[{ step: string; done: number; total: number }]>('childProgress');

export function newProgress(chain: string, stepNames: string[]): WorkflowProgress {
  return { chain, steps: stepNames.map((name) => ({ name, state: 'pending', done: 0, total: 0 })) };
}

export function stepOf(p: WorkflowProgress, name: string): StepProgress {
  const s = p.steps.find((x) => x.name === name);
  if (!s) throw new Error(`unknown step ${name}`);
  return s;
}

/** Shows a quota wait on the step (untilQuotaAllows hooks), so `ops progress` and the UI tell why it paused. */
export function quotaWaitNotes(step: StepProgress, recheck?: Duration): QuotaWaitHooks {
  return {
    recheck,
    onWait: (d) => (step.note = `waiting ${Math.ceil(d.waitMs / 60_000)} min for the ${d.source} daily quota to reset`),
    onResume: () => (step.note = undefined),
  };
}
