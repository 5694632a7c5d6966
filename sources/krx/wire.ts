/**
 * The KRX data portal's wire format (korean-apis.md §4.1, §4.2, §7): every query is a form POST
 * to getJsonData.cmd naming a `bld`, answered with JSON (served as text/html) whose rows sit
 * under a wrapper key that differs per bld. Failures are told apart by status and body alone:
 * KRX has no error envelope.
 */
import { parseJsonObject, transientStatusFailure } from '../answers';
import { SourceError } from '../errors';
import type { HttpAnswer } from '../http';
import { describeBody } from '../redaction';
import { malformedAnswer } from '../rows';

export const SOURCE = 'krx';

export const JSON_DATA_PATH = '/comm/bldAttendant/getJsonData.cmd';
export const RESOURCE_BUNDLE_PATH = '/comm/bldAttendant/executeForResourceBundle.cmd';
/** Mandatory since July 2024 (FDR #217): without it getJsonData answers with nothing useful. */
export const REFERER_PATH = '/contents/MDC/MDI/outerLoader/index.cmd';
export const USER_AGENT = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

/** What KRX sends instead of data when the session is missing or expired (HTTP 400, also seen as 404). */
export function isLogout(answer: HttpAnswer): boolean {
  return answer.body.trim() === 'LOGOUT';
}

/** Failures the status alone decides; null for 200. A LOGOUT body is the session's business, not this. */
export function httpFailure(endpoint: string, answer: HttpAnswer, nowMs: number): SourceError | null {
  if (answer.status === 200) return null;
  const transient = transientStatusFailure(SOURCE, endpoint, answer, nowMs);
  if (transient) return transient;
  if (answer.status === 400) {
    // KRX refuses a range longer than two years with a plain 400 (FDR: "Period is up to 2 years");
    // the same request can never succeed, so it is the caller's to split.
    const hint = /year|기간|년/i.test(answer.body) ? ' (a date range longer than KRX allows, at most 2 years per request?)' : '';
    return new SourceError(SOURCE, 'non-retryable', `${endpoint}: HTTP 400 bad request${hint}: ${describeBody(answer.body)}`, 'HTTP400');
  }
  return new SourceError(SOURCE, 'non-retryable', `${endpoint}: HTTP ${answer.status}: ${describeBody(answer.body)}`, `HTTP${answer.status}`);
}

/** The answer's JSON object; an HTML page or a truncated body is the malformed class. */
export function decodeJson(endpoint: string, answer: HttpAnswer, nowMs: number): Record<string, unknown> {
  const failure = httpFailure(endpoint, answer, nowMs);
  if (failure) throw failure;
  return parseJsonObject(SOURCE, endpoint, answer.body);
}

/** The rows under `wrapper` (OutBlock_1, output or block1, per bld); a missing wrapper is malformed, an empty list is no data. */
export function decodeBlock(endpoint: string, answer: HttpAnswer, wrapper: string, nowMs: number): unknown[] {
  const json = decodeJson(endpoint, answer, nowMs);
  const rows = json[wrapper];
  if (!Array.isArray(rows)) {
    const keys = Object.keys(json).slice(0, 5).join(', ') || 'none';
    throw malformedAnswer(SOURCE, endpoint, `no ${wrapper} list (keys: ${keys})`);
  }
  return rows;
}
