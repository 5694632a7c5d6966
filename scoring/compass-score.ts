/**
 * The four-axis Compass Score (financial, valuation, technical, risk), computed for the whole
 * market as one set in SQL (scoring/score-statement.ts), never a query per stock. Every run is
 * recorded in `compass_score_run` with its fail count; a batch whose fail rate passes the
 * alert threshold raises a warning (seed 001 Part 3.4). Formulas: README.md "Compass Score".
 */
import { sql } from 'kysely';
import type { IsoDate } from '../calendar/trading-calendar';
import { raiseAlert } from '../db/alerts';
import type { Db } from '../db/database';
import { type AxisCounts, runScoreStatement, type StatementOutcome } from './score-statement';

export { MIN_HISTORY_ROWS } from './score-statement';
export type { AxisCounts } from './score-statement';

export interface ScoreRunResult {
  scoreDate: IsoDate;
  /** Stocks priced on the score date. */
  universe: number;
  /** Stocks that got a total. */
  scored: number;
  /** Stocks with fewer than MIN_HISTORY_ROWS price rows (no technical or risk axis). */
  insufficientHistory: number;
  /** Stocks of the universe without a total (fewer axes than SCORE_MIN_AXES), and their share of it. */
  failed: number;
  failRate: number;
  /** Stocks that got each axis. */
  axes: AxisCounts;
  /** Failed stocks by reason ("insufficient-history+no-statements", …). */
  failReasons: Record<string, number>;
  /** The warning raised for this run's fail rate, if any. */
  alertId: number | null;
}

export interface ScoreOptions {
  minAxes: number;
  failAlertRate: number;
  alertDedupeWindowMin?: number;
  workflowId?: string | null;
  runId?: string | null;
}

export const DEFAULT_SCORE_OPTIONS: ScoreOptions = { minAxes: 2, failAlertRate: 0.3 };

export interface TickerScore {
  ticker: string;
  scoreDate: IsoDate;
  total: number | null;
  financial: number | null;
  valuation: number | null;
  technical: number | null;
  risk: number | null;
  /** What the ticker's percentile ranks were taken over: the market on the score date. */
  percentileBasis: { scoreDate: IsoDate; universe: number } & AxisCounts;
}

export class TickerNotPricedError extends Error {
  constructor(readonly ticker: string, readonly scoreDate: IsoDate) {
    super(`${ticker} has no price on ${scoreDate}: it cannot be scored for that date`);
    this.name = 'TickerNotPricedError';
  }
}

export async function computeMarketScores(db: Db, scoreDate: IsoDate, opts: ScoreOptions = DEFAULT_SCORE_OPTIONS): Promise<ScoreRunResult> {
  const startedAt = new Date();
  const out = await db.transaction().execute(async (trx) => {
    const o = await runScoreStatement(trx, scoreDate, opts.minAxes, null);
    await copyToStocks(trx, scoreDate, null);
    // A stock that did not trade on the score date is no longer listed there.
    await sql`
      UPDATE stocks SET is_active = false, updated_at = now()
       WHERE is_active AND (last_trade_date IS NULL OR last_trade_date < ${scoreDate}::date)`.execute(trx);
    return o;
  });
  const failed = out.written - out.scored;
  const failRate = out.written === 0 ? 0 : failed / out.written;
  const alertId = failRate > opts.failAlertRate ? await raiseFailRateAlert(db, scoreDate, out, failed, failRate, opts) : null;
  const result: ScoreRunResult = {
    scoreDate, universe: out.written, scored: out.scored, insufficientHistory: out.insufficientHistory,
    failed, failRate: Number(failRate.toFixed(4)), axes: out.axes, failReasons: out.failReasons, alertId,
  };
  await recordRun(db, 'market', null, result, startedAt, opts);
  return result;
}

/**
 * One ticker against the market of the score date (default: the latest priced date): the same
 * statement ranks the whole market and writes only this ticker, so its ranks are those the
 * batch would give it. It costs about one batch's reading, and writes one row.
 */
