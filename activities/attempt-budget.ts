/**
 * The heartbeats of the long activities (price batches, the Compass Score) and the failure budget they carry
 * (workflows/policy.ts, "crash-tolerant retries"):
 * - a timer repeats the latest progress every HEARTBEAT_EVERY_MS (a third of the heartbeat timeout when that is
 *   shorter), so that a slow page or a long SQL statement never looks like a dead worker, and a dead one is
 *   noticed after one heartbeat timeout;
 * - each failure the attempt throws is counted in the heartbeat details (`failures`), which the worker flushes
 *   with the failure and the server hands to the next attempt. A killed worker throws nothing and counts
 *   nothing. Below the budget the failure is retried after the policy's backoff for that many failures (or the
 *   delay the source asked for, nextRetryDelay); at the budget it fails non-retryably.
 * Outside an activity (the score from a script or a test) the body just runs.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { RetryPolicy } from '@temporalio/common';
import { failureBudget } from '../shared/crash-retries';
import { optionalDurationMs } from '../shared/duration';

const HEARTBEAT_EVERY_MS = 10_000;

export interface Attempt<P> {
  /** What the previous attempt last reported ({} on the first). */
  resume: Partial<P>;
  /** Reports progress: kept for the next attempt, and repeated by the timer until the next report. */
  beat(progress: P): void;
}

type Counted = Record<string, unknown> & { failures: number };

/** `failureRetry`: the policy of the activity's own failures (the workflow's, passed in the input); without it, Info's. */
export async function budgetedAttempt<P extends object, T>(body: (attempt: Attempt<P>) => Promise<T>, failureRetry?: RetryPolicy): Promise<T> {
  const ctx = activityContext();
  if (!ctx) return body({ resume: {}, beat: () => undefined });
  const previous = (ctx.info.heartbeatDetails ?? {}) as Partial<P> & { failures?: number };
  const failures = previous.failures ?? 0;
  // Until the first report, the timer repeats the previous attempt's, so that a crash now keeps the resume point.
  let details: Counted = { ...previous, failures };
  const hbTimeout = ctx.info.heartbeatTimeoutMs;
  const timer = hbTimeout ? setInterval(() => ctx.heartbeat(details), Math.min(HEARTBEAT_EVERY_MS, hbTimeout / 3)) : undefined;
  try {
    return await body({
      resume: previous,
      beat: (progress) => {
        details = { ...progress, failures };
        ctx.heartbeat(details);
      },
    });
  } catch (err) {
    throw countFailure(ctx, err, details, failureRetry);
  } finally {
    clearInterval(timer);
  }
}

function countFailure(ctx: Context, err: unknown, details: Counted, failureRetry: RetryPolicy | undefined): unknown {
  const budget = failureBudget(ctx.info.retryPolicy, failureRetry);
  const retry = failureRetry ?? ctx.info.retryPolicy;
  // No room for crashes in the policy: Temporal's attempt count is the budget. A cancelled attempt ends as
  // cancelled, and a failure that is final already (non-retryable, a quota wait) uses nothing up.
  if (budget === undefined || ctx.cancellationSignal.aborted) return err;
  const failure = ApplicationFailure.fromError(err);
  if (failure.nonRetryable || retry?.nonRetryableErrorTypes?.includes(failure.type ?? '')) return err;
  const failures = details.failures + 1;
  ctx.heartbeat({ ...details, failures });
  if (failures >= budget) return ApplicationFailure.fromError(failure, { nonRetryable: true });
  return ApplicationFailure.fromError(failure, { nextRetryDelay: failure.nextRetryDelay ?? backoff(retry!, failures) });
}

/** Temporal's own backoff, counted in failures instead of attempts. */
function backoff(retry: RetryPolicy, failures: number): number {
  const initial = optionalDurationMs(retry.initialInterval) ?? 1000;
  const delay = initial * (retry.backoffCoefficient ?? 2) ** (failures - 1);
  return Math.min(delay, optionalDurationMs(retry.maximumInterval) ?? 100 * initial);
}

function activityContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}
