/**
 * Financial statements (korean-apis.md §1.4–1.6):
 * - fnlttMultiAcnt: the ~14 main accounts of up to 100 companies per call, both CFS and OFS;
 *   the only way to cover the market within DART's quota (2,900 companies → 29 calls).
 * - fnlttSinglAcnt: the same rows for one company.
 * - fnlttSinglAcntAll: every XBRL account of one company, one fs_div per call.
 *
 * Main-account rows carry no account_id, so they are matched by name; full-statement rows are
 * matched by account_id, because names vary by company (Samsung labels ifrs-full_Revenue
 * 영업수익, not 매출액).
 */
import { z } from 'zod';
import type { IsoDate } from '../../calendar/trading-calendar';
import { mapRows } from './envelope';
import type { PeriodicReportRequest, ReportCode } from './requests';
import { amount, filedOn, periodLabel, text, type PeriodLabel } from './values';

export const MULTI_ACCOUNT_ENDPOINT = 'fnlttMultiAcnt.json';
export const SINGLE_ACCOUNT_ENDPOINT = 'fnlttSinglAcnt.json';
export const ALL_ACCOUNTS_ENDPOINT = 'fnlttSinglAcntAll.json';

/** DART answers 021 above this (korean-apis.md §1.6). */
export const MAX_CORPS_PER_CALL = 100;

export type FsDiv = 'CFS' | 'OFS';

export interface MultiAccountRequest {
  corpCodes: readonly string[];
  bsnsYear: number;
  reprtCode: ReportCode;
}

export interface AllAccountsRequest extends PeriodicReportRequest {
  fsDiv: FsDiv;
}

interface TermAmounts {
  thstrmNm: string | null;
  thstrmAmount: number | null;
  /** Year-to-date on quarterly and half-year reports; null on annual ones. */
  thstrmAddAmount: number | null;
  frmtrmNm: string | null;
  frmtrmAmount: number | null;
  frmtrmAddAmount: number | null;
  /** Only annual reports have the term before last; its keys are simply absent otherwise. */
  bfefrmtrmNm: string | null;
  bfefrmtrmAmount: number | null;
  ord: number | null;
  currency: string | null;
}

export interface MainAccountRow extends TermAmounts {
  rceptNo: string;
  filedOn: IsoDate | null;
  reprtCode: string;
  bsnsYear: number;
  corpCode: string;
  stockCode: string | null;
  fsDiv: FsDiv;
  fsNm: string | null;
  sjDiv: string;
  sjNm: string | null;
  accountNm: string;
  thstrmDt: string | null;
  thstrmPeriod: PeriodLabel | null;
  frmtrmDt: string | null;
  frmtrmPeriod: PeriodLabel | null;
  bfefrmtrmDt: string | null;
  bfefrmtrmPeriod: PeriodLabel | null;
}

export interface FullAccountRow extends TermAmounts {
  rceptNo: string;
  filedOn: IsoDate | null;
  reprtCode: string;
  bsnsYear: number;
  corpCode: string;
  /** From the request: fnlttSinglAcntAll rows do not repeat it. */
  fsDiv: FsDiv;
  sjDiv: string;
  sjNm: string | null;
  /** The XBRL tag; null where DART writes "-표준계정코드 미사용-" (a company-specific account). */
  accountId: string | null;
  accountNm: string;
  /** The SCE component path ("자본 [구성요소]|비지배지분 [구성요소]"), [] when DART writes "-". */
  accountDetail: string[];
  frmtrmQNm: string | null;
  frmtrmQAmount: number | null;
}

const str = z.string();
const opt = z.string().optional();

const termFields = {
  thstrm_nm: opt,
  thstrm_amount: opt,
  thstrm_add_amount: opt,
  frmtrm_nm: opt,
  frmtrm_amount: opt,
  frmtrm_add_amount: opt,
  bfefrmtrm_nm: opt,
  bfefrmtrm_amount: opt,
  ord: opt,
  currency: opt,
};

const mainSchema = z.object({
  rcept_no: z.string().regex(/^\d{14}$/),
  reprt_code: str,
  bsns_year: z.string().regex(/^\d{4}$/),
  corp_code: z.string().regex(/^\d{8}$/),
  stock_code: opt,
  fs_div: z.enum(['CFS', 'OFS']),
  fs_nm: opt,
  sj_div: z.string().min(1),
  sj_nm: opt,
  account_nm: z.string().min(1),
  thstrm_dt: opt,
  frmtrm_dt: opt,
  bfefrmtrm_dt: opt,
  ...termFields,
});

const allSchema = z.object({
  rcept_no: z.string().regex(/^\d{14}$/),
  reprt_code: str,
  bsns_year: z.string().regex(/^\d{4}$/),
  corp_code: z.string().regex(/^\d{8}$/),
  sj_div: z.string().min(1),
  sj_nm: opt,
  account_id: opt,
  account_nm: z.string().min(1),
  account_detail: opt,
  frmtrm_q_nm: opt,
  frmtrm_q_amount: opt,
  ...termFields,
});

type TermRaw = { [K in keyof typeof termFields]?: string };

