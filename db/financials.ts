/**
 * DART company codes and financial statements (tables of migration 004). Writes are bulk
 * upserts on natural keys, so a retried or repeated load changes nothing it already wrote.
 */
import { sql } from 'kysely';
import { type CorpCode, listedCompanies } from '../sources/dart/corp-code';
import { type FsDiv, type MainAccountRow, normalizeAccountName } from '../sources/dart/financial-statements';
import { unnestTable } from './bulk-upsert';
import type { Db } from './database';
import type { Database } from './schema';

export async function upsertCorpCodes(db: Db, entries: readonly CorpCode[]): Promise<number> {
  // Listed companies only: the 100,000-odd unlisted ones are never scored.
  const listed = listedCompanies(entries);
  return db.transaction().execute(async (tx) => {
    // A ticker that moved to another company is released first, so the unique index holds.
    const moved = unnestTable('n', {
      stock_code: ['text', listed.map((e) => e.stockCode)],
      corp_code: ['text', listed.map((e) => e.corpCode)],
    });
    await tx
      .updateTable('dart_corp_code as d')
      .from(moved)
      .set({ stock_code: null, updated_at: (eb) => eb.fn<Date>('now') })
      .whereRef('d.stock_code', '=', 'n.stock_code')
      .whereRef('d.corp_code', '<>', 'n.corp_code')
      .execute();
    const incoming = unnestTable('u', {
      corp_code: ['text', listed.map((e) => e.corpCode)],
      corp_name: ['text', listed.map((e) => e.corpName)],
      stock_code: ['text', listed.map((e) => e.stockCode)],
      modify_date: ['date', listed.map((e) => e.modifyDate)],
    });
    const r = await tx
      .insertInto('dart_corp_code')
      .columns(['corp_code', 'corp_name', 'stock_code', 'modify_date'])
      .expression((eb) => eb.selectFrom(incoming).select(['u.corp_code', 'u.corp_name', 'u.stock_code', 'u.modify_date']))
      .onConflict((oc) =>
        oc
          .column('corp_code')
          .doUpdateSet({
            corp_name: (eb) => eb.ref('excluded.corp_name'),
            stock_code: (eb) => eb.ref('excluded.stock_code'),
            modify_date: (eb) => eb.ref('excluded.modify_date'),
            updated_at: (eb) => eb.fn<Date>('now'),
          })
          .where((eb) =>
            eb(
              eb.refTuple('dart_corp_code.corp_name', 'dart_corp_code.stock_code', 'dart_corp_code.modify_date'),
              'is distinct from',
              eb.refTuple('excluded.corp_name', 'excluded.stock_code', 'excluded.modify_date'),
            ),
          ),
      )
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0);
  });
}

/** The listed companies' corp codes, those of tickers in `stocks` first when that table has any. */
export async function listedCorpCodes(db: Db): Promise<string[]> {
  const rows = await db
    .selectFrom('dart_corp_code as c')
    .select('c.corp_code')
    .where('c.stock_code', 'is not', null)
    .where((eb) =>
      eb.or([
        eb.not(eb.exists(eb.selectFrom('stocks').select(eb.lit(1).as('one')))),
        eb.exists(eb.selectFrom('stocks as s').select(eb.lit(1).as('one')).whereRef('s.ticker', '=', 'c.stock_code').where('s.is_active', '=', true)),
      ]),
    )
    .orderBy('c.corp_code')
    .execute();
  return rows.map((x) => x.corp_code);
}

/** Companies already answered for this report: loaded, or without it since less than `noDataRecheckDays`. */
export async function answeredCorpCodes(db: Db, fiscalYear: number, reportCode: string, noDataRecheckDays: number): Promise<Set<string>> {
  const rows = await db
    .selectFrom('dart_report_ledger')
    .select('corp_code')
    .where('fiscal_year', '=', fiscalYear)
    .where('report_code', '=', reportCode)
    .where((eb) => eb.or([eb('status', '=', 'loaded'), eb('checked_at', '>', sql<Date>`now() - ${noDataRecheckDays} * interval '1 day'`)]))
    .execute();
  return new Set(rows.map((x) => x.corp_code));
}

