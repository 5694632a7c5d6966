import { type Kysely, sql } from 'kysely';

/**
 * Tables of the daily collection chain (seed 001): stocks with their Compass columns, the
 * daily prices, the partition ledger, the per-day score history, the run log, and the
 * materialized views that depend on prices.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE stocks (
      ticker                  text PRIMARY KEY,
      name                    text NOT NULL,
      market                  text NOT NULL,
      isin                    text,
      is_active               boolean NOT NULL DEFAULT true,
      listed_shares           bigint,
      last_trade_date         date,
      compass_score           numeric(5,2),
      compass_financial_score numeric(5,2),
      compass_valuation_score numeric(5,2),
      compass_technical_score numeric(5,2),
      compass_risk_score      numeric(5,2),
      compass_score_date      date,
      compass_updated_at      timestamptz,
      created_at              timestamptz NOT NULL DEFAULT now(),
      updated_at              timestamptz NOT NULL DEFAULT now()
    )`.execute(db);

  await sql`
    CREATE TABLE stock_price_daily (
      ticker        text   NOT NULL,
      trade_date    date   NOT NULL,
      market        text   NOT NULL,
      open_price    bigint NOT NULL,
      high_price    bigint NOT NULL,
      low_price     bigint NOT NULL,
      close_price   bigint NOT NULL,
      change_amount bigint NOT NULL,
      change_rate   numeric(8,2),
      volume        bigint NOT NULL,
      trading_value bigint NOT NULL,
      market_cap    bigint,
      listed_shares bigint,
      source        text   NOT NULL,
      loaded_at     timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (ticker, trade_date)
    )`.execute(db);
  await sql`CREATE INDEX stock_price_daily_trade_date_idx ON stock_price_daily (trade_date)`.execute(db);

  await sql`
    CREATE TABLE price_load_ledger (
      source      text NOT NULL,
      trade_date  date NOT NULL,
      status      text NOT NULL CHECK (status IN ('loaded', 'no-data', 'failed')),
      row_count   integer NOT NULL DEFAULT 0,
      attempts    integer NOT NULL DEFAULT 1,
      workflow_id text,
      error       text,
      updated_at  timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (source, trade_date)
    )`.execute(db);

  await sql`
    CREATE TABLE compass_score_daily (
      ticker          text NOT NULL,
      score_date      date NOT NULL,
      technical_score numeric(5,2),
      risk_score      numeric(5,2),
      financial_score numeric(5,2),
      valuation_score numeric(5,2),
      total_score     numeric(5,2),
      computed_at     timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (ticker, score_date)
    )`.execute(db);

  await sql`
    CREATE TABLE data_collection_log (
      id           bigserial PRIMARY KEY,
      workflow_id  text NOT NULL,
      run_id       text NOT NULL,
      chain        text NOT NULL,
      step         text NOT NULL,
      trading_date date,
      status       text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'skipped')),
      attempt      integer NOT NULL DEFAULT 1,
      started_at   timestamptz NOT NULL DEFAULT now(),
      finished_at  timestamptz,
      rows_in      integer,
      rows_written integer,
      error        text,
      details      jsonb,
      UNIQUE (workflow_id, run_id, step)
    )`.execute(db);
  await sql`CREATE INDEX data_collection_log_chain_idx ON data_collection_log (chain, started_at DESC)`.execute(db);

  // Both views carry a unique index, which REFRESH MATERIALIZED VIEW CONCURRENTLY requires.
  await sql`
    CREATE MATERIALIZED VIEW mv_market_daily_summary AS
    SELECT trade_date,
           market,
           count(*)                                     AS listed,
           count(*) FILTER (WHERE change_amount > 0)    AS advancers,
           count(*) FILTER (WHERE change_amount < 0)    AS decliners,
           count(*) FILTER (WHERE change_amount = 0)    AS unchanged,
           count(*) FILTER (WHERE volume = 0)           AS halted,
           sum(trading_value)                           AS trading_value,
           sum(market_cap)                              AS market_cap
      FROM stock_price_daily
     GROUP BY trade_date, market`.execute(db);
  await sql`CREATE UNIQUE INDEX mv_market_daily_summary_key ON mv_market_daily_summary (trade_date, market)`.execute(db);

  await sql`
    CREATE MATERIALIZED VIEW mv_stock_price_52w AS
    SELECT p.ticker,
           max(p.trade_date)  AS last_trade_date,
           max(p.high_price)  AS high_52w,
           min(p.low_price) FILTER (WHERE p.low_price > 0) AS low_52w
      FROM stock_price_daily p
     WHERE p.trade_date > (SELECT coalesce(max(trade_date), current_date) FROM stock_price_daily) - 365
     GROUP BY p.ticker`.execute(db);
  await sql`CREATE UNIQUE INDEX mv_stock_price_52w_key ON mv_stock_price_52w (ticker)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP MATERIALIZED VIEW IF EXISTS mv_stock_price_52w`.execute(db);
  await sql`DROP MATERIALIZED VIEW IF EXISTS mv_market_daily_summary`.execute(db);
  for (const t of ['data_collection_log', 'compass_score_daily', 'price_load_ledger', 'stock_price_daily', 'stocks']) {
    await sql`DROP TABLE IF EXISTS ${sql.table(t)}`.execute(db);
  }
}
