/**
 * Retry and pacing policy of the collection chains. The defaults are seed 001 Part 3.3's
 * table; a run may override any of them through its input (tests use short waits).
 *
 * Crash-tolerant retries, for the price batches and the Compass Score (`withWorkerLossAttempts` of
 * shared/crash-retries.ts). A worker killed mid-attempt (kill -9, OOM, a lost machine) fails its attempts
 * only by timeout, heartbeat or start-to-close, and Temporal counts those against maximumAttempts like any
 * failure: with the 4 attempts of sourceRetry, a few crashes on one batch would fail the chain. These
 * activities therefore heartbeat at least every 10 s (a crash costs one `heartbeatTimeout`, 30 s, plus the
 * policy's backoff) and run under the policy they would have anyway (sourceRetry or dbRetry: intervals,
 * non-retryable types) with WORKER_LOSS_ATTEMPTS (20) more attempts. Their failure budget stays the policy's
 * own maximumAttempts, enforced by the activity rather than by Temporal's count: it counts the failures it
 * throws in its heartbeat details, which outlive the attempt (a crash throws nothing, so counts nothing),
 * retries them after the policy's backoff for that many failures (30, 60, 120 s for a source, or the delay
 * the source asked for) and fails non-retryably at the budget (activities/attempt-budget.ts). A 5xx still
 * gets exactly 3 retries however many crashes come between them, and 20 crashes of one batch still end in
 * a loaded batch.
 *
 * Workflow runs: each workflow type's run and execution timeout and its retry policy are WORKFLOW_RUN_POLICY
 * (shared/workflow-run-policy.ts, re-exported here); schedules, child starts and client starts read them
 * through runStartOptions.
 */
import type { Duration, RetryPolicy } from '@temporalio/common';
import type { JobWorkflowType } from '../shared/workflow-run-policy';
import type { WorkflowType } from '../shared/workflow-types';
import type * as collectionWorkflows from './index';
import type * as jobWorkflows from './jobs';

export { CHAIN_SLOT_RUN_TIMEOUT, runStartOptions, WORKFLOW_RUN_POLICY, type WorkflowRunPolicy } from '../shared/workflow-run-policy';

export interface ChainPolicy {
  /** API failures (5xx, timeouts, resets): 3 retries at 30 s, 60 s, 120 s. */
  sourceRetry: RetryPolicy;
  /** Database errors: 2 retries, 5 s apart. */
  dbRetry: RetryPolicy;
  /** Trading dates per load activity. */
  batchDates: number;
  /** Load activities in flight at once during a backfill. */
  parallelism: number;
  /** Wait between asks when the target date's prices are not published yet ("retry after 16:00"). */
  publishWaitInterval: Duration;
  /** How many such waits before the chain fails and raises an alert. */
  publishWaitMax: number;
  /**
   * Longest single wait for a spent daily quota before asking again (the wait is until midnight
   * KST; asking earlier costs one refused call and notices a raised limit or a reset count).
   */
  quotaRecheck: Duration;
  /** Heartbeat timeout of the crash-tolerant activities: how long a killed worker holds up their retry. */
  heartbeatTimeout: Duration;
}

export const DEFAULT_POLICY: ChainPolicy = {
  sourceRetry: {
    initialInterval: '30s',
    backoffCoefficient: 2,
    maximumInterval: '120s',
    maximumAttempts: 4,
    nonRetryableErrorTypes: ['SourceNonRetryable', 'CalendarRangeError'],
  },
  dbRetry: { initialInterval: '5s', backoffCoefficient: 1, maximumAttempts: 3 },
  batchDates: 20,
  parallelism: 4,
  publishWaitInterval: '10m',
  publishWaitMax: 6,
  quotaRecheck: '30m',
  heartbeatTimeout: '30s',
};

export function resolvePolicy(override?: Partial<ChainPolicy>): ChainPolicy {
  return {
    ...DEFAULT_POLICY,
    ...override,
    sourceRetry: { ...DEFAULT_POLICY.sourceRetry, ...override?.sourceRetry },
    dbRetry: { ...DEFAULT_POLICY.dbRetry, ...override?.dbRetry },
  };
}

/** The workflow functions a bundle's entry file exports (its signal and query definitions are objects). */
type WorkflowsOf<M> = { [K in keyof M]: M[K] extends (...args: never[]) => Promise<unknown> ? K : never }[keyof M];
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/** Fails to compile when a bundle exports a workflow that the run policy table does not name, or the other way round. */
export const RUN_POLICY_NAMES_EVERY_WORKFLOW: Same<WorkflowsOf<typeof collectionWorkflows> | WorkflowsOf<typeof jobWorkflows>, WorkflowType | JobWorkflowType> = true;