export async function recordReportAnswers(db: Db, fiscalYear: number, reportCode: string, asked: readonly string[], loaded: ReadonlySet<string>): Promise<void> {
  const answers = unnestTable('a', {
    corp_code: ['text', asked],
    status: ['text', asked.map((c): Database['dart_report_ledger']['status'] => (loaded.has(c) ? 'loaded' : 'no-data'))],
  });
  await db
    .insertInto('dart_report_ledger')
    .columns(['corp_code', 'fiscal_year', 'report_code', 'status'])
    .expression((eb) => eb.selectFrom(answers).select((eb) => ['a.corp_code', eb.val(fiscalYear).as('fiscal_year'), eb.val(reportCode).as('report_code'), 'a.status']))
    .onConflict((oc) =>
      oc.columns(['corp_code', 'fiscal_year', 'report_code']).doUpdateSet({ status: (eb) => eb.ref('excluded.status'), checked_at: (eb) => eb.fn<Date>('now') }),
    )
    .execute();
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
  const u = unnestTable('u', {
    corp_code: ['text', col('corp_code')], ticker: ['text', col('ticker')], fiscal_year: ['integer', col('fiscal_year')],
    report_code: ['text', col('report_code')], fs_div: ['text', col('fs_div')], rcept_no: ['text', col('rcept_no')], currency: ['text', col('currency')],
    revenue: ['numeric', col('revenue')], operating_income: ['numeric', col('operating_income')], net_income: ['numeric', col('net_income')],
    total_assets: ['numeric', col('total_assets')], total_liabilities: ['numeric', col('total_liabilities')], total_equity: ['numeric', col('total_equity')],
    prev_revenue: ['numeric', col('prev_revenue')], prev_net_income: ['numeric', col('prev_net_income')],
  });
  const r = await db
    .insertInto('financial_statement')
    .columns([
      'corp_code', 'ticker', 'fiscal_year', 'report_code', 'fs_div', 'rcept_no', 'currency', 'revenue', 'operating_income', 'net_income',
      'total_assets', 'total_liabilities', 'total_equity', 'prev_revenue', 'prev_net_income', 'source',
    ])
    .expression((eb) =>
      eb.selectFrom(u).select((eb) => [
        'u.corp_code', 'u.ticker', 'u.fiscal_year', 'u.report_code', 'u.fs_div', 'u.rcept_no', 'u.currency', 'u.revenue', 'u.operating_income',
        'u.net_income', 'u.total_assets', 'u.total_liabilities', 'u.total_equity', 'u.prev_revenue', 'u.prev_net_income', eb.val(source).as('source'),
      ]),
    )
    .onConflict((oc) =>
      oc.columns(['corp_code', 'fiscal_year', 'report_code', 'fs_div']).doUpdateSet({
        ticker: (eb) => eb.ref('excluded.ticker'), rcept_no: (eb) => eb.ref('excluded.rcept_no'), currency: (eb) => eb.ref('excluded.currency'),
        revenue: (eb) => eb.ref('excluded.revenue'), operating_income: (eb) => eb.ref('excluded.operating_income'), net_income: (eb) => eb.ref('excluded.net_income'),
        total_assets: (eb) => eb.ref('excluded.total_assets'), total_liabilities: (eb) => eb.ref('excluded.total_liabilities'), total_equity: (eb) => eb.ref('excluded.total_equity'),
        prev_revenue: (eb) => eb.ref('excluded.prev_revenue'), prev_net_income: (eb) => eb.ref('excluded.prev_net_income'),
        source: (eb) => eb.ref('excluded.source'), loaded_at: (eb) => eb.fn<Date>('now'),
      }),
    )
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0);
}
