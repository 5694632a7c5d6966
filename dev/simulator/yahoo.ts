/**
 * Yahoo Finance's v8 chart endpoint for the four indices of the morning email, shaped like
 * yahoo__chart__KS11.json: daily bars between period1 and period2, on the KRX calendar for the
 * Korean indices and on weekdays for the US ones, values stored as float32 as Yahoo's are.
 * Bars later than the simulator's clock do not exist yet.
 */
import { addDays, formatIsoDate, parseIsoDate, type IsoDate } from '../../calendar/trading-calendar';
import type { SimResponse } from './envelopes';
import { bell, fnv1a, unit } from './hash';
import { isMarketDay } from './market';
import { json, type SourceHandler } from './source';

interface IndexSpec {
  base: number;
  currency: string;
  exchangeName: string;
  fullExchangeName: string;
  longName: string;
  korean: boolean;
}

export const YAHOO_INDICES: Record<string, IndexSpec> = {
  '^KS11': { base: 2600, currency: 'KRW', exchangeName: 'KSC', fullExchangeName: 'KSE', longName: 'KOSPI Composite Index', korean: true },
  '^KQ11': { base: 850, currency: 'KRW', exchangeName: 'KOE', fullExchangeName: 'KOSDAQ', longName: 'KOSDAQ Composite Index', korean: true },
  '^GSPC': { base: 5000, currency: 'USD', exchangeName: 'SNP', fullExchangeName: 'SNP', longName: 'S&P 500', korean: false },
  '^IXIC': { base: 16000, currency: 'USD', exchangeName: 'NIM', fullExchangeName: 'Nasdaq GIDS', longName: 'NASDAQ Composite', korean: false },
};

const DAY_S = 86_400;
const f32 = Math.fround;

/** New York's UTC offset in hours on `date`: DST from the second Sunday of March to the first Sunday of November. */
function newYorkOffset(date: IsoDate): number {
  const y = Number(date.slice(0, 4));
  const nthSunday = (month: number, n: number): IsoDate => {
    const first = new Date(Date.UTC(y, month - 1, 1)).getUTCDay();
    return formatIsoDate(Date.UTC(y, month - 1, 1 + ((7 - first) % 7) + 7 * (n - 1)));
  };
  return date >= nthSunday(3, 2) && date < nthSunday(11, 1) ? -4 : -5;
}

function isTradingDate(spec: IndexSpec, date: IsoDate): boolean {
  if (spec.korean) return isMarketDay(date);
  const dow = new Date(parseIsoDate(date)).getUTCDay();
  return dow !== 0 && dow !== 6;
}

/** The bar's timestamp: the session open, 09:00 KST (00:00 UTC) or 09:30 New York. */
function openAt(spec: IndexSpec, date: IsoDate): number {
  const midnight = parseIsoDate(date) / 1000;
  return spec.korean ? midnight : midnight + 9.5 * 3600 - newYorkOffset(date) * 3600;
}

