/**
 * Joins finlife option rows to their product rows. The JSON answer flattens the XML's
 * product → options nesting into two lists (korean-apis.md §2.3), so the link is the key
 * columns alone; rows of every page are joined together, in case a product's options ever
 * straddle a page boundary.
 */
import type { FinlifeProduct, FinlifeProductType } from './products';

type Row = Record<string, unknown>;

export interface JoinResult<T extends FinlifeProductType> {
  products: FinlifeProduct<T>[];
  /** Options whose key matches no product: kept for the caller to log, never attached by guess. */
  orphanOptions: FinlifeProduct<T>['options'];
  /** Product rows seen again under the same key (a listing that shifted between pages): the first wins. */
  duplicateProducts: number;
}

/**
 * `joinKey` lists the key columns, the (fin_co_no, fin_prdt_cd) pair first. An option that
 * lacks a later key column, or whose product lacks it (an abbreviated answer), still joins when
 * the pair names exactly one product; a real mismatch or an ambiguous pair leaves it an orphan.
 */
export function joinOptions<T extends FinlifeProductType>(
  bases: FinlifeProduct<T>['base'][],
  options: FinlifeProduct<T>['options'],
  joinKey: readonly string[],
): JoinResult<T> {
  const keyOf = (row: Row, cols: readonly string[]) => JSON.stringify(cols.map((k) => row[k] ?? null));
  const pair = joinKey.slice(0, 2);
  const byKey = new Map<string, FinlifeProduct<T>>();
  const byPair = new Map<string, FinlifeProduct<T> | 'ambiguous'>();
  let duplicateProducts = 0;
  for (const base of bases) {
    const k = keyOf(base as Row, joinKey);
    if (byKey.has(k)) {
      duplicateProducts++;
      continue;
    }
    const product: FinlifeProduct<T> = { base, options: [] };
    byKey.set(k, product);
    const p = keyOf(base as Row, pair);
    byPair.set(p, byPair.has(p) ? 'ambiguous' : product);
  }
  const orphanOptions: FinlifeProduct<T>['options'] = [];
  for (const option of options) {
    let product = byKey.get(keyOf(option as Row, joinKey));
    if (!product && joinKey.length > pair.length) {
      const viaPair = byPair.get(keyOf(option as Row, pair));
      if (viaPair && viaPair !== 'ambiguous' && onlyMissingDiffers(option as Row, viaPair.base as Row, joinKey.slice(2))) product = viaPair;
    }
    if (product) product.options.push(option);
    else orphanOptions.push(option);
  }
  return { products: [...byKey.values()], orphanOptions, duplicateProducts };
}

function onlyMissingDiffers(a: Row, b: Row, cols: readonly string[]): boolean {
  return cols.every((c) => a[c] == null || b[c] == null || a[c] === b[c]);
}
