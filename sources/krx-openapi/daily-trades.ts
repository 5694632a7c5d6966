/**
 * {stk,ksq,knx}_bydd_trd: a market's daily trading for one day, one call (korean-apis.md §4.5).
 * Plain numeric strings; ISU_CD here is the short code, not the ISIN, and each row carries its
 * date (BAS_DD), which must be the date asked for.
 */
import { z } from 'zod';
import type { IsoDate } from '../../calendar/trading-calendar';
import { date, type KrxPrices, optional, priceFields, readPrices, shortCode, text, tradedOnly } from '../krx/fields';
import { mapRows } from '../rows';
import { SOURCE } from './envelope';

export const MARKET_SERVICES = { STK: 'stk', KSQ: 'ksq', KNX: 'knx' } as const;
export type KrxOpenApiMarket = keyof typeof MARKET_SERVICES;

export const dailyTradesPath = (market: KrxOpenApiMarket) => `/svc/apis/sto/${MARKET_SERVICES[market]}_bydd_trd`;
export const dailyTradesEndpoint = (market: KrxOpenApiMarket) => `${MARKET_SERVICES[market]}_bydd_trd`;

export interface KrxOpenApiDailyRow extends KrxPrices {
  /** ISU_CD: the short code, e.g. "005930" or "03481K". */
  ticker: string;
  name: string;
  tradeDate: IsoDate;
  /** MKT_NM: KOSPI, KOSDAQ, KOSDAQ GLOBAL, KONEX. */
  market: string | null;
  /** SECT_TP_NM (소속부); "-" (null) on KOSPI. */
  department: string | null;
}

const rowSchema = z.object({
  BAS_DD: z.string(),
  ISU_CD: shortCode,
  ISU_NM: z.string().min(1),
  MKT_NM: optional,
  SECT_TP_NM: optional,
  ...priceFields,
});

/** A row of another date than asked is a wrong answer, not data to store under the asked date. */
export function checkDate(basDd: string, asked: IsoDate): IsoDate {
  const d = date(basDd, 'BAS_DD');
  if (d !== asked) throw new TypeError(`BAS_DD ${JSON.stringify(basDd)} is not the date asked for (${asked})`);
  return d;
}

/** Rows that traded; [] for an empty OutBlock_1 or a holiday's "-" rows. */
export function toDailyTradeRows(market: KrxOpenApiMarket, rows: unknown[], asked: IsoDate): KrxOpenApiDailyRow[] {
  return tradedOnly(
    mapRows(SOURCE, dailyTradesEndpoint(market), rows, rowSchema, (r): KrxOpenApiDailyRow | null => {
      const tradeDate = checkDate(r.BAS_DD, asked);
      const prices = readPrices(r);
      if (!prices) return null;
      return { ticker: r.ISU_CD, name: r.ISU_NM.trim(), tradeDate, market: text(r.MKT_NM), department: text(r.SECT_TP_NM), ...prices };
    }),
  );
}
