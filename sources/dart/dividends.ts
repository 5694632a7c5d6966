/**
 * alotMatter.json: the "배당에 관한 사항" section of a periodic report (korean-apis.md §1.7). It is
 * long-format, one row per label (`se`) and, for per-share labels, per share class (`stock_knd`),
 * with this term, last term and the term before (thstrm / frmtrm / lwfr). Quarterly reports give
 * year-to-date values.
 */
import { z } from 'zod';
import type { IsoDate } from '../../calendar/trading-calendar';
import { mapRows } from './envelope';
import { amount, date, filedOn, text } from './values';

export const DIVIDEND_ENDPOINT = 'alotMatter.json';

/** The labels observed in real answers; DART may add others, which are kept as they come. */
export const DIVIDEND_LABELS = {
  parValue: '주당액면가액(원)',
  consolidatedNetIncome: '(연결)당기순이익(백만원)',
  separateNetIncome: '(별도)당기순이익(백만원)',
  consolidatedEps: '(연결)주당순이익(원)',
  cashDividendTotal: '현금배당금총액(백만원)',
  stockDividendTotal: '주식배당금총액(백만원)',
  consolidatedPayoutRatio: '(연결)현금배당성향(%)',
  cashDividendYield: '현금배당수익률(%)',
  stockDividendYield: '주식배당수익률(%)',
  cashDividendPerShare: '주당 현금배당금(원)',
  stockDividendPerShare: '주당 주식배당(주)',
} as const;

export interface DividendRow {
  rceptNo: string;
  filedOn: IsoDate | null;
  corpCls: string | null;
  corpCode: string;
  corpName: string | null;
  se: string;
  /** 보통주 / 우선주 on per-share rows; null on company-wide rows. */
  stockKnd: string | null;
  thstrm: number | null;
  frmtrm: number | null;
  lwfr: number | null;
  /** 결산기준일, only in newer answers. */
  stlmDt: IsoDate | null;
}

const opt = z.string().optional();

const rowSchema = z.object({
  rcept_no: z.string().regex(/^\d{14}$/),
  corp_cls: opt,
  corp_code: z.string().regex(/^\d{8}$/),
  corp_name: opt,
  se: z.string().min(1),
  stock_knd: opt,
  thstrm: opt,
  frmtrm: opt,
  lwfr: opt,
  stlm_dt: opt,
});

export function toDividendRows(list: unknown[]): DividendRow[] {
  return mapRows(DIVIDEND_ENDPOINT, list, rowSchema, (r) => ({
    rceptNo: r.rcept_no,
    filedOn: filedOn(r.rcept_no),
    corpCls: text(r.corp_cls),
    corpCode: r.corp_code,
    corpName: text(r.corp_name),
    se: r.se,
    stockKnd: text(r.stock_knd)?.trim() || null,
    thstrm: amount(r.thstrm, 'thstrm'),
    frmtrm: amount(r.frmtrm, 'frmtrm'),
    lwfr: amount(r.lwfr, 'lwfr'),
    stlmDt: date(r.stlm_dt, 'stlm_dt'),
  }));
}

/** One label's row, for a share class where the label has one ('보통주' / '우선주'). */
export function findDividend(rows: readonly DividendRow[], se: string, stockKnd: string | null = null): DividendRow | undefined {
  const want = se.replace(/\s+/g, '');
  return rows.find((r) => r.se.replace(/\s+/g, '') === want && r.stockKnd === stockKnd);
}
