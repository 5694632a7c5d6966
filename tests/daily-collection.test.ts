/**
 * The daily chain end to end on real parts: the Temporal dev server, PostgreSQL, the source
 * simulator over HTTP and (when present) Redis.
 */
import { randomUUID } from 'node:crypto';
import { ActivityFailure, ApplicationFailure, type Client, WorkflowFailedError } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import Redis from 'ioredis';
import { sql } from 'kysely';
import { closeActivityDeps, type ActivityDeps } from '../activities/deps';
import { tradingDaysBetween } from '../calendar/trading-calendar';
import { startSimulator, type Simulator } from '../dev/simulator/server';
import { chainSlot, dailyCollection, priceRangeBackfill } from '../workflows';
import type { DailyCollectionInput } from '../workflows/daily-collection';
import { createCollectionWorker } from '../workers/collection-worker';
import {
  connectTestClient, connectTestWorkerConnection, itWithRedis, redisUrl, type ScratchDb, scratchDatabase, testDeps, workflowBundle,
} from './helpers/services';
import { testClock } from './helpers/clock';

const FAST = {
  sourceRetry: { initialInterval: '100ms', maximumInterval: '200ms' },
  dbRetry: { initialInterval: '100ms' },
  publishWaitInterval: '1s',
  publishWaitMax: 2,
} as const;

let sim: Simulator;
let scratch: ScratchDb;
let client: Client;
let deps: ActivityDeps;
let worker: Worker;
let running: Promise<void>;
const taskQueue = `daily-test-${randomUUID()}`;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, now: testClock });
  scratch = await scratchDatabase('daily');
  client = await connectTestClient();
  // A 120-day window keeps the test's backfill small; it slides forward with each run's date.
  deps = testDeps({ DATABASE_URL: scratch.url, SIMULATOR_URL: sim.url, DATAGOKR_RPS: '1000', DATAGOKR_PAGE_SIZE: '1000', PRICE_BACKFILL_DAYS: '120', REDIS_URL: redisUrl() });
  worker = await createCollectionWorker({
    connection: await connectTestWorkerConnection(), namespace: 'default', taskQueue, deps, workflowBundle: await workflowBundle(),
  });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await closeActivityDeps(deps);
  await client?.connection.close();
  await scratch?.drop();
  await sim?.close();
});

beforeEach(() => sim.reset());

function runChain(input: DailyCollectionInput, id = `daily-${input.asOf}-${randomUUID().slice(0, 8)}`) {
  return client.workflow.start(dailyCollection, { taskQueue, workflowId: id, args: [{ policy: FAST, ...input }] });
}

async function count(query: ReturnType<typeof sql<{ n: string }>>): Promise<number> {
  return Number((await query.execute(scratch.db)).rows[0]!.n);
}

