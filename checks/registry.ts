/** Every blocking data check, by the data group it covers. */
import { bondChecks } from './bonds';
import { dividendChecks } from './dividends';
import { etfChecks } from './etfs';
import { financialChecks } from './financials';
import { priceChecks } from './prices';
import { productChecks } from './products';
import { scoreChecks } from './score';
import { stockChecks } from './stocks';
import type { CheckDefinition, DataGroup } from './types';

export const CHECKS: Record<DataGroup, readonly CheckDefinition[]> = {
  prices: priceChecks,
  stocks: stockChecks,
  etfs: etfChecks,
  financials: financialChecks,
  products: productChecks,
  bonds: bondChecks,
  dividends: dividendChecks,
  score: scoreChecks,
};

