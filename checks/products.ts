import { atLeastRows } from './queries';
import type { CheckDefinition } from './types';

/** finlife's six product types (migration 006's `product_type` values); none may be empty. */
export const PRODUCT_TYPES = ['deposit', 'saving', 'annuitySaving', 'mortgageLoan', 'rentHouseLoan', 'creditLoan'] as const;

export const productChecks: CheckDefinition[] = PRODUCT_TYPES.map((type) =>
  atLeastRows({
    name: `products-${type}`,
    severity: 'warning',
    table: 'finlife_product',
    what: `active ${type} products`,
    where: (eb) => eb.and([eb('product_type', '=', type), eb.ref('active')]),
    min: () => 1,
  }),
);
