/**
 * What the morning email needs from an index quote source, kept apart from Yahoo so another
 * source (KRX Open API for the Korean indices, a paid feed) can replace it without touching
 * the callers.
 */
import { addDays, type IsoDate } from '../../calendar/trading-calendar';

/** The four indices of the seed's daily market email, by Yahoo symbol. */
export const INDEX_SYMBOLS = {
  KOSPI: '^KS11',
  KOSDAQ: '^KQ11',
  SP500: '^GSPC',
  NASDAQ: '^IXIC',
} as const;

export type IndexName = keyof typeof INDEX_SYMBOLS;

export interface IndexBar {
  symbol: string;
  /** The trading date in the exchange's own time zone. */
  tradeDate: IsoDate;
  open: number | null;
  high: number | null;
  low: number | null;
  close: number;
  volume: number | null;
}

export interface IndexQuoteSource {
  readonly name: string;
  /** Daily bars whose trading date lies in [from, to], oldest first; [] when nothing traded. */
  dailyBars(symbol: string, from: IsoDate, to: IsoDate, signal?: AbortSignal): Promise<IndexBar[]>;
}

export interface IndexQuote {
  symbol: string;
  tradeDate: IsoDate;
  close: number;
  previousClose: number | null;
  change: number | null;
  /** Percent, e.g. 1.25 for +1.25 %. */
  changeRate: number | null;
}

/** Two weeks back covers the longest Korean holiday run (Chuseok next to a weekend). */
const LOOKBACK_DAYS = 14;

/** The last close on or before `asOf` and its change from the close before it; null when no bar. */
export async function latestQuote(source: IndexQuoteSource, symbol: string, asOf: IsoDate, signal?: AbortSignal): Promise<IndexQuote | null> {
  const bars = await source.dailyBars(symbol, addDays(asOf, -LOOKBACK_DAYS), asOf, signal);
  const last = bars.at(-1);
  if (!last) return null;
  const prev = bars.at(-2)?.close ?? null;
  const change = prev === null ? null : last.close - prev;
  return {
    symbol,
    tradeDate: last.tradeDate,
    close: last.close,
    previousClose: prev,
    change,
    changeRate: prev === null || change === null || prev === 0 ? null : (change / prev) * 100,
  };
}