describe('daily collection chain', () => {
  it('backfills an empty table, scores every stock and post-processes, in dependency order', async () => {
    // The database's own clock, as the score statement's: "scored by this run" whatever the hour.
    const before = (await sql<{ t: Date }>`SELECT clock_timestamp() AS t`.execute(scratch.db)).rows[0]!.t;
    const handle = await runChain({ asOf: '2024-03-15', backfillDays: 120 });
    const result = await handle.result();
    const expectedDates = tradingDaysBetween('2023-11-17', '2024-03-15');

    expect(result.status).toBe('completed');
    expect(result.target).toBe('2024-03-15');
    expect(result.prices.dates).toBe(expectedDates.length);
    // Seed 001 Part 4.2 checks, as written, against the target date.
    const onTarget = await count(sql`SELECT COUNT(*) AS n FROM stock_price_daily WHERE trade_date = '2024-03-15'`);
    expect(onTarget).toBeGreaterThan(2800);
    expect(await count(sql`SELECT COUNT(DISTINCT trade_date) AS n FROM stock_price_daily`)).toBe(expectedDates.length);
    const samsung = await sql<{ close_price: string }>`SELECT * FROM stock_price_daily WHERE ticker = '005930' ORDER BY trade_date DESC LIMIT 3`.execute(scratch.db);
    expect(samsung.rows).toHaveLength(3);
    expect(await count(sql`SELECT COUNT(*) AS n FROM stocks WHERE compass_updated_at >= ${before}`)).toBe(result.score!.universe);
    expect(result.score!.scored).toBeGreaterThan(2700);
    const s = await sql<{ compass_technical_score: string; compass_risk_score: string; compass_score: string }>`
      SELECT compass_technical_score, compass_risk_score, compass_score FROM stocks WHERE ticker = '005930'`.execute(scratch.db);
    for (const v of Object.values(s.rows[0]!)) expect(Number(v)).toBeGreaterThanOrEqual(0);
    // No KRX holiday was asked for: 2024-01-01, 2024-02-09, 2024-02-12 and 2024-03-01 are closed.
    for (const holiday of ['20240101', '20240209', '20240212', '20240301']) expect(sim.stats().byDate[holiday]).toBeUndefined();
    // The run log has every step, in order, all succeeded.
    const steps = await sql<{ step: string; status: string }>`
      SELECT step, status FROM data_collection_log WHERE workflow_id = ${handle.workflowId} ORDER BY started_at`.execute(scratch.db);
    expect(steps.rows.map((r) => r.step)).toEqual(['plan-prices', 'compass-score', 'invalidate-caches', 'refresh-views']);
    expect(steps.rows.every((r) => r.status === 'succeeded' || (r.step === 'invalidate-caches' && r.status === 'skipped' && !redisUrl()))).toBe(true);
    const views = await count(sql`SELECT COUNT(*) AS n FROM mv_market_daily_summary WHERE trade_date = '2024-03-15'`);
    expect(views).toBe(2);
    // The backfill ran in a child, whose history stays far from the 10,000-event limit.
    const child = client.workflow.getHandle(`${handle.workflowId}/prices`);
    expect((await child.fetchHistory()).events!.length).toBeLessThan(1000);
  });

  it('loads one new trading day in a short history, without a child workflow', async () => {
    const handle = await runChain({ asOf: '2024-03-18' });
    const result = await handle.result();
    expect(result.prices.dates).toBe(1);
    expect(sim.stats().byDate['20240318']).toBeGreaterThan(0);
    expect(sim.stats().byDate['20240316']).toBeUndefined(); // Saturday
    const history = await handle.fetchHistory();
    expect(history.events!.length).toBeLessThan(200);
    expect(history.events!.some((e) => e.startChildWorkflowExecutionInitiatedEventAttributes)).toBe(false);
  });

  it('is idempotent: running the same day again writes no price row and gives the same scores', async () => {
    const before = await sql<{ ticker: string; total_score: string }>`
      SELECT ticker, total_score FROM compass_score_daily WHERE score_date = '2024-03-18' ORDER BY ticker`.execute(scratch.db);
    const rowsBefore = await count(sql`SELECT COUNT(*) AS n FROM stock_price_daily`);
    const result = await (await runChain({ asOf: '2024-03-18' })).result();
    expect(result.status).toBe('completed');
    expect(result.prices.dates).toBe(0);
    expect(result.prices.written).toBe(0);
    expect(await count(sql`SELECT COUNT(*) AS n FROM stock_price_daily`)).toBe(rowsBefore);
    const after = await sql<{ ticker: string; total_score: string }>`
      SELECT ticker, total_score FROM compass_score_daily WHERE score_date = '2024-03-18' ORDER BY ticker`.execute(scratch.db);
    expect(after.rows).toEqual(before.rows);
    // Loading a date twice changes nothing, even when asked directly.
    const again = await deps.sources.prices.dailyPrices('2024-03-18');
    const { upsertDailyPrices } = await import('../db/prices');
    expect(await upsertDailyPrices(scratch.db, deps.priceSource, again)).toBe(0);
  });

  it('skips a KRX holiday when everything up to the last trading day is loaded', async () => {
    await (await runChain({ asOf: '2024-03-19' })).result();
    sim.reset();
    // 2024-04-10 was a KRX holiday (general election); load through 04-09 first.
    await (await runChain({ asOf: '2024-04-09' })).result();
    sim.reset();
    const result = await (await runChain({ asOf: '2024-04-10' })).result();
    expect(result.status).toBe('skipped');
    expect(result.reason).toMatch(/not a KRX trading day/);
    expect(result.target).toBe('2024-04-09');
    expect(sim.stats().requests).toBe(0);
  });

  it('retries transient source faults (5xx, TPS limit, HTTP 429 with Retry-After) and completes', async () => {
    sim.setFaults({ rules: [{ kind: 'http500', times: 1 }, { kind: 'tps', times: 1 }, { kind: 'http429', times: 1, retryAfterSec: 1 }] });
    const handle = await runChain({ asOf: '2024-04-11' });
    const result = await handle.result();
    expect(result.status).toBe('completed');
    expect(result.prices.dates).toBe(1);
    expect(sim.stats().faultsServed).toBe(3);
    const attempts = (await handle.fetchHistory()).events!.filter((e) => e.activityTaskStartedEventAttributes).map((e) => e.activityTaskStartedEventAttributes!.attempt ?? 1);
    expect(Math.max(...attempts)).toBeGreaterThanOrEqual(2);
  });

  it('fails at once, with a clear message, on a rejected key, and never scores', async () => {
    sim.setFaults({ rules: [{ kind: 'auth', times: 50 }] });
    const handle = await runChain({ asOf: '2024-04-12' });
    const err = await handle.result().then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const activityFailure = (err as WorkflowFailedError).cause as ActivityFailure;
    expect(activityFailure).toBeInstanceOf(ActivityFailure);
    const cause = activityFailure.cause as ApplicationFailure;
    expect(cause.type).toBe('SourceNonRetryable');
    expect(cause.nonRetryable).toBe(true);
    expect(cause.message).toMatch(/resultCode 30/);
    expect(cause.message).not.toMatch(/sim-datagokr-key/);
    expect(sim.stats().requests).toBe(1);
    expect(await count(sql`SELECT COUNT(*) AS n FROM compass_score_daily WHERE score_date = '2024-04-12'`)).toBe(0);
    const ledger = await sql<{ status: string }>`SELECT status FROM price_load_ledger WHERE trade_date = '2024-04-12'`.execute(scratch.db);
    expect(ledger.rows[0]?.status).toBe('failed');
    // The operator hears of it at once: a critical alert naming the source, the code and the run.
    const alerts = await sql<{ severity: string; title: string; message: string; workflow_id: string }>`
      SELECT severity, title, message, workflow_id FROM ops_alert WHERE alert_type = 'source_failure'`.execute(scratch.db);
    expect(alerts.rows).toHaveLength(1);
    expect(alerts.rows[0]).toMatchObject({ severity: 'critical', workflow_id: handle.workflowId });
    expect(alerts.rows[0]!.title).toMatch(/data\.go\.kr 30 \(loadPriceBatch\)/);
    expect(alerts.rows[0]!.message).not.toMatch(/sim-datagokr-key/);
  });

  it('stops at once on a malformed body, naming the source, and loads nothing of that date', async () => {
    sim.setFaults({ rules: [{ kind: 'malformed', times: 50 }] });
    const handle = await runChain({ asOf: '2024-04-12' });
    const err = (await handle.result().then(() => null, (e: unknown) => e)) as WorkflowFailedError;
    const cause = (err.cause as ActivityFailure).cause as ApplicationFailure;
    expect(cause.type).toBe('SourceNonRetryable');
    expect(cause.message).toMatch(/data\.go\.kr: malformed JSON body/);
    expect(sim.stats().requests).toBe(1);
    expect(await count(sql`SELECT COUNT(*) AS n FROM stock_price_daily WHERE trade_date = '2024-04-12'`)).toBe(0);
  });

  it('does not score after a partial load: a date that keeps failing stops the chain', async () => {
    sim.setFaults({ rules: [{ kind: 'http503', times: 100, dates: ['2024-04-12'] }] });
    const handle = await runChain({ asOf: '2024-04-15' });
    await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
    expect(sim.stats().byDate['20240412']).toBe(4); // the first try and 3 retries (seed 001 Part 3.3)
    expect(await count(sql`SELECT COUNT(*) AS n FROM compass_score_daily WHERE score_date = '2024-04-15'`)).toBe(0);
    // Seed 001 Part 3.4's "source not responding": a warning from the third failed attempt on, one row however many follow.
    const down = await sql<{ severity: string; title: string; message: string; repeat_count: number; workflow_id: string }>`
      SELECT severity, title, message, repeat_count, workflow_id FROM ops_alert WHERE alert_type = 'source_unresponsive'`.execute(scratch.db);
    expect(down.rows).toHaveLength(1);
    expect(down.rows[0]).toMatchObject({ severity: 'warning', repeat_count: 2, workflow_id: handle.workflowId });
    expect(down.rows[0]!.title).toMatch(/^\[소스 응답 없음\] data\.go\.kr \(loadPriceBatch\)$/);
    expect(down.rows[0]!.message).toMatch(/^attempt 4 failed in a row: .*503/);
  });

  it('waits for the target date to be published, then completes', async () => {
    sim.setFaults({ rules: [{ kind: 'closed', times: 1, dates: ['2024-04-15'] }] });
    const result = await (await runChain({ asOf: '2024-04-15' })).result();
    expect(result.status).toBe('completed');
    expect(sim.stats().byDate['20240415']).toBe(1 + 3); // the empty answer, then three pages of 1,000
    // The date that failed in the previous test, behind later loaded dates, is filled in too.
    const ledger = await sql<{ status: string }>`SELECT status FROM price_load_ledger WHERE trade_date = '2024-04-12'`.execute(scratch.db);
    expect(ledger.rows[0]?.status).toBe('loaded');
    expect(await count(sql`SELECT COUNT(*) AS n FROM compass_score_daily WHERE score_date = '2024-04-15'`)).toBeGreaterThan(2800);
  });

  itWithRedis('deletes the score and price cache keys with SCAN + UNLINK and leaves other keys', async () => {
    const redis = new Redis(redisUrl()!);
    const tag = randomUUID().slice(0, 8);
    try {
      await redis.mset(`compass:score:${tag}:1`, 'x', `compass:price:${tag}:1`, 'y', `other:${tag}`, 'z');
      const result = await (await runChain({ asOf: '2024-04-16' })).result();
      expect(result.caches?.skipped).toBe(false);
      expect(result.caches!.deleted).toBeGreaterThanOrEqual(2);
      expect(await redis.exists(`compass:score:${tag}:1`, `compass:price:${tag}:1`)).toBe(0);
      expect(await redis.get(`other:${tag}`)).toBe('z');
    } finally {
      await redis.del(`other:${tag}`);
      redis.disconnect();
    }
  });
});

