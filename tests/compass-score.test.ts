/**
 * The four-axis Compass Score on a small market whose every rank can be worked out by hand
 * (README "Compass Score"), on a real PostgreSQL scratch database.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { sql } from 'kysely';
import { scoreActivities } from '../activities/compass-score';
import { closeActivityDeps, type ActivityDeps } from '../activities/deps';
import { computeMarketScores, DEFAULT_SCORE_OPTIONS, recomputeTicker, type ScoreRunResult } from '../scoring/compass-score';
import { type ScratchDb, scratchDatabase, testDeps } from './helpers/services';
import { priceSeries, statement } from './helpers/score-market';

const DAY = '2026-06-30';
const NEXT_DAY = '2026-07-01';

let scratch: ScratchDb;
let deps: ActivityDeps;
let batch: ScoreRunResult;

interface Row { ticker: string; financial: number | null; valuation: number | null; technical: number | null; risk: number | null; total: number | null; axis_count: number; fail_reason: string | null }

async function scores(date: string): Promise<Record<string, Row>> {
  const r = await sql<Record<keyof Row, string | null>>`
    SELECT ticker, financial_score AS financial, valuation_score AS valuation, technical_score AS technical, risk_score AS risk,
           total_score AS total, axis_count, fail_reason
      FROM compass_score_daily WHERE score_date = ${date}::date ORDER BY ticker`.execute(scratch.db);
  const num = (v: string | null) => (v === null ? null : Number(v));
  return Object.fromEntries(r.rows.map((x) => [x.ticker, {
    ticker: x.ticker!, financial: num(x.financial), valuation: num(x.valuation), technical: num(x.technical), risk: num(x.risk),
    total: num(x.total), axis_count: Number(x.axis_count), fail_reason: x.fail_reason,
  }]));
}

const axis = (s: Record<string, Row>, key: 'financial' | 'valuation' | 'technical' | 'risk') =>
  Object.fromEntries(Object.values(s).map((r) => [r.ticker, r[key]]));

beforeAll(async () => {
  scratch = await scratchDatabase('score');
  // No source is called; the simulator URL only satisfies the mock scope's configuration.
  deps = testDeps({ DATABASE_URL: scratch.url, SIMULATOR_URL: 'http://127.0.0.1:9' });
  const db = scratch.db;
  // Prices over 80 days. A rises steadily, B and D are flat (tied on every price metric), C falls
  // in a zigzag (volatile, with a drawdown), E and F have too little history.
  await priceSeries(db, { ticker: 'A00001', lastDate: DAY, days: 80, close: '10000 + 100 * i', shares: 1 });
  await priceSeries(db, { ticker: 'B00001', lastDate: DAY, days: 80, close: '10000', shares: 1 });
  await priceSeries(db, { ticker: 'C00001', lastDate: DAY, days: 80, close: '20000 - 100 * i + (i % 2) * 500', shares: 1 });
  await priceSeries(db, { ticker: 'D00001', lastDate: DAY, days: 80, close: '10000', shares: 1 });
  await priceSeries(db, { ticker: 'E00001', lastDate: DAY, days: 30, close: '5000', shares: 1 });
  await priceSeries(db, { ticker: 'F00001', lastDate: DAY, days: 30, close: '5000', shares: 1 });

  // A: consolidated (CFS) preferred over its separate (OFS) statement of the same year.
  await statement(db, { corpCode: 'c-A', ticker: 'A00001', fiscalYear: 2025, fsDiv: 'CFS', filed: '2026-03-15', revenue: 1000, operatingIncome: 200, netIncome: 100, liabilities: 500, equity: 1000, prevRevenue: 800 });
  await statement(db, { corpCode: 'c-A', ticker: 'A00001', fiscalYear: 2025, fsDiv: 'OFS', filed: '2026-03-15', revenue: 10, operatingIncome: -200, netIncome: -100, liabilities: 5000, equity: 10, prevRevenue: 800 });
  // B: its 2025 report was filed after the score date, so the 2024 one counts.
  await statement(db, { corpCode: 'c-B', ticker: 'B00001', fiscalYear: 2024, filed: '2025-03-20', revenue: 1000, operatingIncome: 100, netIncome: 50, liabilities: 1000, equity: 1000, prevRevenue: 1000 });
  await statement(db, { corpCode: 'c-B', ticker: 'B00001', fiscalYear: 2025, filed: '2026-07-15', revenue: 9000, operatingIncome: 9000, netIncome: 9000, liabilities: 1, equity: 9000, prevRevenue: 1 });
  // C: loss-maker. D: no statements at all. E: impaired (equity below zero), ticker only through dart_corp_code.
  await statement(db, { corpCode: 'c-C', ticker: 'C00001', fiscalYear: 2025, filed: '2026-03-30', revenue: 1000, operatingIncome: -50, netIncome: -100, liabilities: 3000, equity: 1000, prevRevenue: 1250 });
  await sql`INSERT INTO dart_corp_code (corp_code, corp_name, stock_code) VALUES ('c-E', 'E corp', 'E00001')`.execute(db);
  await statement(db, { corpCode: 'c-E', ticker: null, fiscalYear: 2025, filed: '2026-03-30', revenue: 500, operatingIncome: 10, netIncome: -20, liabilities: 2000, equity: -100, prevRevenue: null });
  // F: statements too old to count (more than two fiscal years before the score date).
  await statement(db, { corpCode: 'c-F', ticker: 'F00001', fiscalYear: 2023, filed: '2024-03-30', revenue: 1000, operatingIncome: 100, netIncome: 50, liabilities: 10, equity: 1000, prevRevenue: 900 });

  batch = await new MockActivityEnvironment().run(scoreActivities(deps).computeCompassScores, { chain: 'test', scoreDate: DAY });
});

afterAll(async () => {
  if (deps) await closeActivityDeps(deps);
  await scratch?.drop();
});

describe('Compass Score, four axes', () => {
  it('gives the technical and risk axes from price percentiles, ties sharing a rank', async () => {
    const s = await scores(DAY);
    // r20, r60 and trend all rank A > B = D > C: percent ranks 1, 1/3, 1/3, 0.
    expect(axis(s, 'technical')).toEqual({ A00001: 100, B00001: 33.33, C00001: 0, D00001: 33.33, E00001: null, F00001: null });
    // σ60: B = D = 0 (rank 0), A 2/3, C 1; drawdown: A, B, D none (rank 0), C 1.
    expect(axis(s, 'risk')).toEqual({ A00001: 66.67, B00001: 100, C00001: 0, D00001: 100, E00001: null, F00001: null });
  });

  it('gives the financial axis from ROE, operating margin, debt ratio and revenue growth', async () => {
    // A best on all four (CFS, not its OFS); B (its 2024 report): ROE ½, margin ⅔, debt ½, growth ½; C worst
    // on all four; E impaired: ROE and debt count 0, margin ⅓, growth missing (no prior revenue): a mean over
    // three. D has no statements, F only stale ones.
    expect(axis(await scores(DAY), 'financial')).toEqual({ A00001: 100, B00001: 54.17, C00001: 0, D00001: null, E00001: 11.11, F00001: null });
  });

  it('gives the valuation axis from PER and PBR at the score date close, losses and impaired equity scoring 0', async () => {
    // PER (positive earnings only): A 179 < B 200. PBR: B 10 < C 12.1 < A 17.9.
    expect(axis(await scores(DAY), 'valuation')).toEqual({ A00001: 50, B00001: 50, C00001: 25, D00001: null, E00001: 0, F00001: null });
  });

  it('totals the axes a stock has, needing at least two, and says why a stock failed', async () => {
    const s = await scores(DAY);
    expect(s.A00001).toMatchObject({ total: 79.17, axis_count: 4, fail_reason: null });
    expect(s.B00001).toMatchObject({ total: 59.38, axis_count: 4 });
    expect(s.C00001).toMatchObject({ total: 6.25, axis_count: 4 });
    expect(s.D00001).toMatchObject({ total: 66.67, axis_count: 2 });
    expect(s.E00001).toMatchObject({ total: 5.56, axis_count: 2 });
    expect(s.F00001).toMatchObject({ total: null, axis_count: 0, fail_reason: 'insufficient-history+no-statements' });
    const st = await sql<{ compass_score: string; compass_financial_score: string; compass_valuation_score: string }>`
      SELECT compass_score, compass_financial_score, compass_valuation_score FROM stocks WHERE ticker = 'A00001'`.execute(scratch.db);
    expect(st.rows[0]).toEqual({ compass_score: '79.17', compass_financial_score: '100.00', compass_valuation_score: '50.00' });
  });

  it('returns and records the run: counts per axis, fail count and rate, no alert under the threshold', async () => {
    expect(batch).toMatchObject({
      scoreDate: DAY, universe: 6, scored: 5, insufficientHistory: 2, failed: 1, failRate: 0.1667,
      axes: { financial: 4, valuation: 4, technical: 4, risk: 4 },
      failReasons: { 'insufficient-history+no-statements': 1 }, alertId: null,
    });
    const run = await sql<{ failed: number; fail_rate: string; universe: number; axes: unknown }>`
      SELECT failed, fail_rate, universe, axes FROM compass_score_run WHERE scope = 'market' AND score_date = ${DAY}::date`.execute(scratch.db);
    expect(run.rows).toEqual([{ failed: 1, fail_rate: '0.1667', universe: 6, axes: { financial: 4, valuation: 4, technical: 4, risk: 4 } }]);
    const log = await sql<{ status: string; rows_written: number }>`SELECT status, rows_written FROM data_collection_log WHERE step = 'compass-score'`.execute(scratch.db);
    expect(log.rows).toEqual([{ status: 'succeeded', rows_written: 5 }]);
  });

  it('recomputes one ticker against the market to the batch value, writing only that ticker', async () => {
    const before = await scores(DAY);
    await sql`UPDATE compass_score_daily SET total_score = NULL, financial_score = NULL WHERE ticker = 'B00001' AND score_date = ${DAY}::date`.execute(scratch.db);
    await sql`UPDATE compass_score_daily SET computed_at = '2000-01-01' WHERE ticker <> 'B00001'`.execute(scratch.db);
    const one = await new MockActivityEnvironment().run(scoreActivities(deps).recomputeTickerScore, { ticker: 'B00001' });
    expect(one).toEqual({
      ticker: 'B00001', scoreDate: DAY, total: 59.38, financial: 54.17, valuation: 50, technical: 33.33, risk: 100,
      percentileBasis: { scoreDate: DAY, universe: 6, financial: 4, valuation: 4, technical: 4, risk: 4 },
    });
    expect(await scores(DAY)).toEqual(before);
    const untouched = await sql<{ n: string }>`SELECT count(*) AS n FROM compass_score_daily WHERE computed_at = '2000-01-01'`.execute(scratch.db);
    expect(Number(untouched.rows[0]!.n)).toBe(5);
  });

  it('refuses to recompute a ticker without a price on the date', async () => {
    await expect(recomputeTicker(scratch.db, 'ZZZZZZ', DAY)).rejects.toThrow('ZZZZZZ has no price on 2026-06-30');
  });

  it('raises one warning alert when more than 30% of the universe fails, counted again on a rerun', async () => {
    // The next day only the young stocks trade: E keeps its two fundamental axes, F and G have none.
    await priceSeries(scratch.db, { ticker: 'E00001', lastDate: NEXT_DAY, days: 31, close: '5000', shares: 1 });
    await priceSeries(scratch.db, { ticker: 'F00001', lastDate: NEXT_DAY, days: 31, close: '5000', shares: 1 });
    await priceSeries(scratch.db, { ticker: 'G00001', lastDate: NEXT_DAY, days: 5, close: '7000', shares: null });
    const first = await computeMarketScores(scratch.db, NEXT_DAY, DEFAULT_SCORE_OPTIONS);
    expect(first).toMatchObject({ universe: 3, scored: 1, failed: 2, failRate: 0.6667 });
    expect(first.alertId).not.toBeNull();
    const again = await computeMarketScores(scratch.db, NEXT_DAY, DEFAULT_SCORE_OPTIONS);
    expect(again.alertId).toBe(first.alertId);
    const alerts = await sql<{ alert_type: string; severity: string; message: string; repeat_count: number }>`
      SELECT alert_type, severity, message, repeat_count FROM ops_alert`.execute(scratch.db);
    expect(alerts.rows).toHaveLength(1);
    expect(alerts.rows[0]).toMatchObject({ alert_type: 'compass_score_failure_rate', severity: 'warning', repeat_count: 2 });
    expect(alerts.rows[0]!.message).toContain('found 2 of 3 stocks without a score (66.7%)');
    expect(alerts.rows[0]!.message).toContain('insufficient-history+no-statements: 2');
    // A stricter minimum (all four axes) fails E too.
    expect((await computeMarketScores(scratch.db, NEXT_DAY, { ...DEFAULT_SCORE_OPTIONS, minAxes: 4 })).failed).toBe(3);
  });
});
