/**
 * Operations on real parts (Temporal dev server, PostgreSQL, the simulator): a second start of
 * the same work joins it or is refused naming it, a schedule slot skips a period an operator
 * is already running, a price backfill stops and resumes with only what is missing, and the
 * status and progress views read what really ran.
 */
import { randomUUID } from 'node:crypto';
import { type Client, WorkflowFailedError } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import { sql } from 'kysely';
import { closeActivityDeps, type ActivityDeps } from '../activities/deps';
import { tradingDaysBetween } from '../calendar/trading-calendar';
import {
  backfillPrices, chainStatus, OperationRefused, PRICE_BACKFILL_ID, recomputeTicker, renderProgress, rerunChain, startOperation,
} from '../client/ops';
import { startSimulator, type Simulator } from '../dev/simulator/server';
import { chainSlot } from '../workflows';
import { progressQuery } from '../shared/progress';
import { createCollectionWorker } from '../workers/collection-worker';
import { connectTestClient, connectTestWorkerConnection, type ScratchDb, scratchDatabase, testDeps, workflowBundle } from './helpers/services';
import { testClock } from './helpers/clock';

let sim: Simulator;
let scratch: ScratchDb;
let client: Client;
let deps: ActivityDeps;
let worker: Worker;
let running: Promise<void>;
const taskQueue = `ops-test-${randomUUID()}`;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, now: testClock });
  scratch = await scratchDatabase('ops');
  client = await connectTestClient();
  deps = testDeps({ DATABASE_URL: scratch.url, SIMULATOR_URL: sim.url, DATA_SCOPE: 'mock', DATAGOKR_RPS: '1000', DATAGOKR_PAGE_SIZE: '1000', PRICE_BACKFILL_DAYS: '120' });
  worker = await createCollectionWorker({ connection: await connectTestWorkerConnection(), namespace: 'default', taskQueue, deps, workflowBundle: await workflowBundle() });
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

afterEach(() => sim.reset());

