/** The KRX Open API client (korean-apis.md §4.5): import from here rather than from the parts. */
export { KrxOpenApiClient, KRX_OPENAPI_BASE_URL, KRX_OPENAPI_DAILY_LIMIT, KRX_OPENAPI_DEFAULT_RPS, type KrxOpenApiClientOptions } from './client';
export { MARKET_SERVICES, type KrxOpenApiDailyRow, type KrxOpenApiMarket } from './daily-trades';
export { SOURCE as KRX_OPENAPI_SOURCE } from './envelope';
export type { KrxOpenApiEtfRow } from './etf-trades';
