/**
 * TIME_SERIES_DAILY: one symbol's daily bars, keyed by date, newest first, values as strings
 * under numbered keys ("1. open" … "5. volume"). `compact` is the last 100 bars; `full` (20+
 * years) is a premium option on the free key, which then answers with an "Information".
 */
import { z } from 'zod';
import type { IsoDate } from '../../calendar/trading-calendar';
import { requireNumber, strictDate } from '../parse';
import { malformedAnswer, mapRows } from '../rows';
import { SOURCE } from './answer';

export const DAILY_FUNCTION = 'TIME_SERIES_DAILY';
const SERIES_KEY = 'Time Series (Daily)';

export interface AlphaVantageDailyBar {
  symbol: string;
  tradeDate: IsoDate;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

export interface AlphaVantageDailySeries {
  symbol: string;
  /** "3. Last Refreshed" */
  lastRefreshed: string | null;
  /** "5. Time Zone", e.g. "US/Eastern": the zone the bar dates are in. */
  timeZone: string | null;
  /** Oldest first. */
  bars: AlphaVantageDailyBar[];
}

const value = z.string();
const barSchema = z.object({ '1. open': value, '2. high': value, '3. low': value, '4. close': value, '5. volume': value });
const metaSchema = z.object({ '2. Symbol': z.string(), '3. Last Refreshed': z.string().optional(), '5. Time Zone': z.string().optional() });

export function toDailySeries(json: Record<string, unknown>): AlphaVantageDailySeries {
  const meta = metaSchema.safeParse(json['Meta Data']);
  const series = json[SERIES_KEY];
  if (!meta.success) throw malformedAnswer(SOURCE, DAILY_FUNCTION, 'no "Meta Data" with a symbol');
  if (typeof series !== 'object' || series === null || Array.isArray(series)) throw malformedAnswer(SOURCE, DAILY_FUNCTION, `no "${SERIES_KEY}" object`);
  const symbol = meta.data['2. Symbol'];
  const rows = Object.entries(series as Record<string, unknown>).map(([day, bar]) => ({ day, bar }));
  const bars = mapRows(SOURCE, DAILY_FUNCTION, rows, z.object({ day: z.string(), bar: barSchema }), ({ day, bar }): AlphaVantageDailyBar => {
    const tradeDate = strictDate(day, 'date');
    if (!tradeDate) throw new TypeError(`not a date: ${JSON.stringify(day)}`);
    return {
      symbol,
      tradeDate,
      open: requireNumber(bar['1. open'], 'open'),
      high: requireNumber(bar['2. high'], 'high'),
      low: requireNumber(bar['3. low'], 'low'),
      close: requireNumber(bar['4. close'], 'close'),
      volume: requireNumber(bar['5. volume'], 'volume'),
    };
  });
  bars.sort((a, b) => a.tradeDate.localeCompare(b.tradeDate));
  return { symbol, lastRefreshed: meta.data['3. Last Refreshed'] ?? null, timeZone: meta.data['5. Time Zone'] ?? null, bars };
}
