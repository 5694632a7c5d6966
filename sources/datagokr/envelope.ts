/**
 * The envelope every FSC API on data.go.kr shares, and the classification of its failures
 * (korean-apis.md §3.0 and §7). API errors come as HTTP 200 with a non-"00" resultCode;
 * gateway errors (key, quota, TPS) come as <OpenAPI_ServiceResponse>, in XML even when JSON was
 * asked for, or as the same envelope in JSON, with HTTP 200, 401/403 or 429.
 */
import { MALFORMED_CLASS, SourceError, msUntilKstMidnight, unknownCodeError } from '../errors';
import { type HttpAnswer, retryAfterMs } from '../http';
import { asArray } from '../parse';

export const SOURCE = 'data.go.kr';

const RETRYABLE = new Set(['01', '02', '04', '05', '21', '99']);
const NON_RETRYABLE = new Set(['10', '11', '12', '20', '29', '30', '31', '32', '33']);
const KEY_SETTING = 'DATAGOKR_API_KEY';
/** The codes only a new or approved key fixes: their message names the setting (never the key). */
const KEY_PROBLEMS: Record<string, string> = {
  '20': `the service key is missing or refused (${KEY_SETTING})`,
  '30': `the service key is not registered (${KEY_SETTING}), or not approved for this API`,
  '31': `the service key has expired (${KEY_SETTING})`,
};
const TPS_EXCEEDED_WAIT_MS = 1_000;
const HTTP_429_DEFAULT_WAIT_MS = 60_000; // seed 001 Part 3.3: "429 → wait 60 s fixed"

export interface Page<T> {
  totalCount: number;
  pageNo: number;
  numOfRows: number;
  items: T[];
}

/**
 * resultCode "03" and `items: ""` both mean "nothing here", which is not an error. A gateway
 * reason code decides before the HTTP status: a 429 whose body says 22 waits for the daily reset.
 */
export function decodePage<T>(answer: HttpAnswer, nowMs: number): Page<T> {
  const body = answer.body.trimStart();
  const markup = body.startsWith('<');
  const json = markup ? undefined : parseJson(body);
  const gateway = markup ? xmlGatewayHeader(body) : jsonGatewayHeader(json);
  if (gateway?.returnReasonCode) throw resultCodeError(gateway.returnReasonCode, gatewayMessage(gateway), nowMs);
  if (answer.status === 429) {
    throw new SourceError(SOURCE, 'rate-limited', 'HTTP 429', 'HTTP429', retryAfterMs(answer.headers, nowMs) ?? HTTP_429_DEFAULT_WAIT_MS);
  }
  if (answer.status >= 500) throw new SourceError(SOURCE, 'retryable', `HTTP ${answer.status}`, `HTTP${answer.status}`);
  if (answer.status === 401 || answer.status === 403) {
    throw new SourceError(SOURCE, 'non-retryable', `HTTP ${answer.status}: key rejected (${KEY_SETTING})`, `HTTP${answer.status}`);
  }
  if (answer.status !== 200) throw new SourceError(SOURCE, 'non-retryable', `unexpected HTTP ${answer.status}`, `HTTP${answer.status}`);
  if (json === undefined) {
    throw new SourceError(SOURCE, MALFORMED_CLASS, `${markup ? 'markup instead of JSON' : 'malformed JSON body'} (${body.length} bytes)`, 'MALFORMED');
  }
  const response = (json as { response?: { header?: { resultCode?: string; resultMsg?: string }; body?: unknown } } | null)?.response;
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
  if (code in KEY_PROBLEMS) return new SourceError(SOURCE, 'non-retryable', `${what}: ${KEY_PROBLEMS[code]}`, code);
  if (NON_RETRYABLE.has(code)) return new SourceError(SOURCE, 'non-retryable', what, code);
  return unknownCodeError(SOURCE, code, what);
}

/** The gateway's cmmMsgHeader, the same fields in its XML and its JSON form. */
interface GatewayHeader {
  errMsg?: string;
  returnAuthMsg?: string;
  returnReasonCode?: string;
}
const GATEWAY_FIELDS = ['errMsg', 'returnAuthMsg', 'returnReasonCode'] as const;

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

function xmlGatewayHeader(xml: string): GatewayHeader {
  const field = (name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1]?.trim();
  return Object.fromEntries(GATEWAY_FIELDS.map((f) => [f, field(f)]));
}

function jsonGatewayHeader(json: unknown): GatewayHeader | undefined {
  const header = (json as { OpenAPI_ServiceResponse?: { cmmMsgHeader?: Record<string, unknown> } } | null)?.OpenAPI_ServiceResponse?.cmmMsgHeader;
  if (typeof header !== 'object' || header === null) return undefined;
  return Object.fromEntries(GATEWAY_FIELDS.map((f) => [f, header[f] == null ? undefined : String(header[f]).trim()]));
}

/**
 * The gateway puts the code's name in returnAuthMsg and "SERVICE ERROR" in errMsg, or the name in
 * errMsg and a Korean phrase in returnAuthMsg (korean-apis.md §3.0): keep whatever says something.
 */
function gatewayMessage(h: GatewayHeader): string {
  const parts = [h.returnAuthMsg, h.errMsg].filter((m): m is string => !!m && m !== 'SERVICE ERROR');
  return [...new Set(parts)].join(' ');
}
