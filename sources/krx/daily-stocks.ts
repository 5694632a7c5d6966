/**
 * MDCSTAT01501 (전종목 시세): every stock of a market for one day, OHLCV, market cap and listed
 * shares (korean-apis.md §4.3). The rows carry no date; it is the request's.
 */
import { z } from 'zod';
import { compactDate, type IsoDate } from '../../calendar/trading-calendar';
import { mapRows } from '../rows';
import { type KrxIssueDay, type KrxPrices, optional, portalIssueFields, priceFields, readPortalIssue, readPrices, text, tradedOnly } from './fields';
import { SOURCE } from './wire';

export const DAILY_STOCKS_BLD = 'dbms/MDC/STAT/standard/MDCSTAT01501';
export const DAILY_STOCKS_ENDPOINT = 'MDCSTAT01501';
export const DAILY_STOCKS_WRAPPER = 'OutBlock_1';

/** STK KOSPI, KSQ KOSDAQ, KNX KONEX, ALL the three. */
export type KrxMarket = 'STK' | 'KSQ' | 'KNX' | 'ALL';
export const KRX_MARKETS: readonly KrxMarket[] = ['STK', 'KSQ', 'KNX', 'ALL'];

export interface KrxDailyRow extends KrxIssueDay, KrxPrices {
  /** MKT_NM: KOSPI, KOSDAQ, KOSDAQ GLOBAL, KONEX. */
  market: string | null;
  /** MKT_ID: STK, KSQ, KNX. */
  marketId: string | null;
  /** SECT_TP_NM (소속부), empty for KOSPI. */
  department: string | null;
  /** FLUC_TP_CD: 1 up, 2 down, 3 unchanged, 4 upper limit, 0 not traded (halted); other values UNCONFIRMED. */
  changeCode: string | null;
}

const rowSchema = z.object({
  ...portalIssueFields,
  MKT_NM: optional,
  SECT_TP_NM: optional,
  FLUC_TP_CD: optional,
  MKT_ID: optional,
  ...priceFields,
});

export function dailyStocksParams(date: IsoDate, market: KrxMarket): Record<string, string> {
  // share/money 1: counts in shares and amounts in won (FDR sends the same).
  return { mktId: market, trdDd: compactDate(date), share: '1', money: '1', csvxls_isNo: 'false' };
}

/** The rows that traded; [] on a holiday (every price "-") or for an empty list. */
export function toDailyRows(rows: unknown[], tradeDate: IsoDate): KrxDailyRow[] {
  return tradedOnly(
    mapRows(SOURCE, DAILY_STOCKS_ENDPOINT, rows, rowSchema, (r): KrxDailyRow | null => {
      const prices = readPrices(r);
      if (!prices) return null;
      return {
        ...readPortalIssue(r, tradeDate),
        market: text(r.MKT_NM),
        marketId: text(r.MKT_ID),
        department: text(r.SECT_TP_NM),
        changeCode: text(r.FLUC_TP_CD),
        ...prices,
      };
    }),
  );
}