export interface IndexBarSim {
  date: IsoDate;
  t: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

export function indexBar(symbol: string, date: IsoDate): IndexBarSim {
  const spec = YAHOO_INDICES[symbol];
  const seed = fnv1a(symbol);
  const n = Math.round(parseIsoDate(date) / 86_400_000);
  const level = (k: number) => spec.base * Math.exp(0.1 * Math.sin((2 * Math.PI * k) / 250) + 0.05 * Math.sin((2 * Math.PI * k) / 40) + 0.01 * bell(seed, 1, k));
  const close = level(n);
  const open = level(n - 1) * (1 + 0.002 * bell(seed, 4, n));
  const high = Math.max(open, close) * (1 + 0.006 * unit(seed, 5, n));
  const low = Math.min(open, close) * (1 - 0.006 * unit(seed, 6, n));
  const volume = Math.round((spec.korean ? 6e8 : 4e9) * (0.7 + 0.6 * unit(seed, 7, n)));
  const r2 = (x: number) => f32(Math.round(x * 100) / 100);
  return { date, t: openAt(spec, date), open: r2(open), high: r2(high), low: r2(low), close: r2(close), volume };
}

function chartError(status: number, code: string, description: string): SimResponse {
  return json(status, { chart: { result: null, error: { code, description } } });
}

export function chartAnswer(symbol: string, params: URLSearchParams, nowMs: number): SimResponse {
  const spec = YAHOO_INDICES[symbol];
  if (!spec) return chartError(404, 'Not Found', 'No data found, symbol may be delisted');
  const p1 = Number(params.get('period1'));
  const p2 = Number(params.get('period2'));
  if (!params.get('period1') || !params.get('period2') || !Number.isFinite(p1) || !Number.isFinite(p2) || p2 < p1) {
    return chartError(400, 'Bad Request', 'Invalid input - start date cannot be after end date or missing');
  }
  const bars: IndexBarSim[] = [];
  const nowS = nowMs / 1000;
  for (let d = formatIsoDate((Math.floor(p1 / DAY_S) - 1) * DAY_S * 1000); parseIsoDate(d) / 1000 <= p2; d = addDays(d, 1)) {
    if (!isTradingDate(spec, d)) continue;
    const bar = indexBar(symbol, d);
    if (bar.t >= p1 && bar.t < p2 && bar.t <= nowS) bars.push(bar);
  }
  let prevDay = addDays(bars[0]?.date ?? formatIsoDate(p1 * 1000), -1);
  for (let i = 0; i < 15 && !isTradingDate(spec, prevDay); i++) prevDay = addDays(prevDay, -1);
  const last = bars.at(-1);
  const tz = spec.korean ? { timezone: 'KST', name: 'Asia/Seoul', offset: 32_400 } : { timezone: newYorkOffset(last?.date ?? prevDay) === -4 ? 'EDT' : 'EST', name: 'America/New_York', offset: newYorkOffset(last?.date ?? prevDay) * 3600 };
  const meta = {
    currency: spec.currency, symbol, exchangeName: spec.exchangeName, fullExchangeName: spec.fullExchangeName, instrumentType: 'INDEX',
    regularMarketTime: last ? last.t + 6.5 * 3600 : Math.floor(p2), hasPrePostMarketData: false, gmtoffset: tz.offset, timezone: tz.timezone,
    exchangeTimezoneName: tz.name, regularMarketPrice: last?.close ?? null, regularMarketDayHigh: last?.high ?? null, regularMarketDayLow: last?.low ?? null,
    regularMarketVolume: last?.volume ?? null, longName: spec.longName, shortName: spec.longName, chartPreviousClose: indexBar(symbol, prevDay).close,
    priceHint: 2, dataGranularity: params.get('interval') ?? '1d', range: '',
    validRanges: ['1d', '5d', '1mo', '3mo', '6mo', '1y', '2y', '5y', '10y', 'ytd', 'max'],
  };
  const indicators = bars.length
    ? {
        quote: [{ open: bars.map((b) => b.open), high: bars.map((b) => b.high), low: bars.map((b) => b.low), close: bars.map((b) => b.close), volume: bars.map((b) => b.volume) }],
        adjclose: [{ adjclose: bars.map((b) => b.close) }],
      }
    : { quote: [{}] };
  return json(200, { chart: { result: [{ meta, ...(bars.length ? { timestamp: bars.map((b) => b.t) } : {}), indicators }], error: null } });
}

export function yahooHandler(o: { now: () => number }): SourceHandler {
  const tooMany: SimResponse = { status: 429, headers: { 'content-type': 'text/plain;charset=utf-8' }, body: 'Too Many Requests\r\n' };
  return {
    // Yahoo has no key: it throttles by address, so everything counts under one.
    admit: () => ({ key: 'anonymous' }),
    answers(req) {
      const symbol = decodeURIComponent(req.path);
      return {
        normal: () => chartAnswer(symbol, req.params, o.now()),
        noData: () => json(200, { chart: { result: [{ meta: { symbol, gmtoffset: 0, exchangeTimezoneName: 'UTC' }, indicators: { quote: [{}] } }], error: null } }),
        code: (code) => chartError(code === 'Not Found' ? 404 : 400, code, 'simulated error'),
        quota: () => tooMany,
        tps: () => tooMany,
        auth: () => json(401, { finance: { result: null, error: { code: 'Unauthorized', description: 'Invalid Crumb' } } }),
        appError: () => chartError(500, 'Internal Server Error', 'simulated error'),
      };
    },
  };
}
