/**
 * DART company codes and financial statements (tables of migration 004). Writes are bulk
 * upserts on natural keys, so a retried or repeated load changes nothing it already wrote.
 */
import { sql } from 'kysely';
import { type CorpCode, listedCompanies } from '../sources/dart/corp-code';
import { type FsDiv, type MainAccountRow, normalizeAccountName } from '../sources/dart/financial-statements';
import type { Db } from './database';

export async function upsertCorpCodes(db: Db, entries: readonly CorpCode[]): Promise<number> {
  // Listed companies only: the 100,000-odd unlisted ones are never scored.
  const listed = listedCompanies(entries);
  return db.transaction().execute(async (tx) => {
    // A ticker that moved to another company is released first, so the unique index holds.
    await sql`
      UPDATE dart_corp_code d SET stock_code = NULL, updated_at = now()
        FROM unnest(${listed.map((e) => e.stockCode)}::text[], ${listed.map((e) => e.corpCode)}::text[]) AS n(stock_code, corp_code)
       WHERE d.stock_code = n.stock_code AND d.corp_code <> n.corp_code`.execute(tx);
    const r = await sql`
      INSERT INTO dart_corp_code (corp_code, corp_name, stock_code, modify_date)
      SELECT * FROM unnest(${listed.map((e) => e.corpCode)}::text[], ${listed.map((e) => e.corpName)}::text[],
                           ${listed.map((e) => e.stockCode)}::text[], ${listed.map((e) => e.modifyDate)}::date[])
      ON CONFLICT (corp_code) DO UPDATE
         SET corp_name = EXCLUDED.corp_name, stock_code = EXCLUDED.stock_code, modify_date = EXCLUDED.modify_date, updated_at = now()
       WHERE (dart_corp_code.corp_name, dart_corp_code.stock_code, dart_corp_code.modify_date)
             IS DISTINCT FROM (EXCLUDED.corp_name, EXCLUDED.stock_code, EXCLUDED.modify_date)`.execute(tx);
    return Number(r.numAffectedRows ?? 0);
  });
}

/** The listed companies' corp codes, those of tickers in `stocks` first when that table has any. */
export async function listedCorpCodes(db: Db): Promise<string[]> {
  const r = await sql<{ corp_code: string }>`
    SELECT c.corp_code
      FROM dart_corp_code c
     WHERE c.stock_code IS NOT NULL
       AND (NOT EXISTS (SELECT 1 FROM stocks) OR EXISTS (SELECT 1 FROM stocks s WHERE s.ticker = c.stock_code AND s.is_active))
     ORDER BY c.corp_code`.execute(db);
  return r.rows.map((x) => x.corp_code);
}

/** Companies already answered for this report: loaded, or without it since less than `noDataRecheckDays`. */
export async function answeredCorpCodes(db: Db, fiscalYear: number, reportCode: string, noDataRecheckDays: number): Promise<Set<string>> {
  const r = await sql<{ corp_code: string }>`
    SELECT corp_code FROM dart_report_ledger
     WHERE fiscal_year = ${fiscalYear} AND report_code = ${reportCode}
       AND (status = 'loaded' OR checked_at > now() - ${noDataRecheckDays} * interval '1 day')`.execute(db);
  return new Set(r.rows.map((x) => x.corp_code));
}

export async function recordReportAnswers(db: Db, fiscalYear: number, reportCode: string, asked: readonly string[], loaded: ReadonlySet<string>): Promise<void> {
  await sql`
    INSERT INTO dart_report_ledger (corp_code, fiscal_year, report_code, status)
    SELECT c, ${fiscalYear}, ${reportCode}, CASE WHEN c = ANY(${[...loaded]}::text[]) THEN 'loaded' ELSE 'no-data' END
      FROM unnest(${asked}::text[]) AS c
    ON CONFLICT (corp_code, fiscal_year, report_code) DO UPDATE SET status = EXCLUDED.status, checked_at = now()`.execute(db);
}

