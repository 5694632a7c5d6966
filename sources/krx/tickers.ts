/**
 * finder_stkisu: the portal's ticker search (the pop-up behind every "종목 검색" box), which with
 * an empty search text lists every listed issue with its ISIN and market (korean-apis.md §4.3).
 * The rows are lowercase-keyed, unlike the statistics blds.
 */
import { z } from 'zod';
import { mapRows } from '../rows';
import { isin, optional, shortCode, text } from './fields';
import { SOURCE } from './wire';

export const FINDER_BLD = 'dbms/comm/finder/finder_stkisu';
export const FINDER_ENDPOINT = 'finder_stkisu';
export const FINDER_WRAPPER = 'block1';

/** The finder's own market filter; it has no KONEX-only value. */
export type KrxFinderMarket = 'ALL' | 'STK' | 'KSQ';

export interface KrxTicker {
  /** short_code */
  ticker: string;
  /** full_code */
  isin: string;
  /** codeName */
  name: string;
  /** marketCode: STK, KSQ, KNX. */
  marketId: string | null;
  /** marketName: 유가증권, 코스닥, 코넥스. */
  marketName: string | null;
  marketEngName: string | null;
}

const rowSchema = z.object({
  full_code: isin,
  short_code: shortCode,
  codeName: z.string().min(1),
  marketCode: optional,
  marketName: optional,
  marketEngName: optional,
});

export function finderParams(market: KrxFinderMarket, searchText: string): Record<string, string> {
  return { locale: 'ko_KR', mktsel: market, searchText, typeNo: '0' };
}

export function toTickers(rows: unknown[]): KrxTicker[] {
  return mapRows(SOURCE, FINDER_ENDPOINT, rows, rowSchema, (r) => ({
    ticker: r.short_code,
    isin: r.full_code,
    name: r.codeName.trim(),
    marketId: text(r.marketCode),
    marketName: text(r.marketName),
    marketEngName: text(r.marketEngName),
  }));
}
