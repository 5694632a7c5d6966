// Every workflow the collection worker runs. The worker bundles this file.
export { dailyCollection } from './daily-collection';
export { priceBackfill } from './price-backfill';