/** The accounts the score reads, by DART's main-account label. */
const ACCOUNTS = {
  revenue: '매출액',
  operating_income: '영업이익',
  net_income: '당기순이익',
  total_assets: '자산총계',
  total_liabilities: '부채총계',
  total_equity: '자본총계',
} as const;

export interface FinancialStatementRow {
  corp_code: string;
  ticker: string | null;
  fiscal_year: number;
  report_code: string;
  fs_div: FsDiv;
  rcept_no: string;
  currency: string | null;
  revenue: number | null;
  operating_income: number | null;
  net_income: number | null;
  total_assets: number | null;
  total_liabilities: number | null;
  total_equity: number | null;
  prev_revenue: number | null;
  prev_net_income: number | null;
}

/** DART's long rows (one per account) → one row per company, report and basis. */
export function pivotMainAccounts(rows: readonly MainAccountRow[]): FinancialStatementRow[] {
  const byKey = new Map<string, FinancialStatementRow>();
  const want = new Map(Object.entries(ACCOUNTS).map(([col, label]) => [normalizeAccountName(label), col as keyof typeof ACCOUNTS]));
  for (const r of rows) {
    const key = `${r.corpCode}|${r.bsnsYear}|${r.reprtCode}|${r.fsDiv}`;
    let out = byKey.get(key);
    if (!out) {
      out = {
        corp_code: r.corpCode, ticker: r.stockCode, fiscal_year: r.bsnsYear, report_code: r.reprtCode, fs_div: r.fsDiv,
        rcept_no: r.rceptNo, currency: r.currency,
        revenue: null, operating_income: null, net_income: null, total_assets: null, total_liabilities: null, total_equity: null,
        prev_revenue: null, prev_net_income: null,
      };
      byKey.set(key, out);
    }
    const col = want.get(normalizeAccountName(r.accountNm));
    if (!col) continue;
    out[col] = r.thstrmAmount;
    if (col === 'revenue') out.prev_revenue = r.frmtrmAmount;
    if (col === 'net_income') out.prev_net_income = r.frmtrmAmount;
  }
  return [...byKey.values()];
}

export async function upsertFinancialStatements(db: Db, rows: readonly FinancialStatementRow[], source: string): Promise<number> {
  if (rows.length === 0) return 0;
  const col = <K extends keyof FinancialStatementRow>(k: K) => rows.map((r) => r[k]);
  const r = await sql`
    INSERT INTO financial_statement (corp_code, ticker, fiscal_year, report_code, fs_div, rcept_no, currency,
      revenue, operating_income, net_income, total_assets, total_liabilities, total_equity, prev_revenue, prev_net_income, source)
    SELECT u.*, ${source} FROM unnest(
      ${col('corp_code')}::text[], ${col('ticker')}::text[], ${col('fiscal_year')}::int[], ${col('report_code')}::text[],
      ${col('fs_div')}::text[], ${col('rcept_no')}::text[], ${col('currency')}::text[],
      ${col('revenue')}::numeric[], ${col('operating_income')}::numeric[], ${col('net_income')}::numeric[],
      ${col('total_assets')}::numeric[], ${col('total_liabilities')}::numeric[], ${col('total_equity')}::numeric[],
      ${col('prev_revenue')}::numeric[], ${col('prev_net_income')}::numeric[]) AS u
    ON CONFLICT (corp_code, fiscal_year, report_code, fs_div) DO UPDATE SET
      ticker = EXCLUDED.ticker, rcept_no = EXCLUDED.rcept_no, currency = EXCLUDED.currency,
      revenue = EXCLUDED.revenue, operating_income = EXCLUDED.operating_income, net_income = EXCLUDED.net_income,
      total_assets = EXCLUDED.total_assets, total_liabilities = EXCLUDED.total_liabilities, total_equity = EXCLUDED.total_equity,
      prev_revenue = EXCLUDED.prev_revenue, prev_net_income = EXCLUDED.prev_net_income,
      source = EXCLUDED.source, loaded_at = now()`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}
