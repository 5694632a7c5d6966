/**
 * The finlife answer envelope and the classification of its failures (korean-apis.md §2.3,
 * §2.5, §7). finlife reports API errors as HTTP 200 with `result.err_cd` other than "000", and
 * some without the `result` wrapper (`{"err_cd":"020",…}`); an empty page is "000" with empty
 * lists, which is no data, not an error.
 */
import { z } from 'zod';
import { MALFORMED_CLASS, SourceError, msUntilKstMidnight, unknownCodeError } from '../errors';
import { type HttpAnswer, retryAfterMs } from '../http';
import { asArray, parseNumber } from '../parse';

export const SOURCE = 'finlife';

const NON_RETRYABLE = new Set(['010', '011', '012', '013', '021', '100', '101']);
const RETRYABLE = new Set(['900']);
const QUOTA_SPENT = '020';
/** The codes only another key fixes: their message names the setting (never the key). */
const KEY_CODES = new Set(['010', '011', '012', '013']);
const HTTP_429_DEFAULT_WAIT_MS = 60_000; // seed 001 Part 3.3: "429 → wait 60 s fixed"

/** Bodies that cannot be read are the project's one malformed class (sources/errors.ts). */
export { MALFORMED_CLASS };

export interface FinlifePage {
  prdtDiv: string | null;
  totalCount: number;
  maxPageNo: number;
  nowPageNo: number;
  baseList: unknown[];
  optionList: unknown[];
}

// Page counters arrive as strings in the official example and as numbers in other answers.
const counter = z.union([z.string(), z.number()]).nullish().transform((v) => parseNumber(v));
const list = z.unknown().optional().transform((v) => (v === '' ? [] : asArray(v as unknown[] | null | undefined)));

const errorFields = {
  err_cd: z.union([z.string(), z.number()]).transform((v) => String(v).trim().padStart(3, '0')),
  err_msg: z.string().nullish(),
};
/** The err_cd and err_msg of an answer, inside `result` or bare. */
const errorSchema = z.union([z.object({ result: z.object(errorFields) }).transform((e) => e.result), z.object(errorFields)]);

const envelopeSchema = z.object({
  result: z.object({
    ...errorFields,
    prdt_div: z.string().nullish(),
    total_count: counter,
    max_page_no: counter,
    now_page_no: counter,
    baseList: list,
    optionList: list,
  }),
});

/** `endpoint` names the service and page in every failure, e.g. "depositProductsSearch page 2". */
export function decodeFinlifePage(answer: HttpAnswer, nowMs: number, endpoint: string): FinlifePage {
  const fail = (cls: SourceError['failureClass'], msg: string, code: string, wait?: number) =>
    new SourceError(SOURCE, cls, `${endpoint}: ${msg}`, code, wait);

  const json = parseJson(answer.body);
  // A readable err_cd decides before the HTTP status: a 429 that says 020 waits for the daily reset.
  const error = errorSchema.safeParse(json);
  if (error.success && error.data.err_cd !== '000') throw errCdError(error.data.err_cd, error.data.err_msg ?? '', nowMs, endpoint);
  if (answer.status === 429) {
    throw fail('rate-limited', 'HTTP 429', 'HTTP429', retryAfterMs(answer.headers, nowMs) ?? HTTP_429_DEFAULT_WAIT_MS);
  }
  if (answer.status >= 500) throw fail('retryable', `HTTP ${answer.status}`, `HTTP${answer.status}`);
  if (answer.status === 401 || answer.status === 403) throw fail('non-retryable', `HTTP ${answer.status}: key rejected`, `HTTP${answer.status}`);
  if (answer.status !== 200) throw fail('non-retryable', `unexpected HTTP ${answer.status}`, `HTTP${answer.status}`);

  if (json === undefined) {
    const looksLike = answer.body.trimStart().startsWith('<') ? 'an HTML/XML body' : 'a malformed JSON body';
    throw fail(MALFORMED_CLASS, `${looksLike} (${answer.body.length} bytes)`, 'MALFORMED');
  }
  const parsed = envelopeSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw fail(MALFORMED_CLASS, `body is not a finlife result (${issue?.path.join('.')}: ${issue?.message})`, 'MALFORMED');
  }
  const r = parsed.data.result;
  if (r.baseList.length > 0 && (r.total_count === null || r.max_page_no === null)) {
    throw fail(MALFORMED_CLASS, 'rows without total_count/max_page_no', 'MALFORMED');
  }
  return {
    prdtDiv: r.prdt_div ?? null,
    totalCount: r.total_count ?? 0,
    maxPageNo: r.max_page_no ?? 0,
    nowPageNo: r.now_page_no ?? 0,
    baseList: r.baseList,
    optionList: r.optionList,
  };
}

export function errCdError(code: string, msg: string, nowMs: number, endpoint: string): SourceError {
  const what = `${endpoint}: err_cd ${code} ${msg}`.trim();
  if (code === QUOTA_SPENT) return new SourceError(SOURCE, 'rate-limited', `${what} (daily quota spent)`, code, msUntilKstMidnight(nowMs));
  if (RETRYABLE.has(code)) return new SourceError(SOURCE, 'retryable', what, code);
  if (KEY_CODES.has(code)) return new SourceError(SOURCE, 'non-retryable', `${what}: the auth key is refused (FSS_API_KEY)`, code);
  if (NON_RETRYABLE.has(code)) return new SourceError(SOURCE, 'non-retryable', what, code);
  return unknownCodeError(SOURCE, code, what);
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}