const waitFor = async (what: () => Promise<boolean>, tries = 150) => {
  for (let i = 0; i < tries; i++) {
    if (await what()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('condition not reached');
};

describe('no double run', () => {
  it('a second rerun of the same chain and date is refused naming the running run; --join attaches to it', async () => {
    sim.setFaults({ latencyMs: 300 }); // keeps the first run going for a while
    const first = await startOperation(client, taskQueue, rerunChain('daily-collection', '2024-02-15', false));
    expect(first).toMatchObject({ workflowId: 'daily-collection-2024-02-15', joined: false });

    const refused = await startOperation(client, taskQueue, rerunChain('daily-collection', '2024-02-15', false)).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OperationRefused);
    expect((refused as Error).message).toContain(`daily-collection-2024-02-15 is already running (run ${first.runId}`);

    const joined = await startOperation(client, taskQueue, rerunChain('daily-collection', '2024-02-15', true));
    expect(joined).toEqual({ workflowId: first.workflowId, runId: first.runId, joined: true });

    // A schedule slot for the same date finds the period taken and skips, naming the run.
    const slot = await client.workflow.execute(chainSlot, { taskQueue, workflowId: `slot-${randomUUID()}`, args: [{ chain: 'daily-collection', asOf: '2024-02-15' }] });
    expect(slot).toMatchObject({ status: 'skipped', runId: 'daily-collection-2024-02-15' });
    expect(slot.reason).toMatch(/already running/);

    sim.setFaults({});
    await client.workflow.getHandle(first.workflowId).result();
    // The period ran once: each date loaded once, three pages of 1,000 rows each, never twice.
    expect(new Set(Object.values(sim.stats().byDate))).toEqual(new Set([3]));
  }, 120_000);

  it('a finished period can be run again on purpose', async () => {
    const again = await startOperation(client, taskQueue, rerunChain('daily-collection', '2024-02-15', false));
    const result = await client.workflow.getHandle(again.workflowId).result();
    expect(result).toMatchObject({ status: 'completed', target: '2024-02-15' });
    expect(result.prices.dates).toBe(0); // nothing missing: the rerun repeats checks and score only
  }, 60_000);

  it('recomputes one ticker to the value the market run just gave it; a second start joins the first', async () => {
    const batch = await sql<{ total_score: string }>`
      SELECT total_score FROM compass_score_daily WHERE ticker = '005930' AND score_date = '2024-02-15'`.execute(scratch.db);
    expect(batch.rows).toHaveLength(1);
    const [a, b] = await Promise.all([
      startOperation(client, taskQueue, recomputeTicker('005930')),
      startOperation(client, taskQueue, recomputeTicker('005930')),
    ]);
    expect(a.workflowId).toBe('ops-recompute-005930');
    expect(b.runId).toBe(a.runId);
    const r = await client.workflow.getHandle(a.workflowId).result();
    expect(r).toMatchObject({ ticker: '005930', scoreDate: '2024-02-15' });
    expect(r.total).toBeCloseTo(Number(batch.rows[0]!.total_score), 6);
  }, 60_000);
});

describe('price range backfill', () => {
  it('stops when cancelled and resumes with only the missing dates', async () => {
    const from = '2023-06-01';
    const to = '2023-08-31';
    const all = tradingDaysBetween(from, to);
    // Small batches one at a time, each date slow: the run is still going when we stop it.
    const slow = { batchDates: 5, parallelism: 1 };
    sim.setFaults({ latencyMs: 150 });
    const first = await startOperation(client, taskQueue, backfillPrices(from, to, slow));
    expect(first.workflowId).toBe(PRICE_BACKFILL_ID);
    const handle = client.workflow.getHandle(PRICE_BACKFILL_ID);
    await waitFor(async () => (await handle.query(progressQuery)).steps.find((s) => s.name === 'prices')!.done >= 20);
    // The Web UI shows the same bars as the run's Current Details (the metadata query it reads).
    const meta = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
    expect(meta.currentDetails).toMatch(/^```\nprice-range-backfill[^\n]*\n  plan +\[#{30}\] 100% done 1\/1\n  prices +\[#*\.*\] +\d+% running \d+\/\d+\n```$/);

    // One backfill at a time, whatever the range.
    await expect(startOperation(client, taskQueue, backfillPrices('2020-01-01', '2020-02-01'))).rejects.toThrow(/ops-price-backfill is already running/);

    await handle.cancel();
    await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
    const loadedBefore = Number((await sql<{ n: string }>`
      SELECT count(*) AS n FROM price_load_ledger WHERE status = 'loaded' AND trade_date BETWEEN ${from} AND ${to}`.execute(scratch.db)).rows[0]!.n);
    expect(loadedBefore).toBeGreaterThanOrEqual(20);
    expect(loadedBefore).toBeLessThan(all.length);

    sim.setFaults({});
    sim.reset();
    await startOperation(client, taskQueue, backfillPrices(from, to, slow));
    const resumed = await handle.result();
    expect(resumed.alreadyLoaded).toBe(loadedBefore);
    expect(resumed.loaded).toBe(all.length - loadedBefore);
    // Nothing loaded before was asked again.
    expect(Object.keys(sim.stats().byDate)).toHaveLength(all.length - loadedBefore);
    const dates = Number((await sql<{ n: string }>`SELECT count(DISTINCT trade_date) AS n FROM stock_price_daily WHERE trade_date BETWEEN ${from} AND ${to}`.execute(scratch.db)).rows[0]!.n);
    expect(dates).toBe(all.length);
  }, 180_000);
});

describe('status and progress', () => {
  it('status shows each chain, with the last daily run', async () => {
    const rows = await chainStatus(client);
    expect(rows.map((r) => r.chain)).toEqual(['daily-collection', 'weekly-refresh', 'monthly-products', 'quarterly-corporate-actions']);
    const daily = rows.find((r) => r.chain === 'daily-collection')!;
    expect(daily.lastRun).toMatchObject({ workflowId: 'daily-collection-2024-02-15', status: 'COMPLETED' });
    expect(daily.lastRun!.seconds).toBeGreaterThan(0);
  });

  it('draws progress as bars', () => {
    const lines = renderProgress({ chain: 'weekly-refresh', steps: [
      { name: 'listing', state: 'done', done: 2900, total: 2900 },
      { name: 'financials', state: 'running', done: 725, total: 2900, note: 'waiting 600 min for the dart daily quota to reset' },
      { name: 'score', state: 'pending', done: 0, total: 0 },
    ] }, 20);
    expect(lines).toEqual([
      'weekly-refresh',
      '  listing            [####################] 100% done 2900/2900',
      '  financials         [#####...............]  25% running 725/2900  — waiting 600 min for the dart daily quota to reset',
      '  score              [....................]   0% pending',
    ]);
  });

});
