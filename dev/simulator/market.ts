/**
 * Deterministic synthetic KRX daily prices.
 *
 * A close is a closed-form function of (ticker, calendar-day number): base price times the exp of a
 * few ticker-phased sinusoids plus bounded hashed noise. No history is iterated, so any of the
 * ~1,900 trading days can be served cold in a few milliseconds and two processes always agree.
 */
import {
  addDays,
  compactDate,
  isTradingDay,
  parseIsoDate,
  tradingDayOnOrBefore,
  type IsoDate,
} from '../../calendar/trading-calendar';
import { bell, mix, unit } from './hash';
import { isListedOn, tickerByCode, TICKERS, type Ticker } from './tickers';

export { TICKERS, KOSPI_COUNT, KOSDAQ_COUNT, tickerByCode, isListedOn, isinFor } from './tickers';
export type { Ticker, MarketCategory } from './tickers';

/** One item of getStockPriceInfo, field order as the real API sends it. Every value is a string. */
export interface PriceRow {
  basDt: string;
  srtnCd: string;
  isinCd: string;
  itmsNm: string;
  mrktCtg: string;
  clpr: string;
  vs: string;
  fltRt: string;
  mkp: string;
  hipr: string;
  lopr: string;
  trqu: string;
  trPrc: string;
  lstgStCnt: string;
  mrktTotAmt: string;
}

export interface MarketOptions {
  /** Closures the KRX calendar does not know; they also shift the "previous close" of the next day. */
  closedDates?: ReadonlySet<IsoDate>;
}

// Bound once: global lookups are slow inside vm contexts (jest runs tests in one) and this is the hot path.
const { abs, ceil, exp, floor, log, max, min, round, sin, PI } = Math;
const DAY_MS = 86_400_000;
const DRIFT_ORIGIN = dayNumber('2023-07-01');
// Amplitudes sum to 0.28 and noise is bounded by 0.018, so a volatility-1 issue with no drift stays
// within exp(±0.3) of its base: Samsung (72,000) lives in 53,000-98,000.
const WAVES = [
  { period: 20, amp: 0.03 },
  { period: 63, amp: 0.05 },
  { period: 250, amp: 0.08 },
  { period: 900, amp: 0.12 },
];
const NOISE_AMP = 0.012;
const HALT_PER_MILLE = 1;

function dayNumber(date: IsoDate): number {
  return round(parseIsoDate(date) / DAY_MS);
}

export function tickSize(price: number): number {
  if (price < 2_000) return 1;
  if (price < 5_000) return 5;
  if (price < 20_000) return 10;
  if (price < 50_000) return 50;
  if (price < 200_000) return 100;
  if (price < 500_000) return 500;
  return 1_000;
}

export function roundToTick(price: number, mode: 'nearest' | 'up' | 'down' = 'nearest'): number {
  const tick = tickSize(price);
  const f = mode === 'up' ? ceil : mode === 'down' ? floor : round;
  return max(1, f(price / tick) * tick);
}

/** A percentage as the signed whole number of hundredths the API rounds it to. */
export function rateHundredths(percent: number): number {
  const h = round(abs(percent) * 100);
  return h === 0 ? 0 : percent < 0 ? -h : h;
}

/** Oracle NUMBER-to-text style as the API prints it: ".81", "-.06", "2.5", "0". */
export function formatHundredths(hundredths: number): string {
  if (hundredths === 0) return '0';
  const sign = hundredths < 0 ? '-' : '';
  const h = abs(hundredths);
  const whole = floor(h / 100);
  const frac = h % 100;
  if (frac === 0) return `${sign}${whole}`;
  const digits = frac % 10 === 0 ? `${frac / 10}` : frac < 10 ? `0${frac}` : `${frac}`;
  return `${sign}${whole || ''}.${digits}`;
}

