/**
 * Alpha Vantage's /query for TIME_SERIES_DAILY and GLOBAL_QUOTE over a deterministic daily
 * series per symbol (US weekdays). Alpha Vantage answers everything with HTTP 200: a bad call is
 * an `Error Message` body, a rate limit a `Note` (per minute) or `Information` (per day) body.
 */
import { addDays, kstDate, parseIsoDate, type IsoDate } from '../../calendar/trading-calendar';
import type { SimResponse } from './envelopes';
import { bell, fnv1a, unit } from './hash';
import { json, type SourceHandler } from './source';

export const AV_NOTE =
  'Thank you for using Alpha Vantage! Our standard API call frequency is 5 calls per minute and 500 calls per day. Please visit https://www.alphavantage.co/premium/ if you would like to target a higher API call frequency.';
export const AV_INFORMATION =
  'Thank you for using Alpha Vantage! Our standard API rate limit is 25 requests per day. Please subscribe to any of the premium plans at https://www.alphavantage.co/premium/ to instantly remove all daily rate limits.';
const INVALID_CALL = 'Invalid API call. Please retry or visit the documentation (https://www.alphavantage.co/documentation/) for TIME_SERIES_DAILY.';
const BAD_KEY = 'the parameter apikey is invalid or missing. Please claim your free API key on (https://www.alphavantage.co/support/#api-key). It should take less than 20 seconds.';

const SYMBOL = /^[A-Z][A-Z0-9.]{0,9}$/;
const FIRST_DATE = '2015-01-02';

interface Bar {
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

function bar(symbol: string, date: IsoDate): Bar {
  const seed = fnv1a(symbol);
  const n = Math.round(parseIsoDate(date) / 86_400_000);
  const level = (k: number) => (20 + 480 * unit(seed, 1)) * Math.exp(0.15 * Math.sin(k / 90 + seed) + 0.01 * bell(seed, 2, k));
  const close = level(n);
  const open = level(n - 1) * (1 + 0.003 * bell(seed, 3, n));
  return {
    open, close,
    high: Math.max(open, close) * (1 + 0.01 * unit(seed, 4, n)),
    low: Math.min(open, close) * (1 - 0.01 * unit(seed, 5, n)),
    volume: Math.round(1e6 + 5e7 * unit(seed, 6, n)),
  };
}

const isWeekday = (d: IsoDate) => ![0, 6].includes(new Date(parseIsoDate(d)).getUTCDay());
const f4 = (x: number) => x.toFixed(4);

/** Trading dates up to the last completed US session on the simulator's clock, newest first. */
function datesBack(nowMs: number, count: number): IsoDate[] {
  // The US session of day D ends 21:00 UTC at the latest, i.e. 06:00 KST on D + 1.
  let d = addDays(kstDate(nowMs - 6 * 3_600_000), -1);
  const out: IsoDate[] = [];
  for (; out.length < count && d >= FIRST_DATE; d = addDays(d, -1)) if (isWeekday(d)) out.push(d);
  return out;
}

function daily(symbol: string, full: boolean, nowMs: number): SimResponse {
  const dates = datesBack(nowMs, full ? 100_000 : 100);
  const series: Record<string, Record<string, string>> = {};
  for (const d of dates) {
    const b = bar(symbol, d);
    series[d] = { '1. open': f4(b.open), '2. high': f4(b.high), '3. low': f4(b.low), '4. close': f4(b.close), '5. volume': String(b.volume) };
  }
  return json(200, {
    'Meta Data': {
      '1. Information': 'Daily Prices (open, high, low, close) and Volumes', '2. Symbol': symbol, '3. Last Refreshed': dates[0] ?? '',
      '4. Output Size': full ? 'Full size' : 'Compact', '5. Time Zone': 'US/Eastern',
    },
    'Time Series (Daily)': series,
  });
}

function quote(symbol: string, nowMs: number): SimResponse {
  const [day, prevDay] = datesBack(nowMs, 2);
  const b = bar(symbol, day);
  const prev = bar(symbol, prevDay).close;
  return json(200, {
    'Global Quote': {
      '01. symbol': symbol, '02. open': f4(b.open), '03. high': f4(b.high), '04. low': f4(b.low), '05. price': f4(b.close), '06. volume': String(b.volume),
      '07. latest trading day': day, '08. previous close': f4(prev), '09. change': f4(b.close - prev), '10. change percent': `${(((b.close - prev) / prev) * 100).toFixed(4)}%`,
    },
  });
}

function answer(params: URLSearchParams, nowMs: number): SimResponse {
  const fn = params.get('function');
  const symbol = params.get('symbol') ?? '';
  if ((fn !== 'TIME_SERIES_DAILY' && fn !== 'GLOBAL_QUOTE') || !SYMBOL.test(symbol)) return json(200, { 'Error Message': INVALID_CALL });
  return fn === 'GLOBAL_QUOTE' ? quote(symbol, nowMs) : daily(symbol, params.get('outputsize') === 'full', nowMs);
}

export function alphaVantageHandler(o: { keys: ReadonlySet<string>; now: () => number }): SourceHandler {
  return {
    admit(req) {
      const key = req.params.get('apikey');
      return key && o.keys.has(key) ? { key } : { refuse: json(200, { 'Error Message': BAD_KEY }) };
    },
    answers(req) {
      return {
        normal: () => answer(req.params, o.now()),
        noData: () => json(200, {}),
        code: (code) => (code === 'Note' ? json(200, { Note: AV_NOTE }) : code === 'Information' ? json(200, { Information: AV_INFORMATION }) : json(200, { 'Error Message': code })),
        quota: () => json(200, { Information: AV_INFORMATION }),
        tps: () => json(200, { Note: AV_NOTE }),
        auth: () => json(200, { 'Error Message': BAD_KEY }),
        appError: () => ({ status: 502, headers: { 'content-type': 'text/html' }, body: '<html><body>502 Bad Gateway</body></html>' }),
      };
    },
  };
}
