/**
 * The four-axis Compass Score (financial, valuation, technical, risk), computed for the whole
 * market as one set in SQL (scoring/score-statement.ts), never a query per stock. Every run is
 * recorded in `compass_score_run` with its fail count; a batch whose fail rate passes the
 * alert threshold raises a warning (seed 001 Part 3.4). Formulas: README.md "Compass Score".
 */
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
    await trx
      .updateTable('stocks')
      .set({ is_active: false, updated_at: (eb) => eb.fn<Date>('now') })
      .where('is_active', '=', true)
      .where((eb) => eb.or([eb('last_trade_date', 'is', null), eb('last_trade_date', '<', scoreDate)]))
      .execute();
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
  const s = await db
    .selectFrom('compass_score_daily')
    .select(['total_score', 'financial_score', 'valuation_score', 'technical_score', 'risk_score'])
    .where('ticker', '=', ticker)
    .where('score_date', '=', date)
    .executeTakeFirstOrThrow();
  const num = (v: string | null) => (v === null ? null : Number(v));
  return {
    ticker, scoreDate: date,
    total: num(s.total_score), financial: num(s.financial_score), valuation: num(s.valuation_score),
    technical: num(s.technical_score), risk: num(s.risk_score),
    percentileBasis: { scoreDate: date, universe: out.marketUniverse, ...out.basis },
  };
}

async function latestPricedDate(db: Db): Promise<IsoDate | null> {
  const row = await db
    .selectFrom('stock_price_daily')
    .select((eb) => eb.cast<string | null>(eb.fn.max('trade_date'), 'text').as('d'))
    .executeTakeFirst();
  return row?.d ?? null;
}

async function copyToStocks(db: Db, scoreDate: IsoDate, onlyTicker: string | null): Promise<void> {
  await db
    .updateTable('stocks as s')
    .from('compass_score_daily as d')
    .set({
      compass_financial_score: (eb) => eb.ref('d.financial_score'),
      compass_valuation_score: (eb) => eb.ref('d.valuation_score'),
      compass_technical_score: (eb) => eb.ref('d.technical_score'),
      compass_risk_score: (eb) => eb.ref('d.risk_score'),
      compass_score: (eb) => eb.ref('d.total_score'),
      compass_score_date: (eb) => eb.ref('d.score_date'),
      compass_updated_at: (eb) => eb.fn<Date>('now'),
      is_active: true,
      updated_at: (eb) => eb.fn<Date>('now'),
    })
    .whereRef('d.ticker', '=', 's.ticker')
    .where('d.score_date', '=', scoreDate)
    .$if(onlyTicker !== null, (q) => q.where('d.ticker', '=', onlyTicker!))
    .execute();
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
  await db
    .insertInto('compass_score_run')
    .values({
      score_date: r.scoreDate, scope, ticker, universe: r.universe, scored: r.scored, failed: r.failed, fail_rate: r.failRate,
      insufficient_history: r.insufficientHistory, axes: JSON.stringify(r.axes), fail_reasons: JSON.stringify(r.failReasons),
      workflow_id: opts.workflowId ?? null, run_id: opts.runId ?? null, alert_id: r.alertId, started_at: startedAt,
    })
    .execute();
}
