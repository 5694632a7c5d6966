/** The KRX data portal client (korean-apis.md §4): import from here rather than from the parts. */
export { KrxClient, KRX_BASE_URL, KRX_DEFAULT_RPS, type KrxClientOptions } from './client';
export { KRX_MARKETS, type KrxDailyRow, type KrxMarket } from './daily-stocks';
export type { KrxEtfRow } from './etfs';
export type { KrxFundFields, KrxIssueDay, KrxPrices } from './fields';
export type { KrxListingRow } from './listings';
export { DEFAULT_SESSION_TTL_MS, type KrxCredentials } from './session';
export type { KrxFinderMarket, KrxTicker } from './tickers';
export { SOURCE as KRX_SOURCE } from './wire';
