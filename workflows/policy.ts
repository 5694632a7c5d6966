/**
 * Retry and pacing policy of the collection chains. The defaults are seed 001 Part 3.3's
 * table; a run may override any of them through its input (tests use short waits).
 */
import type { Duration, RetryPolicy } from '@temporalio/common';

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
};

export function resolvePolicy(override?: Partial<ChainPolicy>): ChainPolicy {
  return {
    ...DEFAULT_POLICY,
    ...override,
    sourceRetry: { ...DEFAULT_POLICY.sourceRetry, ...override?.sourceRetry },
    dbRetry: { ...DEFAULT_POLICY.dbRetry, ...override?.dbRetry },
  };
}
