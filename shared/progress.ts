/**
 * What long workflows report through the `progress` query (done and total, per step), and the query and
 * signal that carry it. Here rather than in workflows/ so that clients (`npm run ops -- progress`, tests)
 * query a run without importing workflow code; workflows/progress.ts keeps it current inside the run.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';

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
