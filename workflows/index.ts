// Every workflow the collection worker runs. The worker bundles this file.
export { dailyCollection } from './daily-collection';
export { counterpartyRiskReport } from './counterparty-risk-report';
export { dailyPipeline } from './daily-pipeline';
export { priceBackfill } from './price-backfill';
export { dartFinancials } from './dart-financials';
