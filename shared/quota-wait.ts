/**
 * The contract between activities and workflows for long source waits (a spent daily quota,
 * DART's 020, data.go.kr's 22): the activity fails at once with this type, and the workflow
 * sleeps on a durable timer for `waitMs` and then calls again (workflows/quota-wait.ts).
 */
export const QUOTA_WAIT_FAILURE = 'SourceQuotaWait';

/** Shorter rate-limit waits stay ordinary activity retries with nextRetryDelay. */
export const QUOTA_WAIT_MIN_MS = 5 * 60_000;

export interface QuotaWaitDetails {
  source: string;
  code?: string;
  waitMs: number;
}
