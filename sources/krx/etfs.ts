/**
 * MDCSTAT04301 (전종목 ETF 시세): every ETF for one day with its NAV and underlying index
 * (korean-apis.md §4.3). The wrapper is `output`, not `OutBlock_1`. On a holiday every price is
 * "-" and FLUC_TP_CD is "0" (stocks say "3"), so the close decides, not the code.
 */
import { z } from 'zod';
import { compactDate, type IsoDate } from '../../calendar/trading-calendar';
import { mapRows } from '../rows';
import { fundFields, type KrxFundFields, type KrxIssueDay, type KrxPrices, optional, portalIssueFields, priceFields, readFund, readPortalIssue, readPrices, text, tradedOnly } from './fields';
import { SOURCE } from './wire';

export const ETFS_BLD = 'dbms/MDC/STAT/standard/MDCSTAT04301';
export const ETFS_ENDPOINT = 'MDCSTAT04301';
export const ETFS_WRAPPER = 'output';

export interface KrxEtfRow extends KrxIssueDay, KrxPrices, KrxFundFields {
  /** SECUGRP_ID, "EF" for ETFs. */
  securityGroup: string | null;
  changeCode: string | null;
  indexChangeCode: string | null;
}

const rowSchema = z.object({
  ...portalIssueFields,
  SECUGRP_ID: optional,
  FLUC_TP_CD: optional,
  FLUC_TP_CD1: optional,
  FLUC_RT1: optional,
  ...priceFields,
  ...fundFields,
});

export function etfsParams(date: IsoDate): Record<string, string> {
  return { trdDd: compactDate(date), share: '1', money: '1' };
}

/** The ETFs that traded; [] on a holiday. */
export function toEtfRows(rows: unknown[], tradeDate: IsoDate): KrxEtfRow[] {
  return tradedOnly(
    mapRows(SOURCE, ETFS_ENDPOINT, rows, rowSchema, (r): KrxEtfRow | null => {
      const prices = readPrices(r);
      if (!prices) return null;
      return {
        ...readPortalIssue(r, tradeDate),
        securityGroup: text(r.SECUGRP_ID),
        changeCode: text(r.FLUC_TP_CD),
        ...prices,
        ...readFund(r, { field: 'FLUC_RT1', value: r.FLUC_RT1 }),
        indexChangeCode: text(r.FLUC_TP_CD1),
      };
    }),
  );
}
