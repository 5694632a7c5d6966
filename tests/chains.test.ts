/**
 * The seed 001 chains end to end on real parts (Temporal dev server, PostgreSQL, the simulator
 * speaking every source): the initial load in dependency order, then what a failed source or a
 * failed data check blocks, and what it does not.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { type Client, WorkflowFailedError } from '@temporalio/client';
import { sql } from 'kysely';
import { startSimulator, type Simulator } from '../dev/simulator/server';
import { historyToJsonObject } from '../scripts/lib/history-json';
import { dailyCollection, initialLoad, monthlyProducts, quarterlyCorporateActions, weeklyRefresh } from '../workflows';
import { collectionWorkers, connectTestClient, type ScratchDb, scratchDatabase } from './helpers/services';
import { testClock } from './helpers/clock';

const FAST = { sourceRetry: { initialInterval: '100ms', maximumInterval: '200ms' }, dbRetry: { initialInterval: '100ms' }, publishWaitInterval: '1s', publishWaitMax: 1 } as const;
const AS_OF = '2024-03-15';

let sim: Simulator;
let scratch: ScratchDb;
let client: Client;
const taskQueue = `chains-test-${randomUUID()}`;
const workers = collectionWorkers(taskQueue, () => ({ DATABASE_URL: scratch.url, SIMULATOR_URL: sim.url, DATA_SCOPE: 'mock', WORKER_MAX_CONCURRENT_ACTIVITIES: '16', ...fastSources }));
const startWorker = workers.start;
const stopWorkers = workers.stopAll;

const fastSources = {
  DART_RPS: '1000', FSS_RPS: '1000', KRX_RPS: '1000', KRX_OPENAPI_RPS: '1000', YAHOO_RPS: '1000', DATAGOKR_RPS: '1000',
  DATAGOKR_PAGE_SIZE: '1000', PRICE_BACKFILL_DAYS: '120',
};


const n = async (q: ReturnType<typeof sql<{ n: string }>>) => Number((await q.execute(scratch.db)).rows[0]!.n);
/** Every message down a failure's cause chain (workflow → child → activity → application failure). */
const causes = (err: unknown): string => {
  const out: string[] = [];
  for (let e = err as { message?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) out.push(e.message ?? '');
  return out.join(' <- ');
};
const id = (what: string) => `${what}-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, now: testClock });
  scratch = await scratchDatabase('chains');
  client = await connectTestClient();
  await startWorker();
});

afterAll(async () => {
  await stopWorkers();
  await client?.connection.close();
  await scratch?.drop();
  await sim?.close();
});

afterEach(() => sim.reset());

describe('initial load', () => {
  it('runs every chain in dependency order and leaves a checked, scored market', async () => {
    const initialId = id('initial');
    const result = await client.workflow.execute(initialLoad, { taskQueue, workflowId: initialId, args: [{ asOf: AS_OF, backfillDays: 120, skip: ['quarterly-corporate-actions'], policy: FAST }] }).catch(async (e) => {
      if (process.env.DEBUG_CHAINS) console.log(JSON.stringify((await sql`SELECT step, status, rows_in, rows_written, error FROM data_collection_log ORDER BY started_at`.execute(scratch.db)).rows.slice(0, 40), null, 1));
      throw e;
    });
    expect(Object.keys(result)).toEqual(['weekly-refresh', 'daily-collection', 'monthly-products']);
    // RECORD_HISTORIES=1 refreshes the replay fixtures of tests/replay.test.ts from this run.
    if (process.env.RECORD_HISTORIES === '1') {
      const ids = { 'initial-load': initialId, 'weekly-refresh': `weekly-refresh-${AS_OF}`, 'dart-financials': `weekly-refresh-${AS_OF}/financials`,
        'daily-collection-checked': `daily-collection-${AS_OF}`, 'monthly-products': 'monthly-products-2024-03' };
      for (const [name, wid] of Object.entries(ids)) {
        const history = await client.workflow.getHandle(wid).fetchHistory();
        fs.writeFileSync(path.join(__dirname, 'fixtures', 'histories', `${name}.json`), JSON.stringify({ workflowId: wid, ...historyToJsonObject(history) }));
      }
    }

    expect(await n(sql`SELECT count(*) AS n FROM stocks WHERE is_active`)).toBeGreaterThan(2800);
    expect(await n(sql`SELECT count(*) AS n FROM stocks WHERE ticker = '005930' AND corp_code IS NOT NULL`)).toBe(1);
    expect(await n(sql`SELECT count(*) AS n FROM etfs`)).toBeGreaterThan(0);
    expect(await n(sql`SELECT count(DISTINCT corp_code) AS n FROM financial_statement`)).toBeGreaterThan(2000);
    expect(await n(sql`SELECT count(*) AS n FROM bonds`)).toBeGreaterThan(10_000);
    expect(await n(sql`SELECT count(DISTINCT product_type) AS n FROM finlife_product`)).toBe(6);
    expect(await n(sql`SELECT count(DISTINCT source) AS n FROM dividend_history`)).toBe(2);

    // The score of the last trading day has all four axes for a company with statements.
    const samsung = await sql<{ financial_score: string | null; valuation_score: string | null; total_score: string | null }>`
      SELECT financial_score, valuation_score, total_score FROM compass_score_daily WHERE ticker = '005930' AND score_date = ${AS_OF}`.execute(scratch.db);
    expect(samsung.rows[0]?.financial_score).not.toBeNull();
    expect(samsung.rows[0]?.valuation_score).not.toBeNull();

    // Every data check that ran passed and was stored.
    expect(await n(sql`SELECT count(*) AS n FROM data_check_result WHERE NOT ok`)).toBe(0);
    expect(await n(sql`SELECT count(DISTINCT data_group) AS n FROM data_check_result`)).toBeGreaterThanOrEqual(7);

    // Order of Part 1.4: listing → stocks → financials → prices → score.
    const first = async (like: string) =>
      (await sql<{ t: Date }>`SELECT min(started_at) AS t FROM data_collection_log WHERE step LIKE ${like}`.execute(scratch.db)).rows[0]!.t.getTime();
    const listing = await first('%listing%');
    const fin = await first('dart-financials %');
    const prices = await first('prices %');
    const score = await first('compass-score');
    expect(listing).toBeLessThan(fin);
    expect(fin).toBeLessThan(prices);
    expect(prices).toBeLessThan(score);
  }, 300_000);
});

describe('what a failure blocks', () => {
  it('a failed DART load stops the weekly score but not the ETFs beside it', async () => {
    sim.setFaults({ rules: [{ source: 'dart', kind: 'code', code: '011', paths: ['fnlttMultiAcnt.json'] }] });
    const wid = id('weekly');
    const err = await client.workflow.execute(weeklyRefresh, { taskQueue, workflowId: wid, args: [{ asOf: '2024-03-16', fiscalYear: 2021, policy: FAST }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect(causes(err)).toMatch(/dart: fnlttMultiAcnt\.json: status 011/);
    const steps = (await sql<{ step: string; status: string }>`SELECT step, status FROM data_collection_log WHERE workflow_id = ${wid}`.execute(scratch.db)).rows;
    expect(steps.some((s) => /etf/i.test(s.step) && s.status === 'succeeded')).toBe(true);
    expect(steps.some((s) => s.step === 'compass-score')).toBe(false);
  }, 120_000);

  it('a failed data check stops the chain before the steps that read the data, saying what was expected and found', async () => {
    await stopWorkers();
    await startWorker({ CHECK_STOCKS_MIN: '100000' });
    try {
      const wid = id('weekly');
      const err = await client.workflow.execute(weeklyRefresh, { taskQueue, workflowId: wid, args: [{ asOf: '2024-03-16', policy: FAST }] }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowFailedError);
      const cause = (err as WorkflowFailedError).cause;
      expect(cause?.message).toMatch(/data check 'stocks' failed \(stocks-count: expected between 100,000 and 3,500 stocks, found 2,\d{3} stocks/);
      const steps = (await sql<{ step: string }>`SELECT step FROM data_collection_log WHERE workflow_id = ${wid}`.execute(scratch.db)).rows.map((r) => r.step);
      expect(steps.some((s) => /etf|financials|compass-score/i.test(s))).toBe(false);
      const stored = await sql<{ ok: boolean; expected: string; found: string }>`
        SELECT ok, expected, found FROM data_check_result WHERE data_group = 'stocks' ORDER BY checked_at DESC LIMIT 1`.execute(scratch.db);
      expect(stored.rows[0]).toMatchObject({ ok: false });
        expect(await n(sql`SELECT count(*) AS n FROM ops_alert WHERE acknowledged_at IS NULL AND message LIKE '%100,000%'`)).toBeGreaterThan(0);
    } finally {
      await stopWorkers();
      await startWorker();
    }
  }, 120_000);

  it('a failed monthly branch fails the run naming it, and the other branches still load', async () => {
    sim.setFaults({ rules: [{ source: 'datagokr', kind: 'http500', paths: ['getBondBasiInfo_V2'] }] });
    const before = await n(sql`SELECT count(*) AS n FROM finlife_product`);
    const err = await client.workflow.execute(monthlyProducts, { taskQueue, workflowId: id('monthly'), args: [{ asOf: '2024-04-06', policy: FAST }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((err as WorkflowFailedError).cause?.message).toMatch(/1 of 4 branches failed \(bonds: /);
    expect(await n(sql`SELECT count(*) AS n FROM finlife_product`)).toBeGreaterThanOrEqual(before);
    expect(before).toBeGreaterThan(0);
  }, 120_000);

  it('the quarterly chain loads the previous quarter, and again changes nothing', async () => {
    const a = await client.workflow.execute(quarterlyCorporateActions, { taskQueue, workflowId: id('quarterly'), args: [{ asOf: '2024-04-07', kinds: ['cmpMgDecsn'], policy: FAST }] });
    expect(a).toMatchObject({ from: '2024-01-01', to: '2024-03-31' });
    const rows = await n(sql`SELECT count(*) AS n FROM corporate_actions`);
    const b = await client.workflow.execute(quarterlyCorporateActions, { taskQueue, workflowId: id('quarterly'), args: [{ asOf: '2024-04-07', kinds: ['cmpMgDecsn'], policy: FAST }] });
    expect(b.rows).toBe(0); // every company was answered the first time: nothing asked again
    expect(await n(sql`SELECT count(*) AS n FROM corporate_actions`)).toBe(rows);
  }, 120_000);

  it('a daily run on a loaded market checks prices, then scores', async () => {
    const r = await client.workflow.execute(dailyCollection, { taskQueue, workflowId: id('daily'), args: [{ asOf: '2024-03-18', policy: FAST }] });
    expect(r.status).toBe('completed');
    expect(await n(sql`SELECT count(*) AS n FROM data_check_result WHERE data_group = 'prices' AND as_of = '2024-03-18' AND ok`)).toBeGreaterThan(0);
  }, 120_000);
});
