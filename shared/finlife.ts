/** The six FSS finlife product types, by the keys sources/fss/products.ts uses (workflow-safe: no zod here). */
import type { FinlifeProductType } from '../sources/fss/products';

export const FINLIFE_PRODUCT_TYPES = ['deposit', 'saving', 'annuitySaving', 'mortgageLoan', 'rentHouseLoan', 'creditLoan'] as const satisfies readonly FinlifeProductType[];

// Fails to compile when a product type is added to the client but not here.
type Missing = Exclude<FinlifeProductType, (typeof FINLIFE_PRODUCT_TYPES)[number]>;
export const EVERY_TYPE_LISTED: Missing extends never ? true : never = true;
