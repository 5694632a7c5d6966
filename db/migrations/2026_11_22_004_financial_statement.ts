import { type Kysely, sql } from 'kysely';

/**
 * DART's company codes and the main accounts of each company's periodic reports (seed 001
 * sources 5: `financial_statement`). One row per company, fiscal year, report and statement
 * basis (CFS consolidated, OFS separate); the Compass Score's financial and valuation axes
 * read the columns, so the few accounts they need are pivoted out of DART's long rows.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE dart_corp_code (
      corp_code   text PRIMARY KEY,
      corp_name   text NOT NULL,
      stock_code  text,
      modify_date date,
      updated_at  timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX dart_corp_code_stock ON dart_corp_code (stock_code) WHERE stock_code IS NOT NULL`.execute(db);

  await sql`
    CREATE TABLE financial_statement (
      corp_code          text    NOT NULL,
      ticker             text,
      fiscal_year        integer NOT NULL,
      report_code        text    NOT NULL,
      fs_div             text    NOT NULL CHECK (fs_div IN ('CFS', 'OFS')),
      rcept_no           text    NOT NULL,
      currency           text,
      revenue            numeric,
      operating_income   numeric,
      net_income         numeric,
      total_assets       numeric,
      total_liabilities  numeric,
      total_equity       numeric,
      prev_revenue       numeric,
      prev_net_income    numeric,
      source             text    NOT NULL,
      loaded_at          timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (corp_code, fiscal_year, report_code, fs_div)
    )`.execute(db);
  await sql`CREATE INDEX financial_statement_ticker ON financial_statement (ticker, fiscal_year)`.execute(db);

  // Which company was asked for which report, and what came back: a rerun skips what was
  // answered, and a company without the report yet is asked again only after a while.
  await sql`
    CREATE TABLE dart_report_ledger (
      corp_code   text    NOT NULL,
      fiscal_year integer NOT NULL,
      report_code text    NOT NULL,
      status      text    NOT NULL CHECK (status IN ('loaded', 'no-data')),
      checked_at  timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (corp_code, fiscal_year, report_code)
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS dart_report_ledger`.execute(db);
  await sql`DROP TABLE IF EXISTS financial_statement`.execute(db);
  await sql`DROP TABLE IF EXISTS dart_corp_code`.execute(db);
}
