/**
 * The DART envelope and the classification of its failures (korean-apis.md §1.1 and §7).
 * DART answers errors with HTTP 200 and a non-"000" `status` in the body, JSON for the .json
 * endpoints and XML for corpCode.xml, so the body decides, and the HTTP status only when the
 * answer never reached DART's application (gateway 5xx, 429).
 */
import { z } from 'zod';
import { transientStatusFailure } from '../answers';
import { MALFORMED_CLASS, SourceError, msUntilKstMidnight, unknownCodeError } from '../errors';
import { decodeText, type HttpBytesAnswer } from '../http';
import { describeBody } from '../redaction';
import { malformedAnswer, mapRows as mapAnswerRows } from '../rows';

export const SOURCE = 'dart';

/** 013 no rows, 014 no file: an empty answer, not a failure. */
const NO_DATA = new Set(['013', '014']);
/** 800 is DART's maintenance (outside the known window too), 900 its "undefined error". */
const RETRYABLE = new Set(['800', '900']);
/** Key, IP, batch size and field problems: only an operator can fix them. */
const NON_RETRYABLE = new Set(['010', '011', '012', '021', '100', '101', '901']);
const QUOTA_SPENT = '020';

/** Bytes, because corpCode.xml answers a ZIP; the JSON endpoints are decoded from them. */
export type RawAnswer = HttpBytesAnswer;

export function statusError(endpoint: string, status: string, message: string, nowMs: number): SourceError {
  const what = `${endpoint}: status ${status} ${message}`.trim();
  if (status === QUOTA_SPENT) {
    return new SourceError(SOURCE, 'rate-limited', `${what} (daily quota spent; resets at midnight KST)`, status, msUntilKstMidnight(nowMs));
  }
  if (RETRYABLE.has(status)) return new SourceError(SOURCE, 'retryable', what, status);
  if (NON_RETRYABLE.has(status)) return new SourceError(SOURCE, 'non-retryable', what, status);
  return unknownCodeError(SOURCE, status, what);
}

/**
 * The class of a body DART should not have sent (truncated JSON, an HTML page with HTTP 200, a
 * broken ZIP): the project's one malformed class (sources/errors.ts), the same for every source.
 */
export { MALFORMED_CLASS };

/** Nothing from a call that raised this is returned, so nothing partial is ever written. */
export function malformed(endpoint: string, what: string): SourceError {
  return malformedAnswer(SOURCE, endpoint, what);
}

/** Failures decided by the HTTP status alone. */
export function httpError(endpoint: string, answer: RawAnswer, nowMs: number): SourceError | null {
  const s = answer.status;
  if (s === 200) return null;
  const transient = transientStatusFailure(SOURCE, endpoint, answer, nowMs);
  if (transient) return transient;
  if (s === 401 || s === 403) return new SourceError(SOURCE, 'non-retryable', `${endpoint}: HTTP ${s}: access refused`, `HTTP${s}`);
  return new SourceError(SOURCE, 'non-retryable', `${endpoint}: unexpected HTTP ${s}`, `HTTP${s}`);
}

const envelopeSchema = z.object({
  status: z.string().regex(/^\d{3}$/),
  message: z.string().optional(),
  list: z.array(z.unknown()).optional(),
});

export type Envelope = z.infer<typeof envelopeSchema>;

/** The `list` of a JSON answer; [] for "no data". */
export function decodeList(endpoint: string, answer: RawAnswer, nowMs: number): unknown[] {
  const env = decodeEnvelope(endpoint, answer, nowMs);
  if (NO_DATA.has(env.status)) return [];
  if (!env.list) throw malformed(endpoint, 'status 000 without a list');
  return env.list;
}

/** The whole JSON envelope (for endpoints with paging fields beside `list`); throws for every non-000 status but no-data. */
export function decodeEnvelope(endpoint: string, answer: RawAnswer, nowMs: number): Envelope {
  const fromHttp = httpError(endpoint, answer, nowMs);
  if (fromHttp) throw fromHttp;
  const body = decodeText(answer.bytes);
  const trimmed = body.trimStart();
  let env: Envelope;
  if (trimmed.startsWith('<')) {
    // DART's own XML error envelope is still a status; any other markup (an HTML page) is not.
    const xml = statusFromXml(trimmed);
    if (!xml) throw malformed(endpoint, `markup instead of JSON (${describe(trimmed)})`);
    env = xml;
  } else {
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      throw malformed(endpoint, `not JSON (${describe(trimmed)})`);
    }
    const parsed = envelopeSchema.safeParse(json);
    if (!parsed.success) throw malformed(endpoint, `no valid envelope (${parsed.error.issues[0]?.path.join('.') || 'body'})`);
    env = parsed.data;
  }
  if (env.status === '000' || NO_DATA.has(env.status)) return env;
  throw statusError(endpoint, env.status, env.message ?? '', nowMs);
}

/** corpCode.xml answers errors as `<result><status>…</status><message>…</message></result>`. */
export function statusFromXml(xml: string): { status: string; message: string } | null {
  const status = /<status>\s*(\d{3})\s*<\/status>/.exec(xml)?.[1];
  if (!status) return null;
  const message = /<message>([^<]*)<\/message>/.exec(xml)?.[1]?.trim() ?? '';
  return { status, message };
}

export function isNoData(status: string): boolean {
  return NO_DATA.has(status);
}

/** A bad body, shortened and with key-shaped parameters blanked (shared with the other sources). */
export const describe = describeBody;

/** Row-level validation: one bad row fails the call, so nothing partial is ever returned. */
export function mapRows<S extends z.ZodTypeAny, R>(endpoint: string, rows: unknown[], schema: S, map: (row: z.infer<S>) => R): R[] {
  return mapAnswerRows(SOURCE, endpoint, rows, schema, map);
}
