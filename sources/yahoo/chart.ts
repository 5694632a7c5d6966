/**
 * Reading Yahoo's v8 chart answer, the endpoint yfinance calls. Bars are epoch seconds that
 * must be dated in the exchange's time zone (a KOSPI bar at 00:00 UTC is 09:00 KST on the
 * same day, a NASDAQ bar at 14:30 UTC is 09:30 New York); a range with no trading has no
 * `timestamp` and `quote: [{}]`; unknown symbols come as `chart.error` with HTTP 404.
 */
import { z } from 'zod';
import type { IsoDate } from '../../calendar/trading-calendar';
import { MALFORMED_CLASS, SourceError } from '../errors';
import { type HttpAnswer, retryAfterMs } from '../http';
import type { IndexBar } from './index-quotes';

export const SOURCE = 'yahoo';
const HTTP_429_DEFAULT_WAIT_MS = 60_000; // seed 001 Part 3.3: "429 → wait 60 s fixed"
/** Same class as the other sources give an unreadable body (sources/datagokr/envelope.ts). */
export { MALFORMED_CLASS };
/** chart.error codes that describe the request itself; asking again cannot help. */
const REQUEST_ERRORS = new Set(['Not Found', 'Bad Request', 'Unprocessable Entity']);

const series = z.array(z.number().nullable()).optional();

const resultSchema = z.object({
  meta: z.object({
    symbol: z.string(),
    currency: z.string().nullish(),
    gmtoffset: z.number().nullish(),
    exchangeTimezoneName: z.string().nullish(),
    chartPreviousClose: z.number().nullish(),
  }),
  timestamp: z.array(z.number()).nullish(),
  indicators: z
    .object({
      quote: z.array(z.object({ open: series, high: series, low: series, close: series, volume: series })).nullish(),
    })
    .nullish(),
});

const chartSchema = z.object({
  chart: z.object({
    result: z.array(resultSchema).nullish(),
    error: z.object({ code: z.string(), description: z.string().nullish() }).nullish(),
  }),
});

export interface ChartSeries {
  symbol: string;
  currency: string | null;
  exchangeTimezoneName: string | null;
  /** The close before the first bar of the asked range. */
  chartPreviousClose: number | null;
  bars: IndexBar[];
}

/** `what` names the request in failures, e.g. "chart ^KS11". */
export function decodeChart(answer: HttpAnswer, nowMs: number, what: string): ChartSeries {
  const fail = (cls: SourceError['failureClass'], msg: string, code: string, wait?: number) =>
    new SourceError(SOURCE, cls, `${what}: ${msg}`, code, wait);

  if (answer.status === 429) {
    throw fail('rate-limited', 'HTTP 429', 'HTTP429', retryAfterMs(answer.headers, nowMs) ?? HTTP_429_DEFAULT_WAIT_MS);
  }
  if (answer.status >= 500) throw fail('retryable', `HTTP ${answer.status}`, `HTTP${answer.status}`);

  let json: unknown;
  try {
    json = JSON.parse(answer.body);
  } catch {
    if (answer.status !== 200) throw fail('non-retryable', `HTTP ${answer.status}`, `HTTP${answer.status}`);
    throw fail(MALFORMED_CLASS, `malformed JSON body (${answer.body.length} bytes)`, 'MALFORMED');
  }
  const parsed = chartSchema.safeParse(json);
  if (!parsed.success) {
    if (answer.status !== 200) throw fail('non-retryable', `HTTP ${answer.status}`, `HTTP${answer.status}`);
    const issue = parsed.error.issues[0];
    throw fail(MALFORMED_CLASS, `body is not a chart answer (${issue?.path.join('.')}: ${issue?.message})`, 'MALFORMED');
  }
  const { result, error } = parsed.data.chart;
  if (error) {
    const msg = `${error.code}: ${error.description ?? ''}`.trim();
    const permanent = REQUEST_ERRORS.has(error.code) || (answer.status >= 400 && answer.status < 500);
    throw fail(permanent ? 'non-retryable' : 'retryable', msg, error.code === 'Not Found' ? 'NOT_FOUND' : error.code);
  }
  if (answer.status !== 200) throw fail('non-retryable', `HTTP ${answer.status}`, `HTTP${answer.status}`);
  const r = result?.[0];
  if (!r) throw fail(MALFORMED_CLASS, 'chart answer with neither result nor error', 'MALFORMED');

  const toDate = tradingDateReader(r.meta.exchangeTimezoneName ?? null, r.meta.gmtoffset ?? null);
  if (!toDate) throw fail(MALFORMED_CLASS, 'meta has neither exchangeTimezoneName nor gmtoffset', 'MALFORMED');
  return {
    symbol: r.meta.symbol,
    currency: r.meta.currency ?? null,
    exchangeTimezoneName: r.meta.exchangeTimezoneName ?? null,
    chartPreviousClose: r.meta.chartPreviousClose ?? null,
    bars: readBars(r, toDate),
  };
}

function readBars(r: z.output<typeof resultSchema>, toDate: (epochSec: number) => IsoDate): IndexBar[] {
  const ts = r.timestamp ?? [];
  const q = r.indicators?.quote?.[0] ?? {};
  const byDate = new Map<IsoDate, IndexBar>();
  ts.forEach((t, i) => {
    const close = q.close?.[i];
    // Yahoo pads a bar it has no price for with nulls; such a bar did not trade.
    if (close === null || close === undefined) return;
    const tradeDate = toDate(t);
    // A daily chart asked during a session ends with a live bar that may repeat the last date;
    // the later one is the fresher.
    byDate.set(tradeDate, {
      symbol: r.meta.symbol,
      tradeDate,
      open: q.open?.[i] ?? null,
      high: q.high?.[i] ?? null,
      low: q.low?.[i] ?? null,
      close,
      volume: q.volume?.[i] ?? null,
    });
  });
  return [...byDate.values()].sort((a, b) => a.tradeDate.localeCompare(b.tradeDate));
}

/**
 * The time-zone name gives each instant its own offset (New York's changes with DST);
 * `gmtoffset` is only the offset at the time of the answer, kept as the fallback.
 */
function tradingDateReader(timeZone: string | null, gmtoffset: number | null): ((epochSec: number) => IsoDate) | null {
  if (timeZone) {
    try {
      const fmt = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
      return (t) => {
        const part = Object.fromEntries(fmt.formatToParts(new Date(t * 1000)).map((p) => [p.type, p.value]));
        return `${part.year}-${part.month}-${part.day}`;
      };
    } catch {
      // an unknown zone name: fall through to the fixed offset
    }
  }
  if (gmtoffset === null) return null;
  return (t) => new Date((t + gmtoffset) * 1000).toISOString().slice(0, 10);
}
