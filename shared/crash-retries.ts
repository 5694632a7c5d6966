/**
 * Attempts lost to worker crashes, kept apart from an activity's failure budget (workflows/policy.ts says why;
 * activities/attempt-budget.ts is the activity's side). Used on both sides of the workflow sandbox.
 */
import type { RetryPolicy } from '@temporalio/common';

/** Crashes (heartbeat or start-to-close timeouts) one activity may take on top of its failure budget. */
export const WORKER_LOSS_ATTEMPTS = 20;

/**
 * The server's own intervals under withWorkerLossAttempts. They apply only to attempts that ended by timeout,
 * i.e. to crashes, which have already waited out the heartbeat timeout: every failure the activity throws carries
 * its own nextRetryDelay, computed from the failure policy it is given in its input (`failureRetry`).
 */
const CRASH_RETRY_INTERVALS: RetryPolicy = { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10s' };

/**
 * The retry policy the server applies to a crash-tolerant activity whose own failures follow `failures` (pass
 * `failures` itself in the activity's input as `failureRetry`): room for WORKER_LOSS_ATTEMPTS crashes on top of its
 * maximumAttempts, and short intervals after a crash. Unlimited stays as it is.
 */
export function withWorkerLossAttempts(failures: RetryPolicy): RetryPolicy {
  if (!failures.maximumAttempts) return failures;
  return { ...failures, ...CRASH_RETRY_INTERVALS, maximumAttempts: failures.maximumAttempts + WORKER_LOSS_ATTEMPTS };
}

/**
 * The attempts an activity's own failures may use: its failure policy's maximumAttempts when the workflow passed
 * one, else read off `retry` (as the activity sees it in its Info; runs scheduled before `failureRetry` existed).
 * Undefined when the policy has no room for crashes: then Temporal's attempt count is the budget, as before.
 */
export function failureBudget(retry: RetryPolicy | undefined, failureRetry?: RetryPolicy): number | undefined {
  const max = retry?.maximumAttempts ?? 0;
  if (max <= WORKER_LOSS_ATTEMPTS) return undefined;
  return failureRetry?.maximumAttempts || max - WORKER_LOSS_ATTEMPTS;
}
