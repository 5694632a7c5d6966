/**
 * KRX's value spellings, shared by the portal and the Open API (korean-apis.md §4.3, §4.5):
 * every value is a string, numbers with thousands commas on the portal and without on the Open
 * API, "-" for nothing, dates YYYY/MM/DD or YYYYMMDD. Short codes are six characters and no
 * longer always digits (33626K, 0126Z0), so codes stay strings.
 */
import { z } from 'zod';
import type { IsoDate } from '../../calendar/trading-calendar';
import { parseText, strictDate, strictNumber } from '../parse';

export const shortCode = z.string().regex(/^[0-9A-Z]{6}$/, 'not a 6-character short code');
export const isin = z.string().regex(/^[A-Z]{2}[0-9A-Z]{9}\d$/, 'not an ISIN');
/** A field that may be missing from the row; read with the helpers below. */
export const optional = z.string().optional();

export function text(raw: string | undefined): string | null {
  return raw === undefined ? null : parseText(raw.trim());
}

export function num(raw: string | undefined, field: string): number | null {
  return strictNumber(raw, field);
}

export function date(raw: string | undefined, field: string): IsoDate | null {
  return strictDate(raw, field);
}

/** The portal's issue columns on its daily statistics rows (the Open API puts the short code in ISU_CD instead). */
export const portalIssueFields = { ISU_SRT_CD: shortCode, ISU_CD: isin, ISU_ABBRV: z.string().min(1) };

export interface KrxIssueDay {
  /** ISU_SRT_CD, e.g. "005930" or "33626K". */
  ticker: string;
  /** ISU_CD, e.g. "KR7005930003". */
  isin: string;
  /** ISU_ABBRV */
  name: string;
  /** The request's: the portal's daily rows carry no date. */
  tradeDate: IsoDate;
}

export function readPortalIssue(r: { ISU_SRT_CD: string; ISU_CD: string; ISU_ABBRV: string }, tradeDate: IsoDate): KrxIssueDay {
  return { ticker: r.ISU_SRT_CD, isin: r.ISU_CD, name: r.ISU_ABBRV.trim(), tradeDate };
}

/** The price block of the stock and ETF rows, which both KRX APIs spell the same way. */
export const priceFields = {
  TDD_CLSPRC: optional,
  CMPPREVDD_PRC: optional,
  FLUC_RT: optional,
  TDD_OPNPRC: optional,
  TDD_HGPRC: optional,
  TDD_LWPRC: optional,
  ACC_TRDVOL: optional,
  ACC_TRDVAL: optional,
  MKTCAP: optional,
  LIST_SHRS: optional,
};

export interface KrxPrices {
  open: number | null;
  high: number | null;
  low: number | null;
  /** A row without a close (a holiday's "-" rows) is not returned at all. */
  close: number;
  /** Against the previous close. */
  change: number | null;
  /** Percent, e.g. -1.48. */
  changeRate: number | null;
  volume: number | null;
  tradingValue: number | null;
  marketCap: number | null;
  listedShares: number | null;
}

type PriceRow = { [K in keyof typeof priceFields]?: string };

/**
 * The prices of one row, or null when it has no close. On a holiday KRX answers every listed
 * issue with "-" prices (§4.4); a halted issue has a close and zeros, and is kept.
 */
export function readPrices(r: PriceRow): KrxPrices | null {
  const close = num(r.TDD_CLSPRC, 'TDD_CLSPRC');
  if (close === null) return null;
  return {
    open: num(r.TDD_OPNPRC, 'TDD_OPNPRC'),
    high: num(r.TDD_HGPRC, 'TDD_HGPRC'),
    low: num(r.TDD_LWPRC, 'TDD_LWPRC'),
    close,
    change: num(r.CMPPREVDD_PRC, 'CMPPREVDD_PRC'),
    changeRate: num(r.FLUC_RT, 'FLUC_RT'),
    volume: num(r.ACC_TRDVOL, 'ACC_TRDVOL'),
    tradingValue: num(r.ACC_TRDVAL, 'ACC_TRDVAL'),
    marketCap: num(r.MKTCAP, 'MKTCAP'),
    listedShares: num(r.LIST_SHRS, 'LIST_SHRS'),
  };
}

/** Rows that traded; [] for a holiday answer, which is "no data", not an error. */
export function tradedOnly<T>(rows: Array<T | null>): T[] {
  return rows.filter((r): r is T => r !== null);
}

/** The fund block of ETF rows (NAV, net assets, underlying index), also the same in both APIs but for the index's rate. */
export const fundFields = {
  NAV: optional,
  INVSTASST_NETASST_TOTAMT: optional,
  IDX_IND_NM: optional,
  OBJ_STKPRC_IDX: optional,
  CMPPREVDD_IDX: optional,
};

export interface KrxFundFields {
  nav: number | null;
  /** INVSTASST_NETASST_TOTAMT (순자산총액). */
  netAssets: number | null;
  /** IDX_IND_NM: the underlying index; null with its values for some ETFs (e.g. 278420). */
  indexName: string | null;
  indexClose: number | null;
  indexChange: number | null;
  indexChangeRate: number | null;
}

type FundRow = { [K in keyof typeof fundFields]?: string };

/** `indexRate` is FLUC_RT1 on the portal and FLUC_RT_IDX on the Open API. */
export function readFund(r: FundRow, indexRate: { field: string; value: string | undefined }): KrxFundFields {
  return {
    nav: num(r.NAV, 'NAV'),
    netAssets: num(r.INVSTASST_NETASST_TOTAMT, 'INVSTASST_NETASST_TOTAMT'),
    indexName: text(r.IDX_IND_NM),
    indexClose: num(r.OBJ_STKPRC_IDX, 'OBJ_STKPRC_IDX'),
    indexChange: num(r.CMPPREVDD_IDX, 'CMPPREVDD_IDX'),
    indexChangeRate: num(indexRate.value, indexRate.field),
  };
}
