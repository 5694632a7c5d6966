/**
 * Task queues by worker role (README "Which processes run where"): the one place that says which workflow
 * runs on which queue, so that a five-year backfill never holds up the report the API waits on, nor the
 * watchdog and the morning emails.
 *   collection  the chains, their backfills and the operators' starts on them (`npm run ops`), the daily pipeline
 *   reports     the counterparty-risk report (the API's, and the schedule's run that claims the date)
 *   ops         the watchdog (with its alert delivery) and the two emails
 * A workflow's activities and child workflows run on its own queue (Temporal's default), so the role of the
 * workflow a schedule, the API or the CLI starts decides where all of its work goes.
 */
import type { WorkflowType } from './workflow-types';

export const WORKER_ROLES = ['collection', 'reports', 'ops'] as const;
export type WorkerRole = (typeof WORKER_ROLES)[number];

/** Every workflow type (shared/workflow-types.ts) and its role: a type without one does not compile. */
export const WORKFLOW_ROLES: Record<WorkflowType, WorkerRole> = {
  dailyCollection: 'collection',
  weeklyRefresh: 'collection',
  monthlyProducts: 'collection',
  quarterlyCorporateActions: 'collection',
  dartFinancials: 'collection',
  priceBackfill: 'collection',
  chainSlot: 'collection',
  initialLoad: 'collection',
  priceRangeBackfill: 'collection',
  recomputeTicker: 'collection',
  dailyPipeline: 'collection',
  counterpartyRiskReport: 'reports',
  opsWatchdog: 'ops',
  dailyMarketEmail: 'ops',
  watchlistScoreAlerts: 'ops',
};

/** The task queue of each role. */
export type TaskQueues = Record<WorkerRole, string>;

/** The configuration that names the queues (config/env.ts). TEMPORAL_TASK_QUEUE stays the collection queue. */
export interface TaskQueueSettings {
  TEMPORAL_TASK_QUEUE: string;
  TEMPORAL_TASK_QUEUE_REPORTS: string;
  TEMPORAL_TASK_QUEUE_OPS: string;
}

export const DEFAULT_TASK_QUEUES: TaskQueues = { collection: 'compass-collection', reports: 'compass-reports', ops: 'compass-ops' };

export function taskQueuesOf(s: TaskQueueSettings): TaskQueues {
  return { collection: s.TEMPORAL_TASK_QUEUE, reports: s.TEMPORAL_TASK_QUEUE_REPORTS, ops: s.TEMPORAL_TASK_QUEUE_OPS };
}

export function roleOf(workflowType: string): WorkerRole {
  const role = (WORKFLOW_ROLES as Record<string, WorkerRole | undefined>)[workflowType];
  if (!role) throw new TypeError(`workflow type ${workflowType} has no worker role: add it to WORKFLOW_ROLES in shared/task-queues.ts`);
  return role;
}

/**
 * The queue a start of `workflowType` goes to. A single queue name instead of the mapping puts every role on it:
 * a test's one worker, or a deployment that wants no split.
 */
export function taskQueueFor(queues: TaskQueues | string, workflowType: string): string {
  return typeof queues === 'string' ? queues : queues[roleOf(workflowType)];
}
