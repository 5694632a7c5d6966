/**
 * Turns a source failure into the Temporal failure that carries its retry behaviour:
 * retryable → normal backoff; rate-limited → the delay the source implies (nextRetryDelay);
 * non-retryable → fails the activity at once and marks the failure for an operator alert.
 */
import { ApplicationFailure } from '@temporalio/common';
import { SourceError } from '../sources/errors';

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

export function toActivityFailure(err: unknown): unknown {
  if (!(err instanceof SourceError)) return err;
  const details: FailureDetails = { source: err.source, code: err.code, alert: err.failureClass === 'non-retryable' };
  return ApplicationFailure.create({
    message: err.message,
    type: FAILURE_TYPES[err.failureClass],
    nonRetryable: err.failureClass === 'non-retryable',
    nextRetryDelay: err.failureClass === 'rate-limited' ? err.retryAfterMs : undefined,
    details: [details],
  });
}
