/**
 * dividend_history: DART rows (one per company, fiscal year and share class, from the annual
 * report's alotMatter) and FSC rows (one per ISIN, record date and dividend kind, from
 * getDiviInfo_V2), each upserted on its own natural key (partial unique indexes of migration 006).
 */
import { type DividendRow as DartDividendRow, DIVIDEND_LABELS, findDividend } from '../sources/dart/dividends';
import type { DividendRow as FscDividendRow } from '../sources/datagokr/stock-dividends';
import { bulkUpsert, type UpsertCounts } from './bulk-upsert';
import type { Db } from './database';

/** DART's answers for dividends share dart_report_ledger with the financial statements, under this report code. */
export const DART_DIVIDEND_LEDGER_CODE = 'alotMatter/11011';

const COLUMNS = {
  source: 'text', corp_code: 'text', crno: 'text', ticker: 'text', isin: 'text', company_name: 'text', fiscal_year: 'integer', record_date: 'date',
  share_kind: 'text', dividend_kind: 'text', cash_dps: 'numeric', stock_dps: 'numeric', cash_yield: 'numeric', stock_yield: 'numeric',
  payout_ratio: 'numeric', cash_total_mn: 'numeric', par_value: 'numeric', pay_date: 'date', rcept_no: 'text', raw: 'jsonb',
} as const;

const DART = { table: 'dividend_history', columns: COLUMNS, key: ['corp_code', 'fiscal_year', 'share_kind'], keyWhere: "source = 'dart'", touch: 'loaded_at' } as const;
const FSC = { table: 'dividend_history', columns: COLUMNS, key: ['isin', 'record_date', 'dividend_kind'], keyWhere: "source = 'fsc'", touch: 'loaded_at' } as const;

const EMPTY = {
  corp_code: null, crno: null, ticker: null, isin: null, company_name: null, fiscal_year: null, record_date: null, share_kind: '', dividend_kind: '',
  cash_dps: null, stock_dps: null, cash_yield: null, stock_yield: null, payout_ratio: null, cash_total_mn: null, par_value: null, pay_date: null, rcept_no: null,
};

/** One company's alotMatter rows (long format) → one row per share class, this term's values. */
export function dartDividendRows(rows: readonly DartDividendRow[], fiscalYear: number, ticker: string | null): Record<string, unknown>[] {
  if (rows.length === 0) return [];
  const kinds = [...new Set(rows.map((r) => r.stockKnd).filter((k): k is string => k !== null))];
  const value = (label: string, kind: string | null) => findDividend(rows, label, kind)?.thstrm ?? null;
  const first = rows[0]!;
  return (kinds.length ? kinds : ['']).map((kind) => ({
    ...EMPTY,
    source: 'dart', corp_code: first.corpCode, ticker, company_name: first.corpName, fiscal_year: fiscalYear, record_date: first.stlmDt,
    share_kind: kind, dividend_kind: 'annual',
    cash_dps: value(DIVIDEND_LABELS.cashDividendPerShare, kind || null), stock_dps: value(DIVIDEND_LABELS.stockDividendPerShare, kind || null),
    cash_yield: value(DIVIDEND_LABELS.cashDividendYield, kind || null), stock_yield: value(DIVIDEND_LABELS.stockDividendYield, kind || null),
    payout_ratio: value(DIVIDEND_LABELS.consolidatedPayoutRatio, null), cash_total_mn: value(DIVIDEND_LABELS.cashDividendTotal, null),
    par_value: value(DIVIDEND_LABELS.parValue, null), rcept_no: first.rceptNo,
    raw: rows.filter((r) => r.stockKnd === null || r.stockKnd === kind),
  }));
}

export function upsertDartDividends(db: Db, rows: readonly Record<string, unknown>[]): Promise<UpsertCounts> {
  return bulkUpsert(db, DART, rows);
}

/** FSC rows with an ISIN and a record date (the key); the others are counted, not stored. */
export function fscDividendRows(rows: readonly FscDividendRow[], stockOfIsin: ReadonlyMap<string, StockRef>): { rows: Record<string, unknown>[]; unkeyed: number } {
  const keyed = rows.filter((r) => r.isinCd && r.eventDate);
  return {
    unkeyed: rows.length - keyed.length,
    rows: keyed.map((r) => ({
      ...EMPTY,
      source: 'fsc', crno: r.crno, isin: r.isinCd, ticker: stockOfIsin.get(r.isinCd!)?.ticker ?? null, corp_code: stockOfIsin.get(r.isinCd!)?.corp_code ?? null,
      company_name: r.stckIssuCmpyNm,
      fiscal_year: Number(r.eventDate!.slice(0, 4)), record_date: r.eventDate, share_kind: r.scrsItmsKcdNm ?? '', dividend_kind: r.stckDvdnRcd ?? '',
      cash_dps: r.stckGenrDvdnAmt, cash_yield: r.stckGenrCashDvdnRt, stock_yield: r.stckGenrDvdnRt, par_value: r.stckParPrc, pay_date: r.cashDvdnPayDt, raw: r,
    })),
  };
}

export function upsertFscDividends(db: Db, rows: readonly Record<string, unknown>[]): Promise<UpsertCounts> {
  return bulkUpsert(db, FSC, rows);
}

export interface StockRef {
  ticker: string;
  corp_code: string | null;
}

export async function stocksOfIsins(db: Db, isins: readonly string[]): Promise<Map<string, StockRef>> {
  const rows = await db
    .selectFrom('stocks')
    .select(['isin', 'ticker', 'corp_code'])
    .where((eb) => eb('isin', '=', eb.fn.any(eb.val([...new Set(isins)]))))
    .$narrowType<{ isin: string }>()
    .execute();
  return new Map(rows.map((x) => [x.isin, { ticker: x.ticker, corp_code: x.corp_code }]));
}

export async function tickersOfCorpCodes(db: Db, corpCodes: readonly string[]): Promise<Map<string, string>> {
  const rows = await db
    .selectFrom('dart_corp_code')
    .select(['corp_code', 'stock_code'])
    .where((eb) => eb('corp_code', '=', eb.fn.any(eb.val([...corpCodes]))))
    .where('stock_code', 'is not', null)
    .$narrowType<{ stock_code: string }>()
    .execute();
  return new Map(rows.map((x) => [x.corp_code, x.stock_code]));
}
