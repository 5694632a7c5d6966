/**
 * The finlife answer envelope and the classification of its failures (korean-apis.md §2.3,
 * §2.5, §7). finlife reports API errors as HTTP 200 with `result.err_cd` other than "000";
 * an empty page is "000" with empty lists, which is no data, not an error.
 */
import { z } from 'zod';
import { MALFORMED_CLASS, SourceError, msUntilKstMidnight } from '../errors';
import { type HttpAnswer, retryAfterMs } from '../http';
import { asArray, parseNumber } from '../parse';

export const SOURCE = 'finlife';

const NON_RETRYABLE = new Set(['010', '011', '012', '013', '021', '100', '101']);
const RETRYABLE = new Set(['900']);
const QUOTA_SPENT = '020';
const HTTP_429_DEFAULT_WAIT_MS = 60_000; // seed 001 Part 3.3: "429 → wait 60 s fixed"

/**
 * The project's class for bodies that cannot be read (sources/datagokr/envelope.ts treats them
 * the same way): a truncated or HTML answer is usually the gateway's, and passes.
 */
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

const envelopeSchema = z.object({
  result: z.object({
    err_cd: z.union([z.string(), z.number()]).transform((v) => String(v).trim().padStart(3, '0')),
    err_msg: z.string().nullish(),
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

  if (answer.status === 429) {
    throw fail('rate-limited', 'HTTP 429', 'HTTP429', retryAfterMs(answer.headers, nowMs) ?? HTTP_429_DEFAULT_WAIT_MS);
  }
  if (answer.status >= 500) throw fail('retryable', `HTTP ${answer.status}`, `HTTP${answer.status}`);
  if (answer.status === 401 || answer.status === 403) throw fail('non-retryable', `HTTP ${answer.status}: key rejected`, `HTTP${answer.status}`);
  if (answer.status !== 200) throw fail('non-retryable', `unexpected HTTP ${answer.status}`, `HTTP${answer.status}`);

  let json: unknown;
  try {
    json = JSON.parse(answer.body);
  } catch {
    const looksLike = answer.body.trimStart().startsWith('<') ? 'an HTML/XML body' : 'a malformed JSON body';
    throw fail(MALFORMED_CLASS, `${looksLike} (${answer.body.length} bytes)`, 'MALFORMED');
  }
  const parsed = envelopeSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw fail(MALFORMED_CLASS, `body is not a finlife result (${issue?.path.join('.')}: ${issue?.message})`, 'MALFORMED');
  }
  const r = parsed.data.result;
  const code = r.err_cd;
  if (code !== '000') throw errCdError(code, r.err_msg ?? '', nowMs, endpoint);

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
  if (NON_RETRYABLE.has(code)) return new SourceError(SOURCE, 'non-retryable', what, code);
  return new SourceError(SOURCE, 'retryable', `${what} (unknown code)`, code);
}
