/**
 * The envelope every FSC API on data.go.kr shares, and the classification of its failures
 * (korean-apis.md §3.0 and §7). API errors come as HTTP 200 with a non-"00" resultCode;
 * gateway errors (key, quota, TPS) come as the XML <OpenAPI_ServiceResponse>, with HTTP 200
 * or 401/403, even when JSON was asked for.
 */
import { MALFORMED_CLASS, SourceError, msUntilKstMidnight } from '../errors';
import { type HttpAnswer, retryAfterMs } from '../http';
import { asArray } from '../parse';

export const SOURCE = 'data.go.kr';

const RETRYABLE = new Set(['01', '02', '04', '05', '21', '99']);
const NON_RETRYABLE = new Set(['10', '11', '12', '20', '29', '30', '31', '32', '33']);
const TPS_EXCEEDED_WAIT_MS = 1_000;
const HTTP_429_DEFAULT_WAIT_MS = 60_000; // seed 001 Part 3.3: "429 → wait 60 s fixed"

export interface Page<T> {
  totalCount: number;
  pageNo: number;
  numOfRows: number;
  items: T[];
}

/** resultCode "03" and `items: ""` both mean "nothing here", which is not an error. */
export function decodePage<T>(answer: HttpAnswer, nowMs: number): Page<T> {
  const body = answer.body.trimStart();
  if (body.startsWith('<')) throw gatewayError(body, answer.status, nowMs);
  if (answer.status === 429) {
    throw new SourceError(SOURCE, 'rate-limited', 'HTTP 429', 'HTTP429', retryAfterMs(answer.headers, nowMs) ?? HTTP_429_DEFAULT_WAIT_MS);
  }
  if (answer.status >= 500) throw new SourceError(SOURCE, 'retryable', `HTTP ${answer.status}`, `HTTP${answer.status}`);
  if (answer.status === 401 || answer.status === 403) {
    throw new SourceError(SOURCE, 'non-retryable', `HTTP ${answer.status}: key rejected`, `HTTP${answer.status}`);
  }
  if (answer.status !== 200) throw new SourceError(SOURCE, 'non-retryable', `unexpected HTTP ${answer.status}`, `HTTP${answer.status}`);

  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new SourceError(SOURCE, MALFORMED_CLASS, `malformed JSON body (${body.length} bytes)`, 'MALFORMED');
  }
  const response = (json as { response?: { header?: { resultCode?: string; resultMsg?: string }; body?: unknown } }).response;
  const code = response?.header?.resultCode;
  if (!response || code === undefined) throw new SourceError(SOURCE, MALFORMED_CLASS, 'body has no response.header', 'MALFORMED');
  const msg = response.header?.resultMsg ?? '';
  if (code === '03') return { totalCount: 0, pageNo: 1, numOfRows: 0, items: [] };
  if (code !== '00') throw resultCodeError(code, msg, nowMs);

  const b = response.body as { totalCount?: number | string; pageNo?: number | string; numOfRows?: number | string; items?: unknown } | undefined;
  if (!b) throw new SourceError(SOURCE, MALFORMED_CLASS, 'resultCode 00 without a body', 'MALFORMED');
  const itemsField = b.items;
  const items = itemsField === '' || itemsField === undefined || itemsField === null ? [] : asArray((itemsField as { item?: T | T[] }).item);
  return {
    totalCount: Number(b.totalCount ?? 0),
    pageNo: Number(b.pageNo ?? 1),
    numOfRows: Number(b.numOfRows ?? items.length),
    items,
  };
}

export function resultCodeError(code: string, msg: string, nowMs: number): SourceError {
  const what = `resultCode ${code} ${msg}`.trim();
  if (code === '22') return new SourceError(SOURCE, 'rate-limited', `${what} (daily quota spent)`, code, msUntilKstMidnight(nowMs));
  if (code === '23') return new SourceError(SOURCE, 'rate-limited', `${what} (too many requests per second)`, code, TPS_EXCEEDED_WAIT_MS);
  if (RETRYABLE.has(code)) return new SourceError(SOURCE, 'retryable', what, code);
  if (NON_RETRYABLE.has(code)) return new SourceError(SOURCE, 'non-retryable', what, code);
  return new SourceError(SOURCE, 'retryable', `${what} (unknown code)`, code);
}

function gatewayError(xml: string, status: number, nowMs: number): SourceError {
  const code = /<returnReasonCode>\s*(\d+)\s*<\/returnReasonCode>/.exec(xml)?.[1];
  const msg = /<returnAuthMsg>\s*([^<]*)<\/returnAuthMsg>/.exec(xml)?.[1]?.trim() ?? `HTTP ${status}`;
  if (!code) return new SourceError(SOURCE, status >= 500 ? 'retryable' : 'non-retryable', `XML answer without a reason code (HTTP ${status})`, `HTTP${status}`);
  return resultCodeError(code, msg, nowMs);
}
