/**
 * etp/etf_bydd_trd: every ETF's daily trading with NAV and underlying index (korean-apis.md
 * §4.5). The portal's MDCSTAT04301 fields but for the short code in ISU_CD, no change codes, and
 * the index's rate under FLUC_RT_IDX.
 */
import { z } from 'zod';
import type { IsoDate } from '../../calendar/trading-calendar';
import { fundFields, type KrxFundFields, type KrxPrices, optional, priceFields, readFund, readPrices, shortCode, tradedOnly } from '../krx/fields';
import { mapRows } from '../rows';
import { checkDate } from './daily-trades';
import { SOURCE } from './envelope';

export const ETF_TRADES_PATH = '/svc/apis/etp/etf_bydd_trd';
export const ETF_TRADES_ENDPOINT = 'etf_bydd_trd';

export interface KrxOpenApiEtfRow extends KrxPrices, KrxFundFields {
  ticker: string;
  name: string;
  tradeDate: IsoDate;
}

const rowSchema = z.object({
  BAS_DD: z.string(),
  ISU_CD: shortCode,
  ISU_NM: z.string().min(1),
  FLUC_RT_IDX: optional,
  ...priceFields,
  ...fundFields,
});

export function toEtfTradeRows(rows: unknown[], asked: IsoDate): KrxOpenApiEtfRow[] {
  return tradedOnly(
    mapRows(SOURCE, ETF_TRADES_ENDPOINT, rows, rowSchema, (r): KrxOpenApiEtfRow | null => {
      const tradeDate = checkDate(r.BAS_DD, asked);
      const prices = readPrices(r);
      if (!prices) return null;
      return { ticker: r.ISU_CD, name: r.ISU_NM.trim(), tradeDate, ...prices, ...readFund(r, { field: 'FLUC_RT_IDX', value: r.FLUC_RT_IDX }) };
    }),
  );
}