function terms(r: TermRaw): TermAmounts {
  return {
    thstrmNm: text(r.thstrm_nm),
    thstrmAmount: amount(r.thstrm_amount, 'thstrm_amount'),
    thstrmAddAmount: amount(r.thstrm_add_amount, 'thstrm_add_amount'),
    frmtrmNm: text(r.frmtrm_nm),
    frmtrmAmount: amount(r.frmtrm_amount, 'frmtrm_amount'),
    frmtrmAddAmount: amount(r.frmtrm_add_amount, 'frmtrm_add_amount'),
    bfefrmtrmNm: text(r.bfefrmtrm_nm),
    bfefrmtrmAmount: amount(r.bfefrmtrm_amount, 'bfefrmtrm_amount'),
    ord: amount(r.ord, 'ord'),
    currency: text(r.currency),
  };
}

/** fnlttSinglAcnt and fnlttMultiAcnt rows (the same schema). */
export function toMainAccountRows(endpoint: string, list: unknown[]): MainAccountRow[] {
  return mapRows(endpoint, list, mainSchema, (r) => ({
    rceptNo: r.rcept_no,
    filedOn: filedOn(r.rcept_no),
    reprtCode: r.reprt_code,
    bsnsYear: Number(r.bsns_year),
    corpCode: r.corp_code,
    stockCode: text(r.stock_code)?.trim() || null,
    fsDiv: r.fs_div,
    fsNm: text(r.fs_nm),
    sjDiv: r.sj_div,
    sjNm: text(r.sj_nm),
    accountNm: r.account_nm,
    thstrmDt: text(r.thstrm_dt),
    thstrmPeriod: periodLabel(r.thstrm_dt, 'thstrm_dt'),
    frmtrmDt: text(r.frmtrm_dt),
    frmtrmPeriod: periodLabel(r.frmtrm_dt, 'frmtrm_dt'),
    bfefrmtrmDt: text(r.bfefrmtrm_dt),
    bfefrmtrmPeriod: periodLabel(r.bfefrmtrm_dt, 'bfefrmtrm_dt'),
    ...terms(r),
  }));
}

const NO_STANDARD_ID = /표준계정코드\s*미사용/;

export function toFullAccountRows(list: unknown[], fsDiv: FsDiv): FullAccountRow[] {
  return mapRows(ALL_ACCOUNTS_ENDPOINT, list, allSchema, (r) => {
    const id = text(r.account_id)?.trim() ?? null;
    const detail = text(r.account_detail)?.trim();
    return {
      rceptNo: r.rcept_no,
      filedOn: filedOn(r.rcept_no),
      reprtCode: r.reprt_code,
      bsnsYear: Number(r.bsns_year),
      corpCode: r.corp_code,
      fsDiv,
      sjDiv: r.sj_div,
      sjNm: text(r.sj_nm),
      accountId: id && !NO_STANDARD_ID.test(id) ? id : null,
      accountNm: r.account_nm,
      accountDetail: detail ? detail.split('|').map((s) => s.trim()) : [],
      frmtrmQNm: text(r.frmtrm_q_nm),
      frmtrmQAmount: amount(r.frmtrm_q_amount, 'frmtrm_q_amount'),
      ...terms(r),
    };
  });
}

/** A full-statement account by XBRL id; `sjDiv` narrows it where one id appears in several statements. */
export function findAccount(rows: readonly FullAccountRow[], accountId: string, sjDiv?: string): FullAccountRow | undefined {
  return rows.find((r) => r.accountId === accountId && (sjDiv === undefined || r.sjDiv === sjDiv) && r.accountDetail.length === 0)
    ?? rows.find((r) => r.accountId === accountId && (sjDiv === undefined || r.sjDiv === sjDiv));
}

/**
 * A main account by name. DART's labels drift between filings ("당기순이익" / "당기순이익(손실)",
 * "법인세차감전 순이익" / "법인세차감전순이익"), so spaces and a trailing "(손실)" are ignored.
 */
export function findMainAccount(rows: readonly MainAccountRow[], q: { corpCode: string; fsDiv: FsDiv; accountNm: string }): MainAccountRow | undefined {
  const want = normalizeAccountName(q.accountNm);
  return rows.find((r) => r.corpCode === q.corpCode && r.fsDiv === q.fsDiv && normalizeAccountName(r.accountNm) === want);
}

export function normalizeAccountName(name: string): string {
  return name.replace(/\s+/g, '').replace(/\(손실\)$/, '');
}

/** Splits a corp_code list into DART-sized batches, dropping duplicates so no batch is wasted. */
export function chunkCorpCodes(corpCodes: readonly string[], size = MAX_CORPS_PER_CALL): string[][] {
  if (!Number.isInteger(size) || size < 1 || size > MAX_CORPS_PER_CALL) throw new RangeError(`batch size must be 1..${MAX_CORPS_PER_CALL}, got ${size}`);
  const unique = [...new Set(corpCodes)];
  const out: string[][] = [];
  for (let i = 0; i < unique.length; i += size) out.push(unique.slice(i, i + size));
  return out;
}