describe('a date past the KRX holiday calendar (2020-2027)', () => {
  /** The run's failure; an error if it completed or is still running after `ms` (a failing workflow task is retried forever). */
  async function failureOf(result: Promise<unknown>, ms = 15_000): Promise<{ err: WorkflowFailedError; cause: ApplicationFailure }> {
    const outcome = await Promise.race([
      result.then(() => 'completed', (err: unknown) => err),
      new Promise((resolve) => setTimeout(resolve, ms, `still running after ${ms} ms`).unref()),
    ]);
    if (!(outcome instanceof WorkflowFailedError)) throw new Error(`expected the run to fail, got: ${String(outcome)}`);
    let cause = outcome.cause;
    while (cause && !(cause instanceof ApplicationFailure)) cause = cause.cause as typeof cause;
    if (!cause) throw new Error(`no ApplicationFailure in ${outcome.message}`);
    return { err: outcome, cause: cause as ApplicationFailure };
  }

  function expectCalendarRangeError(cause: ApplicationFailure, date: string): void {
    expect(cause).toMatchObject({ type: 'CalendarRangeError', nonRetryable: true });
    expect(cause.message).toBe(
      `KRX holiday calendar covers 2020-2027; ${date} is outside it. Add 2028's KRX holidays to calendar/krx-holidays.json and extend firstYear/lastYear to it.`,
    );
  }

  it('fails the daily chain at once with a non-retryable CalendarRangeError, instead of leaving it running', async () => {
    const handle = await runChain({ asOf: '2028-01-04' });
    const { err, cause } = await failureOf(handle.result());
    expect(err.cause).toBe(cause); // thrown by the workflow itself
    expectCalendarRangeError(cause, '2028-01-04');
    expect((await handle.describe()).status.name).toBe('FAILED');
    // The workflow failed; no workflow task did (those would be retried forever).
    expect((await handle.fetchHistory()).events!.some((e) => e.workflowTaskFailedEventAttributes)).toBe(false);
  });

  it('fails the schedules\' chain slot and an operator\'s price range backfill the same way', async () => {
    const slot = client.workflow.execute(chainSlot, { taskQueue, workflowId: `slot-${randomUUID()}`, args: [{ chain: 'daily-collection', asOf: '2028-01-04' }] });
    expectCalendarRangeError((await failureOf(slot)).cause, '2028-01-04');
    const backfill = client.workflow.execute(priceRangeBackfill, {
      taskQueue, workflowId: `range-${randomUUID()}`, args: [{ from: '2027-12-27', to: '2028-01-04', policy: FAST }],
    });
    const { err, cause } = await failureOf(backfill);
    expect(err.cause).toBeInstanceOf(ActivityFailure); // planPriceLoad, not retried
    expectCalendarRangeError(cause, '2028-01-03'); // the first weekday past the file (weekends need no holiday data)
  });
});
