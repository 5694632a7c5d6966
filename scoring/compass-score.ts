/**
 * The Compass Score, computed for the whole market as one set in SQL (never a query per
 * stock). This is the price-based half of the four-axis engine: technical and risk. The
 * formulas are written out in README.md ("Compass Score"); keep the two in step.
 */
import { sql } from 'kysely';
import type { IsoDate } from '../calendar/trading-calendar';
import type { Db } from '../db/database';

/** Rows of history a stock needs before its technical and risk axes are scored. */
export const MIN_HISTORY_ROWS = 61;
const LOOKBACK_ROWS = 253;

export interface ScoreRunResult {
  scoreDate: IsoDate;
  universe: number;
  scored: number;
  insufficientHistory: number;
}

export async function computeMarketScores(db: Db, scoreDate: IsoDate): Promise<ScoreRunResult> {
  return db.transaction().execute(async (trx) => {
    const inserted = await sql<{ universe: string; scored: string }>`
      WITH universe AS (
        SELECT ticker FROM stock_price_daily WHERE trade_date = ${scoreDate}::date AND close_price > 0
      ),
      hist AS (
        SELECT p.ticker, p.trade_date, p.close_price::float8 AS close,
               row_number() OVER (PARTITION BY p.ticker ORDER BY p.trade_date DESC) AS rn
          FROM stock_price_daily p JOIN universe u USING (ticker)
         WHERE p.trade_date <= ${scoreDate}::date
           AND p.trade_date > ${scoreDate}::date - 400
           AND p.close_price > 0
      ),
      recent AS (
        SELECT h.*,
               ln(h.close / lead(h.close) OVER w)                        AS log_ret,
               h.close / max(h.close) OVER (PARTITION BY h.ticker ORDER BY h.trade_date
                                             ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) - 1 AS drawdown
          FROM hist h
         WHERE h.rn <= ${LOOKBACK_ROWS}
        WINDOW w AS (PARTITION BY h.ticker ORDER BY h.rn)
      ),
      features AS (
        SELECT ticker,
               count(*)                                        AS n,
               max(close) FILTER (WHERE rn = 1)                AS c0,
               max(close) FILTER (WHERE rn = 21)               AS c20,
               max(close) FILTER (WHERE rn = 61)               AS c60,
               avg(close) FILTER (WHERE rn <= 60)              AS ma60,
               stddev_samp(log_ret) FILTER (WHERE rn <= 60)    AS vol60,
               -min(drawdown)                                  AS mdd_depth
          FROM recent GROUP BY ticker
      ),
      eligible AS (
        SELECT ticker, c0 / c20 - 1 AS r20, c0 / c60 - 1 AS r60, c0 / ma60 - 1 AS trend, vol60, mdd_depth
          FROM features WHERE n >= ${MIN_HISTORY_ROWS}
      ),
      ranked AS (
        SELECT ticker,
               percent_rank() OVER (ORDER BY r20)       AS p_r20,
               percent_rank() OVER (ORDER BY r60)       AS p_r60,
               percent_rank() OVER (ORDER BY trend)     AS p_trend,
               percent_rank() OVER (ORDER BY vol60)     AS p_vol,
               percent_rank() OVER (ORDER BY mdd_depth) AS p_mdd
          FROM eligible
      ),
      scores AS (
        SELECT u.ticker,
               round((100 * (r.p_r20 + r.p_r60 + r.p_trend) / 3)::numeric, 2)        AS technical,
               round((100 * ((1 - r.p_vol) + (1 - r.p_mdd)) / 2)::numeric, 2)         AS risk
          FROM universe u LEFT JOIN ranked r USING (ticker)
      ),
      written AS (
        INSERT INTO compass_score_daily AS d (ticker, score_date, technical_score, risk_score, total_score, computed_at)
        SELECT ticker, ${scoreDate}::date, technical, risk,
               CASE WHEN technical IS NULL AND risk IS NULL THEN NULL
                    ELSE round(((coalesce(technical, 0) + coalesce(risk, 0))
                               / ((technical IS NOT NULL)::int + (risk IS NOT NULL)::int))::numeric, 2) END,
               now()
          FROM scores
        ON CONFLICT (ticker, score_date) DO UPDATE SET
          technical_score = excluded.technical_score, risk_score = excluded.risk_score,
          total_score = excluded.total_score, computed_at = excluded.computed_at
        RETURNING total_score
      )
      SELECT count(*) AS universe, count(total_score) AS scored FROM written`.execute(trx);

    await sql`
      UPDATE stocks s SET
        compass_technical_score = d.technical_score,
        compass_risk_score      = d.risk_score,
        compass_score           = d.total_score,
        compass_score_date      = d.score_date,
        compass_updated_at      = now(),
        is_active               = true,
        updated_at              = now()
        FROM compass_score_daily d
       WHERE d.ticker = s.ticker AND d.score_date = ${scoreDate}::date`.execute(trx);
    // A stock that did not trade on the score date is no longer listed there.
    await sql`
      UPDATE stocks SET is_active = false, updated_at = now()
       WHERE is_active AND (last_trade_date IS NULL OR last_trade_date < ${scoreDate}::date)`.execute(trx);

    const row = inserted.rows[0];
    const universe = Number(row?.universe ?? 0);
    const scored = Number(row?.scored ?? 0);
    return { scoreDate, universe, scored, insufficientHistory: universe - scored };
  });
}