/** A day with published prices: a KRX trading day inside the calendar's range and not extra-closed. */
export function isMarketDay(date: IsoDate, opts: MarketOptions = {}): boolean {
  if (opts.closedDates?.has(date)) return false;
  try {
    return isTradingDay(date);
  } catch {
    return false; // outside the calendar's years (or not a date): no data, never a crash
  }
}

const prevCache = new Map<IsoDate, IsoDate>();

/** The market day before `date`; before the calendar's first year it degrades to the previous weekday. */
export function previousMarketDay(date: IsoDate, opts: MarketOptions = {}): IsoDate {
  const closed = opts.closedDates;
  if (!closed?.size) {
    const hit = prevCache.get(date);
    if (hit) return hit;
  }
  let result: IsoDate | undefined;
  try {
    let d = tradingDayOnOrBefore(addDays(date, -1));
    while (closed?.has(d)) d = tradingDayOnOrBefore(addDays(d, -1));
    result = d;
  } catch {
    result = addDays(date, -1);
    while (isWeekend(result)) result = addDays(result, -1);
  }
  if (!closed?.size) prevCache.set(date, result);
  return result;
}

function isWeekend(date: IsoDate): boolean {
  const wd = new Date(parseIsoDate(date)).getUTCDay();
  return wd === 0 || wd === 6;
}

// Per-issue constants of the price formula: [frequency, phase, amplitude] per wave, then log(base).
const modelParams = new Map<Ticker, Float64Array>();

function modelOf(t: Ticker): Float64Array {
  let p = modelParams.get(t);
  if (!p) {
    p = new Float64Array(WAVES.length * 3 + 1);
    for (let k = 0; k < WAVES.length; k++) {
      p[3 * k] = (2 * PI) / (WAVES[k].period * (0.8 + 0.4 * unit(t.seed, 20 + k)));
      p[3 * k + 1] = 2 * PI * unit(t.seed, 30 + k);
      p[3 * k + 2] = WAVES[k].amp * t.volatility;
    }
    p[WAVES.length * 3] = log(t.basePrice);
    modelParams.set(t, p);
  }
  return p;
}

function rawClose(t: Ticker, n: number): number {
  const p = modelOf(t);
  let logPrice = p[WAVES.length * 3] + (t.drift * (n - DRIFT_ORIGIN)) / 365 + t.volatility * NOISE_AMP * bell(t.seed, 40, n);
  for (let k = 0; k < WAVES.length; k++) logPrice += p[3 * k + 2] * sin(p[3 * k] * n + p[3 * k + 1]);
  return roundToTick(exp(logPrice));
}

function isHalted(t: Ticker, n: number): boolean {
  return mix(mix(t.seed, 50), n) % 1000 < HALT_PER_MILLE;
}

/** The official close: a halted day repeats the previous close, as KRX publishes it. */
function closeOn(t: Ticker, day: Day, opts: MarketOptions, depth = 0): number {
  if (depth < 8 && isHalted(t, day.n)) return closeOn(t, dayOf(previousMarketDay(day.date, opts)), opts, depth + 1);
  return rawClose(t, day.n);
}

// Date arithmetic is costly next to the price maths, so it is done once per date, not per issue.
interface Day {
  date: IsoDate;
  n: number;
}

function dayOf(date: IsoDate): Day {
  return { date, n: dayNumber(date) };
}

/**
 * One date's numbers, column-wise (index i is tickers[i]): the serializer writes bytes straight
 * from these, so a cold date allocates a handful of arrays instead of ~45,000 strings.
 */
export interface DayQuotes {
  date: IsoDate;
  /** YYYYMMDD, as the API spells basDt. */
  basDt: string;
  tickers: Ticker[];
  close: Float64Array;
  vs: Float64Array;
  /** fltRt in signed hundredths of a percent (81 is ".81"). */
  rate: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  volume: Float64Array;
  value: Float64Array;
}

function emptyQuotes(date: IsoDate, tickers: Ticker[]): DayQuotes {
  const n = tickers.length;
  const col = (): Float64Array => new Float64Array(n);
  return {
    date, basDt: compactDate(date), tickers,
    close: col(), vs: col(), rate: col(), open: col(), high: col(), low: col(), volume: col(), value: col(),
  };
}

