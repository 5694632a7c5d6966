import { type Kysely, sql } from 'kysely';

/**
 * Tables of the weekly and monthly chains (seed 001 Part 1.1 rows 1–3, 6–15): the KRX listing
 * snapshot per trade date, the stock master's new columns (DART corp_code, FSC crno, 소속부,
 * listing date), ETFs, bonds, the six finlife product types with their options, dividends from
 * DART and the FSC, and DART major events. Every table has the natural key its loader upserts on.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE fdr_stock_listing (
      trade_date     date    NOT NULL,
      ticker         text    NOT NULL,
      isin           text,
      name           text    NOT NULL,
      market         text    NOT NULL CHECK (market IN ('KOSPI', 'KOSDAQ', 'KONEX')),
      market_name    text,
      dept           text,
      listed_date    date,
      close_price    bigint,
      change_amount  bigint,
      change_rate    numeric(8,2),
      open_price     bigint,
      high_price     bigint,
      low_price      bigint,
      volume         bigint,
      trading_value  bigint,
      market_cap     bigint,
      listed_shares  bigint,
      source         text    NOT NULL,
      loaded_at      timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (trade_date, ticker)
    )`.execute(db);

  await sql`
    ALTER TABLE stocks
      ADD COLUMN corp_code        text,
      ADD COLUMN crno             text,
      ADD COLUMN dept             text,
      ADD COLUMN listed_date      date,
      ADD COLUMN listing_date     date,
      ADD COLUMN crno_checked_at  timestamptz`.execute(db);
  await sql`CREATE INDEX stocks_corp_code ON stocks (corp_code)`.execute(db);

  await sql`
    CREATE TABLE etfs (
      ticker         text PRIMARY KEY,
      isin           text,
      name           text    NOT NULL,
      trade_date     date    NOT NULL,
      close_price    bigint  NOT NULL,
      nav            numeric(14,2),
      market_cap     bigint,
      net_assets     bigint,
      listed_shares  bigint,
      volume         bigint,
      trading_value  bigint,
      index_name     text,
      index_close    numeric(14,2),
      is_active      boolean NOT NULL DEFAULT true,
      source         text    NOT NULL,
      updated_at     timestamptz NOT NULL DEFAULT now()
    )`.execute(db);

  // One row per bond, its latest basDt: the table is a master, not a history (README).
  await sql`
    CREATE TABLE bonds (
      isin_cd          text PRIMARY KEY,
      bas_dt           date NOT NULL,
      isin_cd_nm       text,
      crno             text,
      bond_isur_nm     text,
      scrs_itms_kcd_nm text,
      bond_issu_dt     date,
      bond_expr_dt     date,
      bond_issu_amt    numeric,
      bond_bal         numeric,
      bond_srfc_inrt   numeric,
      bond_int_tcd_nm  text,
      grn_dcd_nm       text,
      bond_rnkn_dcd_nm text,
      kis_rating       text,
      kbp_rating       text,
      nice_rating      text,
      fn_rating        text,
      lstg_dt          date,
      bond_issu_cur    text,
      raw              jsonb NOT NULL,
      updated_at       timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX bonds_crno ON bonds (crno)`.execute(db);

  await sql`
    CREATE TABLE finlife_product (
      product_type     text NOT NULL,
      fin_co_no        text NOT NULL,
      fin_prdt_cd      text NOT NULL,
      crdt_prdt_type   text NOT NULL DEFAULT '',
      top_fin_grp_no   text NOT NULL,
      dcls_month       text,
      kor_co_nm        text,
      fin_prdt_nm      text,
      join_way         text,
      dcls_strt_day    text,
      dcls_end_day     text,
      fin_co_subm_day  text,
      raw              jsonb NOT NULL,
      active           boolean NOT NULL DEFAULT true,
      first_seen_at    timestamptz NOT NULL DEFAULT now(),
      last_seen_at     timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (product_type, fin_co_no, fin_prdt_cd, crdt_prdt_type)
    )`.execute(db);

  // option_key: the option's own key columns of its type, joined with '|' (db/products.ts).
  await sql`
    CREATE TABLE finlife_product_option (
      product_type   text NOT NULL,
      fin_co_no      text NOT NULL,
      fin_prdt_cd    text NOT NULL,
      crdt_prdt_type text NOT NULL DEFAULT '',
      option_key     text NOT NULL,
      intr_rate      numeric,
      intr_rate2     numeric,
      save_trm       integer,
      lend_rate_min  numeric,
      lend_rate_max  numeric,
      lend_rate_avg  numeric,
      raw            jsonb NOT NULL,
      updated_at     timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (product_type, fin_co_no, fin_prdt_cd, crdt_prdt_type, option_key),
      FOREIGN KEY (product_type, fin_co_no, fin_prdt_cd, crdt_prdt_type) REFERENCES finlife_product ON DELETE CASCADE
    )`.execute(db);

  // The seed's table names (Part 1.1, Part 4.2 monthly checks), as views over the live products.
  const views: Record<string, string> = {
    deposit_products: 'deposit',
    savings_products: 'saving',
    annuity_savings_products: 'annuitySaving',
    mortgage_loan_products: 'mortgageLoan',
    rent_house_loan_products: 'rentHouseLoan',
    credit_loan_products: 'creditLoan',
  };
  for (const [view, type] of Object.entries(views)) {
    await sql`CREATE VIEW ${sql.table(view)} AS SELECT * FROM finlife_product WHERE product_type = ${sql.lit(type)} AND active`.execute(db);
  }

  // DART rows: one per company, fiscal year and share class (annual report, alotMatter).
  // FSC rows: one per ISIN, record date (배당기준일) and dividend kind (getDiviInfo_V2).
  await sql`
    CREATE TABLE dividend_history (
      source          text NOT NULL CHECK (source IN ('dart', 'fsc')),
      corp_code       text,
      crno            text,
      ticker          text,
      isin            text,
      company_name    text,
      fiscal_year     integer,
      record_date     date,
      share_kind      text NOT NULL DEFAULT '',
      dividend_kind   text NOT NULL DEFAULT '',
      cash_dps        numeric,
      stock_dps       numeric,
      cash_yield      numeric,
      stock_yield     numeric,
      payout_ratio    numeric,
      cash_total_mn   numeric,
      par_value       numeric,
      pay_date        date,
      rcept_no        text,
      raw             jsonb NOT NULL,
      loaded_at       timestamptz NOT NULL DEFAULT now(),
      CHECK (source <> 'dart' OR (corp_code IS NOT NULL AND fiscal_year IS NOT NULL)),
      CHECK (source <> 'fsc' OR (isin IS NOT NULL AND record_date IS NOT NULL))
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX dividend_history_dart_key ON dividend_history (corp_code, fiscal_year, share_kind) WHERE source = 'dart'`.execute(db);
  await sql`CREATE UNIQUE INDEX dividend_history_fsc_key ON dividend_history (isin, record_date, dividend_kind) WHERE source = 'fsc'`.execute(db);
  await sql`CREATE INDEX dividend_history_ticker ON dividend_history (ticker)`.execute(db);

  await sql`
    CREATE TABLE corporate_actions (
      rcept_no              text NOT NULL,
      kind                  text NOT NULL,
      kind_name             text NOT NULL,
      corp_code             text NOT NULL,
      corp_name             text,
      corp_cls              text,
      filed_on              date,
      new_shares_common     numeric,
      new_shares_other      numeric,
      par_value             numeric,
      shares_before_common  numeric,
      shares_before_other   numeric,
      issue_method          text,
      record_date           date,
      new_shares_per_share  numeric,
      new_listing_date      date,
      board_date            date,
      raw                   jsonb NOT NULL,
      loaded_at             timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (rcept_no, kind)
    )`.execute(db);
  await sql`CREATE INDEX corporate_actions_corp ON corporate_actions (corp_code, filed_on)`.execute(db);

  // Companies whose every major-event kind was asked for a filing range: a rerun, or the run
  // after a quota wait, skips them.
  await sql`
    CREATE TABLE corporate_action_ledger (
      corp_code  text NOT NULL,
      from_date  date NOT NULL,
      to_date    date NOT NULL,
      kinds      text NOT NULL,
      rows       integer NOT NULL,
      checked_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (corp_code, from_date, to_date, kinds)
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const v of ['deposit_products', 'savings_products', 'annuity_savings_products', 'mortgage_loan_products', 'rent_house_loan_products', 'credit_loan_products']) {
    await sql`DROP VIEW IF EXISTS ${sql.table(v)}`.execute(db);
  }
  for (const t of ['corporate_action_ledger', 'corporate_actions', 'dividend_history', 'finlife_product_option', 'finlife_product', 'bonds', 'etfs', 'fdr_stock_listing']) {
    await sql`DROP TABLE IF EXISTS ${sql.table(t)}`.execute(db);
  }
  await sql`DROP INDEX IF EXISTS stocks_corp_code`.execute(db);
  await sql`
    ALTER TABLE stocks DROP COLUMN IF EXISTS corp_code, DROP COLUMN IF EXISTS crno, DROP COLUMN IF EXISTS dept,
      DROP COLUMN IF EXISTS listed_date, DROP COLUMN IF EXISTS listing_date, DROP COLUMN IF EXISTS crno_checked_at`.execute(db);
}
