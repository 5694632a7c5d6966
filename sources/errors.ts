/**
 * The failure taxonomy shared by every source client. A client classifies each failure once,
 * at the wire, into one of three classes; activities turn the class into the matching Temporal
 * failure (see activities/failures.ts), so retry behaviour is decided by data, not by
 * scattered try/catch blocks.
 */
export type FailureClass =
  /** Transient: 5xx, timeouts, connection resets, codes no table lists. Temporal retries with backoff. */
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

/**
 * A result code that none of the source's tables lists, for every source alike. Retryable, so
 * the normal policy bounds it (seed 001 Part 3.3 retries any unclassified failure three times):
 * each source's own catch-all codes (data.go.kr 99, DART and finlife 900) are retried the same
 * way (korean-apis.md §7), and an unlisted code is likelier a new transient fault than a key
 * problem. One that persists is still seen: the source-down alert fires after
 * SOURCE_DOWN_ALERT_ATTEMPTS failures in a row, then the run fails with this message.
 */
export function unknownCodeError(source: string, code: string, what: string): SourceError {
  return new SourceError(source, 'retryable', `${what} (unknown code)`, code);
}
