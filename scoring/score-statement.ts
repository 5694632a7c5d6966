/**
 * The one SQL statement behind every Compass Score write: it ranks the whole market on the
 * score date and writes either every stock or, for an on-demand recompute, one of them. Both
 * go through the same ranks, so a recomputed ticker gets exactly the score the batch gives it.
 * README.md "Compass Score" states these formulas; keep the two in step.
 */
import { type Kysely, sql } from 'kysely';
import type { IsoDate } from '../calendar/trading-calendar';
import type { RawStatementColumns } from '../db/bulk-upsert';
import type { Database } from '../db/schema';

/** Rows of history a stock needs before its technical and risk axes are scored. */
export const MIN_HISTORY_ROWS = 61;
const LOOKBACK_ROWS = 253;
/** DART's report code of the annual business report. */
export const ANNUAL_REPORT = '11011';
/** Statements older than this many fiscal years before the score date's year are stale. */
const MAX_STATEMENT_AGE_YEARS = 2;

export interface AxisCounts {
  financial: number;
  valuation: number;
  technical: number;
  risk: number;
}

export interface StatementOutcome {
  /** Stocks written (the whole universe, or the one ticker). */
  written: number;
  scored: number;
  insufficientHistory: number;
  /** Written stocks that got each axis. */
  axes: AxisCounts;
  failReasons: Record<string, number>;
  /** The market the ranks were taken over: stocks priced on the score date, and those with each axis. */
  marketUniverse: number;
  basis: AxisCounts;
}

interface OutcomeRow {
  written: string; scored: string; insufficient: string;
  ax_financial: string; ax_valuation: string; ax_technical: string; ax_risk: string;
  fail_reasons: Record<string, string | number> | null;
  market: string; b_financial: string; b_valuation: string; b_technical: string; b_risk: string;
}

/** Enough for the one sort of ~750,000 price rows to stay in memory (on disk it takes twice as long). */
const SORT_MEMORY = '96MB';

/**
 * The columns the statement names in its SQL text, so that the compiler checks them against the
 * schema: keep this in step with the statement.
 */
export type ScoreStatementColumns = RawStatementColumns<{
  stock_price_daily: 'ticker' | 'trade_date' | 'close_price' | 'listed_shares';
  stocks: 'ticker' | 'listed_shares';
  financial_statement: 'ticker' | 'corp_code' | 'fiscal_year' | 'fs_div' | 'report_code' | 'rcept_no' | 'revenue' | 'operating_income'
    | 'net_income' | 'total_liabilities' | 'total_equity' | 'prev_revenue';
  dart_corp_code: 'corp_code' | 'stock_code';
  compass_score_daily: 'ticker' | 'score_date' | 'financial_score' | 'valuation_score' | 'technical_score' | 'risk_score'
    | 'total_score' | 'axis_count' | 'fail_reason' | 'computed_at';
}>;

