import { atLeastRows } from './queries';
import type { CheckDefinition } from './types';

export const dividendChecks: CheckDefinition[] = [
  atLeastRows({ name: 'dividends-count', severity: 'warning', table: 'dividend_history', what: 'dividend rows', min: (c) => c.settings.CHECK_DIVIDENDS_MIN }),
];
