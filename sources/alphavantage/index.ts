/** The Alpha Vantage client: import from here rather than from the parts. */
export {
  AlphaVantageClient,
  ALPHAVANTAGE_BASE_URL,
  ALPHAVANTAGE_DEFAULT_RPS,
  ALPHAVANTAGE_FREE_DAILY_LIMIT,
  type AlphaVantageClientOptions,
  type DailySeriesOptions,
} from './client';
export { SOURCE as ALPHAVANTAGE_SOURCE } from './answer';
export type { AlphaVantageDailyBar, AlphaVantageDailySeries } from './daily-series';
export type { AlphaVantageQuote } from './global-quote';