export async function recomputeTicker(db: Db, ticker: string, scoreDate: IsoDate | null, opts: ScoreOptions = DEFAULT_SCORE_OPTIONS): Promise<TickerScore> {
  const startedAt = new Date();
  const date = scoreDate ?? (await latestPricedDate(db));
  if (!date) throw new TickerNotPricedError(ticker, 'no-date');
  const out = await db.transaction().execute(async (trx) => {
    const o = await runScoreStatement(trx, date, opts.minAxes, ticker);
    if (o.written === 0) throw new TickerNotPricedError(ticker, date);
    await copyToStocks(trx, date, ticker);
    return o;
  });
  const failed = out.written - out.scored;
  await recordRun(db, 'ticker', ticker, {
    scoreDate: date, universe: out.written, scored: out.scored, insufficientHistory: out.insufficientHistory,
    failed, failRate: failed, axes: out.axes, failReasons: out.failReasons, alertId: null,
  }, startedAt, opts);
  const row = await sql<{ total_score: string | null; financial_score: string | null; valuation_score: string | null; technical_score: string | null; risk_score: string | null }>`
    SELECT total_score, financial_score, valuation_score, technical_score, risk_score
      FROM compass_score_daily WHERE ticker = ${ticker} AND score_date = ${date}::date`.execute(db);
  const s = row.rows[0]!;
  const num = (v: string | null) => (v === null ? null : Number(v));
  return {
    ticker, scoreDate: date,
    total: num(s.total_score), financial: num(s.financial_score), valuation: num(s.valuation_score),
    technical: num(s.technical_score), risk: num(s.risk_score),
    percentileBasis: { scoreDate: date, universe: out.marketUniverse, ...out.basis },
  };
}

async function latestPricedDate(db: Db): Promise<IsoDate | null> {
  const r = await sql<{ d: string | null }>`SELECT max(trade_date)::text AS d FROM stock_price_daily`.execute(db);
  return r.rows[0]?.d ?? null;
}

async function copyToStocks(db: Db, scoreDate: IsoDate, onlyTicker: string | null): Promise<void> {
  await sql`
    UPDATE stocks s SET
      compass_financial_score = d.financial_score,
      compass_valuation_score = d.valuation_score,
      compass_technical_score = d.technical_score,
      compass_risk_score      = d.risk_score,
      compass_score           = d.total_score,
      compass_score_date      = d.score_date,
      compass_updated_at      = now(),
      is_active               = true,
      updated_at              = now()
      FROM compass_score_daily d
     WHERE d.ticker = s.ticker AND d.score_date = ${scoreDate}::date
       AND (${onlyTicker}::text IS NULL OR d.ticker = ${onlyTicker}::text)`.execute(db);
}

async function raiseFailRateAlert(db: Db, scoreDate: IsoDate, out: StatementOutcome, failed: number, failRate: number, opts: ScoreOptions): Promise<number> {
  const reasons = Object.entries(out.failReasons).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k}: ${v}`).join(', ');
  return raiseAlert(db, {
    alertType: 'compass_score_failure_rate',
    severity: 'warning',
    title: `[Compass Score] 계산 실패율 ${(failRate * 100).toFixed(1)}% (${scoreDate})`,
    message: `expected a fail rate of at most ${(opts.failAlertRate * 100).toFixed(0)}%, found ${failed} of ${out.written} stocks without a score ` +
      `(${(failRate * 100).toFixed(1)}%) on ${scoreDate}; reasons: ${reasons || 'none recorded'}`,
    source: 'compass-score',
    workflowId: opts.workflowId ?? null,
    runId: opts.runId ?? null,
    dedupeKey: `compass_score_failure_rate|${scoreDate}`,
    dedupeWindowMin: opts.alertDedupeWindowMin,
  });
}

async function recordRun(db: Db, scope: 'market' | 'ticker', ticker: string | null, r: ScoreRunResult, startedAt: Date, opts: ScoreOptions): Promise<void> {
  await sql`
    INSERT INTO compass_score_run (score_date, scope, ticker, universe, scored, failed, fail_rate, insufficient_history,
                                   axes, fail_reasons, workflow_id, run_id, alert_id, started_at)
    VALUES (${r.scoreDate}::date, ${scope}, ${ticker}, ${r.universe}, ${r.scored}, ${r.failed}, ${r.failRate}, ${r.insufficientHistory},
            ${JSON.stringify(r.axes)}::jsonb, ${JSON.stringify(r.failReasons)}::jsonb, ${opts.workflowId ?? null}, ${opts.runId ?? null},
            ${r.alertId}, ${startedAt})`.execute(db);
}