/** Runs inside the caller's transaction (SET LOCAL ends with it). */
export async function runScoreStatement(db: Kysely<Database>, scoreDate: IsoDate, minAxes: number, onlyTicker: string | null): Promise<StatementOutcome> {
  // A setting, not a query on a table: raw.
  await sql`SELECT set_config('work_mem', ${SORT_MEMORY}, true)`.execute(db);
  // Kept raw for speed: one statement of window functions and CTEs ranks the market in about
  // 1.5 s (`npm run bench -- score`); its columns are declared in ScoreStatementColumns above.
  const r = await sql<OutcomeRow>`
    WITH universe AS (
      SELECT p.ticker, p.close_price::float8 AS close0,
             nullif(coalesce(p.listed_shares, s.listed_shares), 0)::float8 AS shares
        FROM stock_price_daily p LEFT JOIN stocks s USING (ticker)
       WHERE p.trade_date = ${scoreDate}::date AND p.close_price > 0
    ),
    -- Every window below runs in (ticker, trade_date) order, so the rows are sorted once; rn
    -- counts back from the score date (1 = the score date). Stocks outside the universe (no
    -- price on the score date) are dropped after the aggregation, which is cheaper than a join
    -- of every row before it.
    hist AS (
      SELECT p.ticker, p.trade_date, p.close_price::float8 AS close,
             count(*) OVER all_rows - row_number() OVER all_rows + 1 AS rn
        FROM stock_price_daily p
       WHERE p.trade_date <= ${scoreDate}::date
         AND p.trade_date > ${scoreDate}::date - 400
         AND p.close_price > 0
      -- One window clause for both, so PostgreSQL computes them in a single pass.
      WINDOW all_rows AS (PARTITION BY p.ticker ORDER BY p.trade_date ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
    ),
    recent AS (
      SELECT h.*,
             ln(h.close / lag(h.close) OVER w) AS log_ret,
             -- w's default frame ends at the current row (dates are unique per ticker): a running peak.
             h.close / max(h.close) OVER w - 1 AS drawdown
        FROM hist h
       WHERE h.rn <= ${LOOKBACK_ROWS}
      WINDOW w AS (PARTITION BY h.ticker ORDER BY h.trade_date)
    ),
    price_features AS (
      SELECT ticker,
             count(*)                                     AS n,
             max(close) FILTER (WHERE rn = 1)             AS c0,
             max(close) FILTER (WHERE rn = 21)            AS c20,
             max(close) FILTER (WHERE rn = 61)            AS c60,
             avg(close) FILTER (WHERE rn <= 60)           AS ma60,
             stddev_samp(log_ret) FILTER (WHERE rn <= 60) AS vol60,
             -min(drawdown)                               AS mdd_depth
        FROM recent GROUP BY ticker
       HAVING max(trade_date) = ${scoreDate}::date
    ),
    price_metrics AS (
      SELECT ticker, c0 / c20 - 1 AS r20, c0 / c60 - 1 AS r60, c0 / ma60 - 1 AS trend, vol60, mdd_depth
        FROM price_features WHERE n >= ${MIN_HISTORY_ROWS}
    ),
    price_ranked AS (
      SELECT ticker,
             percent_rank() OVER (ORDER BY r20)       AS p_r20,
             percent_rank() OVER (ORDER BY r60)       AS p_r60,
             percent_rank() OVER (ORDER BY trend)     AS p_trend,
             percent_rank() OVER (ORDER BY vol60)     AS p_vol,
             percent_rank() OVER (ORDER BY mdd_depth) AS p_mdd
        FROM price_metrics
    ),
    -- The annual report that was public on the score date: filed on or before it (the receipt
    -- number starts with the filing date; without one, the legal deadline of 31 March is
    -- assumed), newest fiscal year first, consolidated (CFS) before separate (OFS).
    statement AS (
      SELECT DISTINCT ON (t.ticker) t.ticker, f.fiscal_year, f.fs_div,
             f.revenue::float8 AS revenue, f.operating_income::float8 AS operating_income,
             f.net_income::float8 AS net_income, f.total_liabilities::float8 AS total_liabilities,
             f.total_equity::float8 AS total_equity, f.prev_revenue::float8 AS prev_revenue
        FROM financial_statement f
        LEFT JOIN dart_corp_code dc ON dc.corp_code = f.corp_code
        CROSS JOIN LATERAL (SELECT coalesce(f.ticker, dc.stock_code) AS ticker) t
        JOIN universe u ON u.ticker = t.ticker
       WHERE f.report_code = ${ANNUAL_REPORT}
         AND f.fiscal_year BETWEEN extract(year FROM ${scoreDate}::date)::int - ${MAX_STATEMENT_AGE_YEARS}
                               AND extract(year FROM ${scoreDate}::date)::int - 1
         AND CASE WHEN f.rcept_no ~ '^[0-9]{8}' THEN left(f.rcept_no, 8) <= to_char(${scoreDate}::date, 'YYYYMMDD')
                  ELSE make_date(f.fiscal_year + 1, 3, 31) <= ${scoreDate}::date END
       ORDER BY t.ticker, f.fiscal_year DESC, (f.fs_div = 'CFS') DESC
    ),
    fundamentals AS (
      SELECT st.ticker,
             st.total_equity <= 0                                                     AS impaired,
             st.net_income <= 0                                                       AS loss,
             CASE WHEN st.total_equity > 0 THEN st.net_income / st.total_equity END   AS roe,
             CASE WHEN st.revenue > 0 THEN st.operating_income / st.revenue END        AS op_margin,
             CASE WHEN st.total_equity > 0 THEN st.total_liabilities / st.total_equity END AS debt_ratio,
             CASE WHEN st.prev_revenue > 0 THEN st.revenue / st.prev_revenue - 1 END   AS growth,
             CASE WHEN st.net_income > 0 THEN u.close0 * u.shares / st.net_income END  AS per,
             CASE WHEN st.total_equity > 0 THEN u.close0 * u.shares / st.total_equity END AS pbr,
             u.shares IS NOT NULL                                                     AS has_shares
        FROM statement st JOIN universe u USING (ticker)
    ),
    -- Ranks only among the stocks that have the metric (NULLs would otherwise rank too).
    fundamentals_ranked AS (
      SELECT f.*,
             CASE WHEN roe IS NOT NULL THEN percent_rank() OVER (PARTITION BY roe IS NULL ORDER BY roe) END               AS p_roe,
             CASE WHEN op_margin IS NOT NULL THEN percent_rank() OVER (PARTITION BY op_margin IS NULL ORDER BY op_margin) END AS p_margin,
             CASE WHEN debt_ratio IS NOT NULL THEN percent_rank() OVER (PARTITION BY debt_ratio IS NULL ORDER BY debt_ratio) END AS p_debt,
             CASE WHEN growth IS NOT NULL THEN percent_rank() OVER (PARTITION BY growth IS NULL ORDER BY growth) END       AS p_growth,
             CASE WHEN per IS NOT NULL AND has_shares THEN percent_rank() OVER (PARTITION BY per IS NULL OR NOT has_shares ORDER BY per) END AS p_per,
             CASE WHEN pbr IS NOT NULL AND has_shares THEN percent_rank() OVER (PARTITION BY pbr IS NULL OR NOT has_shares ORDER BY pbr) END AS p_pbr
        FROM fundamentals f
    ),
    -- Components in 0..1, higher = better; an impaired company (equity ≤ 0) or a loss-maker
    -- scores 0 on the components its sign makes meaningless instead of being left out.
    components AS (
      SELECT ticker, has_shares,
             CASE WHEN impaired THEN 0 ELSE p_roe END        AS c_roe,
             p_margin                                        AS c_margin,
             CASE WHEN impaired THEN 0 ELSE 1 - p_debt END   AS c_debt,
             p_growth                                        AS c_growth,
             CASE WHEN NOT has_shares THEN NULL WHEN loss THEN 0 ELSE 1 - p_per END      AS c_per,
             CASE WHEN NOT has_shares THEN NULL WHEN impaired THEN 0 ELSE 1 - p_pbr END  AS c_pbr
        FROM fundamentals_ranked
    ),
    axes AS (
      SELECT u.ticker, u.shares IS NOT NULL AS has_shares, c.ticker IS NOT NULL AS has_statement,
             round((100 * (pr.p_r20 + pr.p_r60 + pr.p_trend) / 3)::numeric, 2)      AS technical,
             round((100 * ((1 - pr.p_vol) + (1 - pr.p_mdd)) / 2)::numeric, 2)       AS risk,
             CASE WHEN num_nonnulls(c.c_roe, c.c_margin, c.c_debt, c.c_growth) >= 2 THEN
               round((100 * (coalesce(c.c_roe, 0) + coalesce(c.c_margin, 0) + coalesce(c.c_debt, 0) + coalesce(c.c_growth, 0))
                      / num_nonnulls(c.c_roe, c.c_margin, c.c_debt, c.c_growth))::numeric, 2) END AS financial,
             CASE WHEN num_nonnulls(c.c_per, c.c_pbr) >= 1 THEN
               round((100 * (coalesce(c.c_per, 0) + coalesce(c.c_pbr, 0)) / num_nonnulls(c.c_per, c.c_pbr))::numeric, 2) END AS valuation
        FROM universe u
        LEFT JOIN price_ranked pr USING (ticker)
        LEFT JOIN components c USING (ticker)
    ),
    scores AS (
      SELECT a.*, num_nonnulls(financial, valuation, technical, risk) AS axis_count,
             CASE WHEN num_nonnulls(financial, valuation, technical, risk) >= ${minAxes} THEN
               round((coalesce(financial, 0) + coalesce(valuation, 0) + coalesce(technical, 0) + coalesce(risk, 0))
                     / num_nonnulls(financial, valuation, technical, risk), 2) END AS total
        FROM axes a
    ),
    written AS (
      INSERT INTO compass_score_daily AS d (ticker, score_date, financial_score, valuation_score, technical_score, risk_score,
                                            total_score, axis_count, fail_reason, computed_at)
      SELECT ticker, ${scoreDate}::date, financial, valuation, technical, risk, total, axis_count,
             CASE WHEN total IS NULL THEN nullif(concat_ws('+',
               CASE WHEN technical IS NULL THEN 'insufficient-history' END,
               CASE WHEN NOT has_statement THEN 'no-statements' WHEN financial IS NULL THEN 'incomplete-statements' END,
               CASE WHEN has_statement AND valuation IS NULL THEN
                 CASE WHEN NOT has_shares THEN 'no-listed-shares' ELSE 'no-valuation-inputs' END END), '') END,
             now()
        FROM scores
       WHERE ${onlyTicker}::text IS NULL OR ticker = ${onlyTicker}::text
      ON CONFLICT (ticker, score_date) DO UPDATE SET
        financial_score = excluded.financial_score, valuation_score = excluded.valuation_score,
        technical_score = excluded.technical_score, risk_score = excluded.risk_score,
        total_score = excluded.total_score, axis_count = excluded.axis_count, fail_reason = excluded.fail_reason,
        computed_at = excluded.computed_at
      RETURNING financial_score, valuation_score, technical_score, risk_score, total_score, fail_reason
    )
    SELECT (SELECT count(*) FROM written)                           AS written,
           (SELECT count(total_score) FROM written)                 AS scored,
           (SELECT count(*) FROM written WHERE technical_score IS NULL) AS insufficient,
           (SELECT count(financial_score) FROM written)             AS ax_financial,
           (SELECT count(valuation_score) FROM written)             AS ax_valuation,
           (SELECT count(technical_score) FROM written)             AS ax_technical,
           (SELECT count(risk_score) FROM written)                  AS ax_risk,
           (SELECT jsonb_object_agg(fail_reason, n)
              FROM (SELECT fail_reason, count(*) AS n FROM written WHERE fail_reason IS NOT NULL GROUP BY 1) x) AS fail_reasons,
           (SELECT count(*) FROM scores)                            AS market,
           (SELECT count(financial) FROM scores)                    AS b_financial,
           (SELECT count(valuation) FROM scores)                    AS b_valuation,
           (SELECT count(technical) FROM scores)                    AS b_technical,
           (SELECT count(risk) FROM scores)                         AS b_risk`.execute(db);
  const row = r.rows[0]!;
  const n = (v: string | number) => Number(v);
  return {
    written: n(row.written),
    scored: n(row.scored),
    insufficientHistory: n(row.insufficient),
    axes: { financial: n(row.ax_financial), valuation: n(row.ax_valuation), technical: n(row.ax_technical), risk: n(row.ax_risk) },
    failReasons: Object.fromEntries(Object.entries(row.fail_reasons ?? {}).map(([k, v]) => [k, n(v)])),
    marketUniverse: n(row.market),
    basis: { financial: n(row.b_financial), valuation: n(row.b_valuation), technical: n(row.b_technical), risk: n(row.b_risk) },
  };
}
