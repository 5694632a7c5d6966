/**
 * Corporate actions from DART's major-event reports (주요사항보고서, DS005; korean-apis.md §1.8):
 * one company's filings received between two dates. Every endpoint shares the request and the
 * identifying fields; the rest differs per event, so every row keeps all its fields (placeholders
 * as null) and the events with a verified field list also get a typed projection:
 * piicDecsn (유상증자, real capture) and fricDecsn (무상증자, third-party field list).
 *
 * DART has no stock-split endpoint (§1.8); splits must come from list.json or KRX.
 */
import { z } from 'zod';
import type { IsoDate } from '../../calendar/trading-calendar';
import { mapRows } from './envelope';
import { amount, date, filedOn, flag, text } from './values';

/** Endpoint name → what the filing decides. */
export const MAJOR_EVENTS = {
  piicDecsn: '유상증자 결정',
  fricDecsn: '무상증자 결정',
  pifricDecsn: '유무상증자 결정',
  crDecsn: '감자 결정',
  tsstkAqDecsn: '자기주식 취득 결정',
  tsstkDpDecsn: '자기주식 처분 결정',
  cvbdIsDecsn: '전환사채권 발행결정',
  bdwtIsDecsn: '신주인수권부사채권 발행결정',
  exbdIsDecsn: '교환사채권 발행결정',
  cmpMgDecsn: '회사합병 결정',
  cmpDvDecsn: '회사분할 결정',
  cmpDvmgDecsn: '회사분할합병 결정',
  stkExtrDecsn: '주식교환·이전 결정',
  dfOcr: '부도발생',
} as const;

export type MajorEventKind = keyof typeof MAJOR_EVENTS;

export function majorEventEndpoint(kind: MajorEventKind): string {
  return `${kind}.json`;
}

export interface MajorEventRow {
  kind: MajorEventKind;
  rceptNo: string;
  filedOn: IsoDate | null;
  corpCls: string | null;
  corpCode: string;
  corpName: string | null;
  /** Every other field as DART sent it, with "-", "" and " " as null. */
  fields: Record<string, string | null>;
}

/** 유상증자 결정. Share counts and amounts in shares and won. */
export interface PaidInCapitalIncrease extends MajorEventRow {
  kind: 'piicDecsn';
  /** New shares: common (ostk) and other (estk, mostly preferred). */
  nstkOstkCnt: number | null;
  nstkEstkCnt: number | null;
  fvPs: number | null;
  bficTisstkOstk: number | null;
  bficTisstkEstk: number | null;
  /** Use of the funds, in won: facilities, business acquisition, operations, debt repayment, other companies' securities, other. */
  fdppFclt: number | null;
  fdppBsninh: number | null;
  fdppOp: number | null;
  fdppDtrp: number | null;
  fdppOcsa: number | null;
  fdppEtc: number | null;
  icMthn: string | null;
  /** Whether the short-sale rules apply (ssl_at), and their period. */
  sslAt: boolean | null;
  sslBgd: IsoDate | null;
  sslEdd: IsoDate | null;
}

/** 무상증자 결정 (field list third-party, korean-apis.md §1.8). */
export interface BonusIssue extends MajorEventRow {
  kind: 'fricDecsn';
  nstkOstkCnt: number | null;
  nstkEstkCnt: number | null;
  fvPs: number | null;
  bficTisstkOstk: number | null;
  bficTisstkEstk: number | null;
  /** 신주배정기준일 (record date). */
  nstkAsstd: IsoDate | null;
  /** New shares per existing share. */
  nstkAscntPsOstk: number | null;
  nstkAscntPsEstk: number | null;
  nstkDividrk: IsoDate | null;
  nstkDlprd: IsoDate | null;
  /** 신주 상장예정일. */
  nstkLstprd: IsoDate | null;
  /** 이사회결의일. */
  bddd: IsoDate | null;
}

const IDENTITY = new Set(['rcept_no', 'corp_cls', 'corp_code', 'corp_name']);

const rowSchema = z
  .object({
    rcept_no: z.string().regex(/^\d{14}$/),
    corp_cls: z.string().optional(),
    corp_code: z.string().regex(/^\d{8}$/),
    corp_name: z.string().optional(),
  })
  .catchall(z.union([z.string(), z.number(), z.null()]));

type RawRow = z.infer<typeof rowSchema>;

