/**
 * The failure taxonomy shared by every source client. A client classifies each failure once,
 * at the wire, into one of four classes; activities turn the class into the matching Temporal
 * failure (see activities/failures.ts), so retry behaviour is decided by data, not by
 * scattered try/catch blocks.
 */
export type FailureClass =
  /** Transient: 5xx, timeouts, connection resets, malformed bodies. Temporal retries with backoff. */
  | 'retryable'
  /** The source asked us to slow down or wait for a quota reset; `retryAfterMs` says how long. */
  | 'rate-limited'
  /** Key, permission or request problems that no retry can fix. The operator must act. */
  | 'non-retryable';

/**
 * Malformed, truncated or HTML bodies, and rows that do not match their schema: the same request
 * would most likely get the same body again, and loading part of it would be worse than nothing,
 * so the run stops and the operator looks (issue 3). One class for every source.
 */
export const MALFORMED_CLASS: FailureClass = 'non-retryable';

export class SourceError extends Error {
  constructor(
    readonly source: string,
    readonly failureClass: FailureClass,
    message: string,
    readonly code?: string,
    readonly retryAfterMs?: number,
  ) {
    super(`${source}: ${message}`);
    this.name = 'SourceError';
  }
}

/** Milliseconds until the next midnight in Korea, when the daily quotas of Korean APIs reset. */
export function msUntilKstMidnight(nowMs: number): number {
  const kstOffset = 9 * 3_600_000;
  const day = 86_400_000;
  const sinceMidnight = (((nowMs + kstOffset) % day) + day) % day;
  // A minute of slack, so the retry does not land a hair before the reset.
  return day - sinceMidnight + 60_000;
}
