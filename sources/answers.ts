/**
 * Reading an HTTP answer the same way for every source: the statuses whose class never depends
 * on the source, and JSON bodies that turn out to be an HTML page or cut short.
 */
import { SourceError } from './errors';
import { type HttpAnswer, retryAfterMs } from './http';
import { describeBody } from './redaction';
import { malformedAnswer } from './rows';

export const HTTP_429_DEFAULT_WAIT_MS = 60_000; // seed 001 Part 3.3: "429 → wait 60 s fixed"

/** 429 (Retry-After, else 60 s) and 5xx; null for any other status, which each source reads its own way. */
export function transientStatusFailure(source: string, endpoint: string, answer: Pick<HttpAnswer, 'status' | 'headers'>, nowMs: number): SourceError | null {
  const s = answer.status;
  if (s === 429) return new SourceError(source, 'rate-limited', `${endpoint}: HTTP 429`, 'HTTP429', retryAfterMs(answer.headers, nowMs) ?? HTTP_429_DEFAULT_WAIT_MS);
  if (s >= 500) return new SourceError(source, 'retryable', `${endpoint}: HTTP ${s}`, `HTTP${s}`);
  return null;
}

/** A JSON object body; markup, a truncated body or a non-object is the malformed class. */
export function parseJsonObject(source: string, endpoint: string, raw: string): Record<string, unknown> {
  const body = raw.trimStart();
  if (body.startsWith('<')) throw malformedAnswer(source, endpoint, `markup instead of JSON (${describeBody(body)})`);
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw malformedAnswer(source, endpoint, `not JSON (${describeBody(body)})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw malformedAnswer(source, endpoint, 'not a JSON object');
  return json as Record<string, unknown>;
}
