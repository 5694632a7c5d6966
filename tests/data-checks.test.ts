/**
 * The blocking data checks (checks/) group by group, passing and failing, with what was
 * expected and found stored in data_check_result, and the alerts they raise deduplicated.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { sql } from 'kysely';
import { alertActivities } from '../activities/alerts';
import { dataCheckActivities } from '../activities/data-checks';
import { closeActivityDeps, type ActivityDeps } from '../activities/deps';
import { type CheckSettings, type DataGroup, runDataCheckGroup } from '../checks';
import { latestDueFiscalYear } from '../checks/financials';
import { PRODUCT_TYPES } from '../checks/products';
import { acknowledgeAlert, raiseAlert } from '../db/alerts';
import { computeMarketScores, DEFAULT_SCORE_OPTIONS } from '../scoring/compass-score';
import { type ScratchDb, scratchDatabase, testDeps } from './helpers/services';
import { priceSeries, statement } from './helpers/score-market';

const DAY = '2026-06-30';
const SETTINGS: CheckSettings = {
  CHECK_PRICE_COVERAGE: 0.95, CHECK_STOCKS_MIN: 3, CHECK_STOCKS_MAX: 5, CHECK_ETFS_MIN: 2, CHECK_FINANCIALS_COVERAGE: 0.6,
  CHECK_BONDS_MIN: 3, CHECK_DIVIDENDS_MIN: 2, CHECK_SCORE_COVERAGE: 0.6,
};

let scratch: ScratchDb;
let deps: ActivityDeps;
let runNo = 0;

const check = (group: DataGroup, asOf = DAY, settings: CheckSettings = SETTINGS) =>
  runDataCheckGroup(scratch.db, { chain: 'test', group, asOf, runId: `run-${++runNo}`, settings });

async function stored(runId: string) {
  const r = await sql<{ data_group: string; check_name: string; ok: boolean; expected: string; found: string }>`
    SELECT data_group, check_name, ok, expected, found FROM data_check_result WHERE run_id = ${runId} ORDER BY id`.execute(scratch.db);
  return r.rows;
}

async function alerts(pattern: string) {
  const r = await sql<{ id: string; severity: string; title: string; message: string; repeat_count: number }>`
    SELECT id, severity, title, message, repeat_count FROM ops_alert WHERE title LIKE ${pattern} ORDER BY id`.execute(scratch.db);
  return r.rows;
}

beforeAll(async () => {
  scratch = await scratchDatabase('checks');
  deps = testDeps({ DATABASE_URL: scratch.url, SIMULATOR_URL: 'http://127.0.0.1:9', CHECK_STOCKS_MIN: '3', CHECK_STOCKS_MAX: '5' });
  for (const t of ['005930', '000660', '035420']) await priceSeries(scratch.db, { ticker: t, lastDate: DAY, days: 70, close: '50000 + 10 * i', shares: 1000 });
});

afterAll(async () => {
  if (deps) await closeActivityDeps(deps);
  await scratch?.drop();
});

describe('data checks', () => {
  it('prices: pass with every active ticker priced and 005930 present', async () => {
    const r = await check('prices');
    expect(r).toEqual({
      group: 'prices', ok: true, results: [
        { name: 'prices-coverage', ok: true, expected: `prices on ${DAY} for at least 95.0% of the active tickers`, found: '3 priced of 3 active tickers (100.0%)' },
        { name: 'prices-005930', ok: true, expected: `005930 (Samsung Electronics) priced on ${DAY} with a close above 0`, found: '005930 close 50,690' },
      ],
    });
    expect(await stored(`run-${runNo}`)).toHaveLength(2);
  });

  it('prices: fail on a day with one ticker of three and no 005930, recording both and raising critical alerts', async () => {
    await priceSeries(scratch.db, { ticker: '000660', lastDate: '2026-07-01', days: 1, close: '60000', shares: 1000 });
    const r = await check('prices', '2026-07-01');
    expect(r.ok).toBe(false);
    expect(await stored(`run-${runNo}`)).toEqual([
      { data_group: 'prices', check_name: 'prices-coverage', ok: false, expected: 'prices on 2026-07-01 for at least 95.0% of the active tickers', found: '1 priced of 3 active tickers (33.3%)' },
      { data_group: 'prices', check_name: 'prices-005930', ok: false, expected: '005930 (Samsung Electronics) priced on 2026-07-01 with a close above 0', found: 'no 005930 row on 2026-07-01' },
    ]);
    const raised = await alerts('%prices:%');
    expect(raised.map((a) => a.severity)).toEqual(['critical', 'critical']);
    expect(raised[0]!.message).toBe('test 2026-07-01: expected prices on 2026-07-01 for at least 95.0% of the active tickers; found 1 priced of 3 active tickers (33.3%)');
    // The same failure again (a retried step) counts the open alerts instead of adding rows.
    await check('prices', '2026-07-01');
    expect((await alerts('%prices:%')).map((a) => a.repeat_count)).toEqual([2, 2]);
  });

  it('stocks: pass inside the band, fail outside it', async () => {
    expect((await check('stocks')).ok).toBe(true);
    const r = await check('stocks', DAY, { ...SETTINGS, CHECK_STOCKS_MIN: 2900, CHECK_STOCKS_MAX: 3000 });
    expect(r.results).toEqual([{ name: 'stocks-count', ok: false, expected: 'between 2,900 and 3,000 stocks', found: '3 stocks (3 active)' }]);
  });

  it('etfs, bonds, dividends: fail when empty, pass with enough rows', async () => {
    for (const g of ['etfs', 'bonds', 'dividends'] as const) expect((await check(g)).ok).toBe(false);
    expect((await check('bonds')).results[0]).toEqual({ name: 'bonds-count', ok: false, expected: 'at least 3 bonds', found: '0 bonds' });
    await sql`
      INSERT INTO etfs (ticker, name, trade_date, close_price, source)
      SELECT 'E' || i, 'etf ' || i, ${DAY}::date, 10000, 'test' FROM generate_series(1, 2) i`.execute(scratch.db);
    await sql`INSERT INTO bonds (isin_cd, bas_dt, raw) SELECT 'KR' || i, ${DAY}::date, '{}' FROM generate_series(1, 3) i`.execute(scratch.db);
    await sql`
      INSERT INTO dividend_history (source, isin, record_date, raw)
      SELECT 'fsc', 'KR' || i, ${DAY}::date, '{}' FROM generate_series(1, 2) i`.execute(scratch.db);
    for (const g of ['etfs', 'bonds', 'dividends'] as const) expect((await check(g)).ok).toBe(true);
  });

  it('products: every finlife type must have active products', async () => {
    await sql`
      INSERT INTO finlife_product (product_type, fin_co_no, fin_prdt_cd, top_fin_grp_no, raw)
      SELECT t, '0010001', 'P1', '020000', '{}' FROM unnest(${[...PRODUCT_TYPES]}::text[]) t`.execute(scratch.db);
    expect((await check('products')).ok).toBe(true);
    await sql`UPDATE finlife_product SET active = false WHERE product_type = 'creditLoan'`.execute(scratch.db);
    const r = await check('products');
    expect(r.results.filter((x) => !x.ok)).toEqual([{ name: 'products-creditLoan', ok: false, expected: 'at least 1 active creditLoan products', found: '0 active creditLoan products' }]);
  });

  it('financials: the latest fiscal year past its filing deadline must cover enough active stocks', async () => {
    expect([latestDueFiscalYear('2026-03-31'), latestDueFiscalYear('2026-04-01')]).toEqual([2024, 2025]);
    const base = { fiscalYear: 2025, filed: '2026-03-20', revenue: 100, operatingIncome: 10, netIncome: 5, liabilities: 50, equity: 100, prevRevenue: 90 };
    await statement(scratch.db, { ...base, corpCode: 'c1', ticker: '005930' });
    let r = await check('financials');
    expect(r.results).toEqual([{
      name: 'financials-latest-year-coverage', ok: false,
      expected: 'annual statements of fiscal year 2025 for at least 60.0% of the active stocks', found: '1 of 3 active stocks (33.3%)',
    }]);
    await statement(scratch.db, { ...base, corpCode: 'c2', ticker: '000660' });
    r = await check('financials');
    expect(r.ok).toBe(true);
    // Before April the year before is not due yet: 2024 is checked, and there is none.
    expect((await check('financials', '2026-03-31')).results[0]!.found).toBe('0 of 3 active stocks (0.0%)');
  });

  it('score: must be computed after the latest prices were loaded', async () => {
    const before = await check('score', DAY);
    expect(before.results[0]).toEqual({
      name: 'score-after-prices', ok: false,
      expected: `a score row for each of the 3 stocks priced on ${DAY}, computed after the prices were loaded`, found: `0 score rows for ${DAY}, 0 computed after the prices`,
    });
    await computeMarketScores(scratch.db, DAY, DEFAULT_SCORE_OPTIONS);
    expect(await check('score', DAY)).toMatchObject({ ok: true });
    // Prices written again after the score: the score is stale.
    await sql`UPDATE stock_price_daily SET loaded_at = now() + interval '1 minute' WHERE trade_date = ${DAY}::date AND ticker = '005930'`.execute(scratch.db);
    const stale = await check('score', DAY);
    expect(stale.results[0]).toMatchObject({ ok: false, found: `3 score rows for ${DAY}, 0 computed after the prices` });
  });

  it('runs as an activity, and a table that does not exist fails its check as missing', async () => {
    await sql`DROP TABLE bonds`.execute(scratch.db);
    const env = new MockActivityEnvironment({ workflowExecution: { workflowId: 'wf-checks', runId: 'run-checks' } });
    const r = await env.run(dataCheckActivities(deps).runDataChecks, { chain: 'weekly', group: 'bonds', asOf: DAY });
    expect(r).toEqual({ group: 'bonds', ok: false, results: [{ name: 'bonds-count', ok: false, expected: 'table bonds to exist', found: 'table missing: bonds' }] });
    expect(await stored('run-checks')).toEqual([{ data_group: 'bonds', check_name: 'bonds-count', ok: false, expected: 'table bonds to exist', found: 'table missing: bonds' }]);
    const a = await sql<{ workflow_id: string }>`SELECT workflow_id FROM ops_alert WHERE title LIKE '%bonds-count' AND message LIKE '%table missing%'`.execute(scratch.db);
    expect(a.rows).toEqual([{ workflow_id: 'wf-checks' }]);
    await expect(env.run(dataCheckActivities(deps).runDataChecks, { chain: 'weekly', group: 'nope', asOf: DAY })).rejects.toThrow("unknown data group 'nope'");
  });
});

describe('alert deduplication', () => {
  const alert = { alertType: 'data_collection_failure', severity: 'warning' as const, title: '[데이터 수집 실패] dedupe', message: 'm', source: 'scheduler' };

  it('counts an identical open alert within the window, and starts a new one once acknowledged, outside the window or for another key', async () => {
    const first = await raiseAlert(scratch.db, alert);
    expect(await raiseAlert(scratch.db, { ...alert, message: 'm2' })).toBe(first);
    expect(await alerts('%dedupe')).toEqual([expect.objectContaining({ id: String(first), message: 'm2', repeat_count: 2 })]);
    expect(await raiseAlert(scratch.db, { ...alert, dedupeKey: 'other' })).not.toBe(first);

    await acknowledgeAlert(scratch.db, first);
    const second = await raiseAlert(scratch.db, alert);
    expect(second).not.toBe(first);

    await sql`UPDATE ops_alert SET last_seen_at = now() - interval '61 minutes' WHERE id = ${second}`.execute(scratch.db);
    const third = await raiseAlert(scratch.db, alert);
    expect(third).not.toBe(second);
    expect(await raiseAlert(scratch.db, { ...alert, dedupeWindowMin: 120 })).toBe(third);
  });

  it('raiseOpsAlert takes the workflow ids from the activity context', async () => {
    const env = new MockActivityEnvironment({ workflowExecution: { workflowId: 'wf-1', runId: 'run-1' } });
    const { raiseOpsAlert } = alertActivities(deps);
    const { alertId }: Awaited<ReturnType<typeof raiseOpsAlert>> = await env.run(raiseOpsAlert, { ...alert, title: 'from a workflow' });
    const r = await sql<{ workflow_id: string; run_id: string; severity: string }>`SELECT workflow_id, run_id, severity FROM ops_alert WHERE id = ${alertId}`.execute(scratch.db);
    expect(r.rows).toEqual([{ workflow_id: 'wf-1', run_id: 'run-1', severity: 'warning' }]);
  });
});
