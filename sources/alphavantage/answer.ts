/**
 * Alpha Vantage's answers and the classification of their failures. Alpha Vantage answers
 * almost everything with HTTP 200 and says what went wrong in a one-key JSON object:
 *   {"Error Message": …}  a bad symbol, function or parameter (non-retryable);
 *   {"Note": …}           the old per-minute limit ("5 calls per minute and 500 calls per day");
 *   {"Information": …}    since 2024 the free tier's limit (25 requests a day, and since late 2025
 *                         about one a second, both in one message), but also "premium endpoint",
 *                         the demo key used for another symbol, and an invalid key.
 * So "Information" is rate-limited unless its text names one of the permanent cases.
 */
import { parseJsonObject, transientStatusFailure } from '../answers';
import { SourceError } from '../errors';
import type { HttpAnswer } from '../http';
import { describeBody } from '../redaction';

export const SOURCE = 'alphavantage';

/** "Information" texts no wait can fix: a paid endpoint or option, the demo key, a bad key. */
const PERMANENT_INFORMATION = /premium endpoint|premium feature|demo purposes|apikey is invalid|invalid api ?key/i;

export interface ClassifyOptions {
  nowMs: number;
  /** How long a "Note"/"Information" rate limit waits; Alpha Vantage gives no Retry-After. */
  rateLimitWaitMs: number;
}

/** The JSON object of an answer that carries data; every failure above throws its class. */
export function decodeAnswer(endpoint: string, answer: HttpAnswer, opts: ClassifyOptions): Record<string, unknown> {
  const transient = transientStatusFailure(SOURCE, endpoint, answer, opts.nowMs);
  if (transient) throw transient;
  if (answer.status !== 200) throw new SourceError(SOURCE, 'non-retryable', `${endpoint}: unexpected HTTP ${answer.status}: ${describeBody(answer.body)}`, `HTTP${answer.status}`);
  const obj = parseJsonObject(SOURCE, endpoint, answer.body);

  const error = obj['Error Message'];
  if (typeof error === 'string') throw new SourceError(SOURCE, 'non-retryable', `${endpoint}: ${error}`, 'ERROR_MESSAGE');
  const note = obj.Note;
  if (typeof note === 'string') throw new SourceError(SOURCE, 'rate-limited', `${endpoint}: ${note}`, 'RATE_LIMIT', opts.rateLimitWaitMs);
  const info = obj.Information;
  if (typeof info === 'string') {
    if (PERMANENT_INFORMATION.test(info) && !/sparingly|per minute|per second/i.test(info)) {
      throw new SourceError(SOURCE, 'non-retryable', `${endpoint}: ${info}`, 'INFORMATION');
    }
    throw new SourceError(SOURCE, 'rate-limited', `${endpoint}: ${info}`, 'RATE_LIMIT', opts.rateLimitWaitMs);
  }
  return obj;
}
