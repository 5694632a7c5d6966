/**
 * Turns a source failure into the Temporal failure that carries its retry behaviour:
 * retryable → normal backoff; rate-limited → the delay the source implies (nextRetryDelay);
 * a wait as long as a quota reset → a 'SourceQuotaWait' failure that the workflow answers
 * with a durable timer (workflows/quota-wait.ts), so that waiting for tomorrow's quota uses
 * up no retry attempt; non-retryable → fails the activity at once and marks it for an alert.
 * A network error (no answer at all) is retried at a fixed short interval instead of the backoff
 * of 5xx answers and timeouts, as seed 001 Part 3.3 has it.
 */
import { ApplicationFailure } from '@temporalio/common';
import { SourceError } from '../sources/errors';
import { QUOTA_WAIT_FAILURE, QUOTA_WAIT_MIN_MS, type QuotaWaitDetails } from '../shared/quota-wait';

export const FAILURE_TYPES = {
  retryable: 'SourceRetryable',
  'rate-limited': 'SourceRateLimited',
  'non-retryable': 'SourceNonRetryable',
} as const;

export interface FailureDetails {
  source: string;
  code?: string;
  alert: boolean;
}

export interface FailureRules {
  /** The wait before retrying after a network error (connection refused or reset, DNS): seed 001 Part 3.3's 10 s. */
  networkRetryDelayMs: number;
}

export function failureRules(cfg: { SOURCE_NETWORK_RETRY_SEC: number }): FailureRules {
  return { networkRetryDelayMs: cfg.SOURCE_NETWORK_RETRY_SEC * 1000 };
}

export function toActivityFailure(err: unknown, rules: FailureRules): unknown {
  if (!(err instanceof SourceError)) return err;
  if (err.failureClass === 'rate-limited' && (err.retryAfterMs ?? 0) >= QUOTA_WAIT_MIN_MS) {
    const details: QuotaWaitDetails = { source: err.source, code: err.code, waitMs: err.retryAfterMs! };
    return ApplicationFailure.create({ message: err.message, type: QUOTA_WAIT_FAILURE, nonRetryable: true, details: [details] });
  }
  const details: FailureDetails = { source: err.source, code: err.code, alert: err.failureClass === 'non-retryable' };
  return ApplicationFailure.create({
    message: err.message,
    type: FAILURE_TYPES[err.failureClass],
    nonRetryable: err.failureClass === 'non-retryable',
    nextRetryDelay: err.failureClass === 'rate-limited' ? err.retryAfterMs : err.code === 'NETWORK' ? rules.networkRetryDelayMs : undefined,
    details: [details],
  });
}