/** Halted rows keep zeros everywhere but the close, which repeats the previous one, as KRX publishes them. */
function fillQuote(q: DayQuotes, i: number, day: Day, prev: Day, opts: MarketOptions): void {
  const t = q.tickers[i];
  const n = day.n;
  const prevClose = closeOn(t, prev, opts);
  if (isHalted(t, n)) {
    q.close[i] = prevClose;
    return;
  }
  const v = t.volatility;
  const close = rawClose(t, n);
  // The intraday factors are tiny, so 1 + x stands in for exp(x).
  const open = roundToTick(prevClose * (1 + v * 0.006 * bell(t.seed, 60, n)));
  const high = max(roundToTick(max(open, close) * (1 + v * 0.012 * unit(t.seed, 63, n)), 'up'), open, close);
  const low = min(roundToTick(min(open, close) * (1 - v * 0.012 * unit(t.seed, 64, n)), 'down'), open, close);
  const vs = close - prevClose;
  const move = vs / prevClose;
  // Volume swells on big moves, as it does in the real market.
  const volume = max(1, round(t.lstgStCnt * t.turnover * exp(0.8 * bell(t.seed, 65, n)) * (1 + 15 * abs(move))));
  const avg = ((open + high + low + close) / 4) * (0.99 + 0.02 * unit(t.seed, 68, n));
  q.close[i] = close;
  q.vs[i] = vs;
  q.rate[i] = rateHundredths(move * 100);
  q.open[i] = open;
  q.high[i] = high;
  q.low[i] = low;
  q.volume[i] = volume;
  q.value[i] = round(volume * min(high, max(low, avg)));
}

/** Quotes of every issue listed on `date` (or of `only` those); no tickers on days without a market. */
export function quotesForDate(date: IsoDate, opts: MarketOptions = {}, only?: readonly Ticker[]): DayQuotes {
  if (!isMarketDay(date, opts)) return emptyQuotes(date, []);
  const q = emptyQuotes(date, (only ?? TICKERS).filter((t) => isListedOn(t, date)));
  const day = dayOf(date);
  const prev = dayOf(previousMarketDay(date, opts));
  for (let i = 0; i < q.tickers.length; i++) fillQuote(q, i, day, prev, opts);
  return q;
}

export function rowAt(q: DayQuotes, i: number): PriceRow {
  const t = q.tickers[i];
  return {
    basDt: q.basDt, srtnCd: t.srtnCd, isinCd: t.isinCd, itmsNm: t.itmsNm, mrktCtg: t.mrktCtg,
    clpr: `${q.close[i]}`,
    vs: `${q.vs[i]}`,
    fltRt: formatHundredths(q.rate[i]),
    mkp: `${q.open[i]}`,
    hipr: `${q.high[i]}`,
    lopr: `${q.low[i]}`,
    trqu: `${q.volume[i]}`,
    trPrc: `${q.value[i]}`,
    lstgStCnt: `${t.lstgStCnt}`,
    mrktTotAmt: `${q.close[i] * t.lstgStCnt}`,
  };
}

/** Every listed issue's row for `date`, sorted by srtnCd; empty for weekends, holidays and out-of-range dates. */
export function rowsForDate(date: IsoDate, opts: MarketOptions = {}): PriceRow[] {
  const q = quotesForDate(date, opts);
  return q.tickers.map((_, i) => rowAt(q, i));
}

/** One issue's row for `date`, or undefined when nothing is published for it. */
export function rowFor(srtnCd: string, date: IsoDate, opts: MarketOptions = {}): PriceRow | undefined {
  const t = tickerByCode(srtnCd);
  if (!t) return undefined;
  const q = quotesForDate(date, opts, [t]);
  return q.tickers.length ? rowAt(q, 0) : undefined;
}
