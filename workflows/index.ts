// Every workflow the collection worker runs. The worker bundles this file.
export { dailyCollection } from './daily-collection';
export { counterpartyRiskReport } from './counterparty-risk-report';
export { dailyPipeline } from './daily-pipeline';
export { priceBackfill } from './price-backfill';
export { dartFinancials } from './dart-financials';
export { weeklyRefresh } from './weekly-refresh';
export { monthlyProducts } from './monthly-products';
export { quarterlyCorporateActions } from './quarterly-corporate-actions';
export { chainSlot } from './chain-slot';
export { initialLoad } from './ops/initial-load';
export { priceRangeBackfill } from './ops/price-range-backfill';
export { recomputeTicker } from './ops/recompute-ticker';
export { dailyMarketEmail } from './emails/market-email';
export { watchlistScoreAlerts } from './emails/watchlist-alerts';
export { opsWatchdog } from './watchdog';
