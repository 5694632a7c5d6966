/**
 * MDCSTAT01901 (전종목 기본정보): every listed stock's master data: names, listing date, security
 * group, share kind, par value and listed shares (korean-apis.md §4.3). No capture of it exists
 * in shared/fixtures; field names are pykrx's and the Open API's isu_base_info, which spells
 * them the same.
 */
import { z } from 'zod';
import type { IsoDate } from '../../calendar/trading-calendar';
import { parseNumber } from '../parse';
import { mapRows } from '../rows';
import { date, isin, num, optional, shortCode, text } from './fields';
import type { KrxMarket } from './daily-stocks';
import { SOURCE } from './wire';

export const LISTINGS_BLD = 'dbms/MDC/STAT/standard/MDCSTAT01901';
export const LISTINGS_ENDPOINT = 'MDCSTAT01901';
export const LISTINGS_WRAPPER = 'OutBlock_1';

export interface KrxListingRow {
  /** ISU_SRT_CD */
  ticker: string;
  /** ISU_CD */
  isin: string;
  /** ISU_NM, e.g. "삼성전자보통주". */
  name: string;
  /** ISU_ABBRV, e.g. "삼성전자". */
  shortName: string | null;
  englishName: string | null;
  listedOn: IsoDate | null;
  /** MKT_TP_NM: KOSPI, KOSDAQ, KOSDAQ GLOBAL, KONEX. */
  market: string | null;
  /** SECUGRP_NM: 주권, 부동산투자회사, … */
  securityGroup: string | null;
  department: string | null;
  /** KIND_STKCERT_TP_NM: 보통주, 우선주, … */
  shareKind: string | null;
  /** PARVAL; null for no-par stock, which KRX spells "무액면". */
  parValue: number | null;
  listedShares: number | null;
}

const fields = {
  ISU_SRT_CD: shortCode,
  ISU_CD: isin,
  ISU_NM: z.string().min(1),
  ISU_ABBRV: optional,
  ISU_ENG_NM: optional,
  LIST_DD: optional,
  MKT_TP_NM: optional,
  SECUGRP_NM: optional,
  SECT_TP_NM: optional,
  KIND_STKCERT_TP_NM: optional,
  PARVAL: optional,
  LIST_SHRS: optional,
};

export const listingSchema = z.object(fields);

export function listingsParams(market: KrxMarket): Record<string, string> {
  return { mktId: market, share: '1', csvxls_isNo: 'false' };
}

/** Shared with the Open API's isu_base_info, whose rows have the same fields. */
export function toListingRow(r: z.infer<typeof listingSchema>): KrxListingRow {
  return {
    ticker: r.ISU_SRT_CD,
    isin: r.ISU_CD,
    name: r.ISU_NM.trim(),
    shortName: text(r.ISU_ABBRV),
    englishName: text(r.ISU_ENG_NM),
    listedOn: date(r.LIST_DD, 'LIST_DD'),
    market: text(r.MKT_TP_NM),
    securityGroup: text(r.SECUGRP_NM),
    department: text(r.SECT_TP_NM),
    shareKind: text(r.KIND_STKCERT_TP_NM),
    // Par value is a label as often as a number ("무액면"), so a non-number is no data, not a format change.
    parValue: parseNumber(r.PARVAL),
    listedShares: num(r.LIST_SHRS, 'LIST_SHRS'),
  };
}

export function toListingRows(rows: unknown[]): KrxListingRow[] {
  return mapRows(SOURCE, LISTINGS_ENDPOINT, rows, listingSchema, toListingRow);
}
