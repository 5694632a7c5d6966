/**
 * Attempts lost to worker crashes, kept apart from an activity's failure budget (workflows/policy.ts says why;
 * activities/attempt-budget.ts is the activity's side). Used on both sides of the workflow sandbox.
 */
import type { RetryPolicy } from '@temporalio/common';

/** Crashes (heartbeat or start-to-close timeouts) one activity may take on top of its failure budget. */
export const WORKER_LOSS_ATTEMPTS = 20;

/** `failures` (its maximumAttempts: the failure budget) with room for WORKER_LOSS_ATTEMPTS crashes. Unlimited stays unlimited. */
export function withWorkerLossAttempts(failures: RetryPolicy): RetryPolicy {
  if (!failures.maximumAttempts) return failures;
  return { ...failures, maximumAttempts: failures.maximumAttempts + WORKER_LOSS_ATTEMPTS };
}

/**
 * The attempts an activity's own failures may use under `retry` (as the activity sees it in its Info), or
 * undefined when the policy has no room for crashes: then Temporal's attempt count is the budget, as before.
 */
export function failureBudget(retry: RetryPolicy | undefined): number | undefined {
  const max = retry?.maximumAttempts ?? 0;
  return max > WORKER_LOSS_ATTEMPTS ? max - WORKER_LOSS_ATTEMPTS : undefined;
}