function baseRow(kind: MajorEventKind, r: RawRow): MajorEventRow {
  const fields: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(r)) {
    if (!IDENTITY.has(k)) fields[k] = v === null ? null : text(String(v));
  }
  return {
    kind,
    rceptNo: r.rcept_no,
    filedOn: filedOn(r.rcept_no),
    corpCls: text(r.corp_cls),
    corpCode: r.corp_code,
    corpName: text(r.corp_name),
    fields,
  };
}

const s = (r: RawRow, k: string): string | undefined => (typeof r[k] === 'string' ? (r[k] as string) : r[k] == null ? undefined : String(r[k]));

export function toMajorEventRows(kind: MajorEventKind, list: unknown[]): MajorEventRow[] {
  return mapRows(majorEventEndpoint(kind), list, rowSchema, (r) => baseRow(kind, r));
}

/** The new-share and outstanding-share columns that capital increases and bonus issues share. */
function newShareCounts(r: Parameters<typeof baseRow>[1]) {
  return {
    nstkOstkCnt: amount(s(r, 'nstk_ostk_cnt'), 'nstk_ostk_cnt'),
    nstkEstkCnt: amount(s(r, 'nstk_estk_cnt'), 'nstk_estk_cnt'),
    fvPs: amount(s(r, 'fv_ps'), 'fv_ps'),
    bficTisstkOstk: amount(s(r, 'bfic_tisstk_ostk'), 'bfic_tisstk_ostk'),
    bficTisstkEstk: amount(s(r, 'bfic_tisstk_estk'), 'bfic_tisstk_estk'),
  };
}

export function toPaidInCapitalIncreases(list: unknown[]): PaidInCapitalIncrease[] {
  return mapRows(majorEventEndpoint('piicDecsn'), list, rowSchema, (r) => ({
    ...baseRow('piicDecsn', r),
    kind: 'piicDecsn' as const,
    ...newShareCounts(r),
    fdppFclt: amount(s(r, 'fdpp_fclt'), 'fdpp_fclt'),
    fdppBsninh: amount(s(r, 'fdpp_bsninh'), 'fdpp_bsninh'),
    fdppOp: amount(s(r, 'fdpp_op'), 'fdpp_op'),
    fdppDtrp: amount(s(r, 'fdpp_dtrp'), 'fdpp_dtrp'),
    fdppOcsa: amount(s(r, 'fdpp_ocsa'), 'fdpp_ocsa'),
    fdppEtc: amount(s(r, 'fdpp_etc'), 'fdpp_etc'),
    icMthn: text(s(r, 'ic_mthn')),
    sslAt: flag(s(r, 'ssl_at'), 'ssl_at'),
    sslBgd: date(s(r, 'ssl_bgd'), 'ssl_bgd'),
    sslEdd: date(s(r, 'ssl_edd'), 'ssl_edd'),
  }));
}

/**
 * The fricDecsn field list is third-party and UNCONFIRMED, so a date field holding something
 * else than a date ("미정", undecided) is read as null rather than failing the call; the raw
 * text stays in `fields`.
 */
const looseDate = (raw: string | undefined, field: string): IsoDate | null => {
  try {
    return date(raw, field);
  } catch {
    return null;
  }
};

export function toBonusIssues(list: unknown[]): BonusIssue[] {
  return mapRows(majorEventEndpoint('fricDecsn'), list, rowSchema, (r) => ({
    ...baseRow('fricDecsn', r),
    kind: 'fricDecsn' as const,
    ...newShareCounts(r),
    nstkAsstd: looseDate(s(r, 'nstk_asstd'), 'nstk_asstd'),
    nstkAscntPsOstk: amount(s(r, 'nstk_ascnt_ps_ostk'), 'nstk_ascnt_ps_ostk'),
    nstkAscntPsEstk: amount(s(r, 'nstk_ascnt_ps_estk'), 'nstk_ascnt_ps_estk'),
    nstkDividrk: looseDate(s(r, 'nstk_dividrk'), 'nstk_dividrk'),
    nstkDlprd: looseDate(s(r, 'nstk_dlprd'), 'nstk_dlprd'),
    nstkLstprd: looseDate(s(r, 'nstk_lstprd'), 'nstk_lstprd'),
    bddd: looseDate(s(r, 'bddd'), 'bddd'),
  }));
}
