/**
 * DART financial statements end to end on real parts: the workflow on the Temporal dev
 * server, two worker processes' worth of workers (own pools, own clients) sharing the DART
 * budget through PostgreSQL, and the simulator counting how fast requests really arrive.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { sql } from 'kysely';
import { startSimulator, type Simulator } from '../dev/simulator/server';
import { dartFinancials } from '../workflows';
import type { DartFinancialsInput } from '../workflows/dart-financials';
import { progressQuery } from '../shared/progress';
import { collectionWorkers, connectTestClient, type ScratchDb, scratchDatabase } from './helpers/services';
import { testClock } from './helpers/clock';

const FAST = { sourceRetry: { initialInterval: '100ms', maximumInterval: '200ms' }, dbRetry: { initialInterval: '100ms' }, quotaRecheck: '1s' } as const;
const RPS = 5;

let sim: Simulator;
let scratch: ScratchDb;
let client: Client;
const taskQueue = `dart-test-${randomUUID()}`;
const workers = collectionWorkers(taskQueue, () => ({ DATABASE_URL: scratch.url, SIMULATOR_URL: sim.url, DATA_SCOPE: 'mock' }));
const startWorker = workers.start;
const stopWorkers = workers.stopAll;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, now: testClock, limits: { dart: { rps: RPS, onRateExceeded: 'count' } } });
  scratch = await scratchDatabase('dart');
  client = await connectTestClient();
});

afterAll(async () => {
  await stopWorkers();
  await client?.connection.close();
  await scratch?.drop();
  await sim?.close();
});

afterEach(async () => {
  await stopWorkers();
  sim.reset();
});

const run = (input: DartFinancialsInput) =>
  client.workflow.start(dartFinancials, { taskQueue, workflowId: `dart-${randomUUID().slice(0, 8)}`, args: [{ fiscalYear: 2023, policy: FAST, parallelism: 4, ...input }] });

describe('DART financial statements', () => {
  it('loads every listed company in batches of 100 from two workers without ever exceeding the rate, then resumes with nothing to do', async () => {
    await startWorker({ DART_RPS: String(RPS) });
    await startWorker({ DART_RPS: String(RPS) });
    const result = await (await run({})).result();

    const listed = Number((await sql<{ n: string }>`SELECT count(*) AS n FROM dart_corp_code WHERE stock_code IS NOT NULL`.execute(scratch.db)).rows[0]!.n);
    expect(listed).toBeGreaterThan(2800);
    expect(result).toMatchObject({ fiscalYear: 2023, reportCode: '11011', listed, alreadyLoaded: 0, requested: listed });
    expect(result.calls).toBe(Math.ceil(listed / 100));
    expect(result.withData).toBeGreaterThan(listed * 0.8);

    const stats = sim.stats().bySource.dart;
    expect(stats.requests).toBe(result.calls + 1); // + corpCode.xml
    expect(stats.rate_violations).toBe(0);
    expect(stats.rateRefused).toBe(0);

    const samsung = await sql<{ revenue: string; total_assets: string; total_liabilities: string; total_equity: string; fs_div: string }>`
      SELECT f.* FROM financial_statement f JOIN dart_corp_code c USING (corp_code)
       WHERE c.stock_code = '005930' AND f.fiscal_year = 2023 AND f.report_code = '11011' ORDER BY fs_div`.execute(scratch.db);
    expect(samsung.rows.length).toBeGreaterThanOrEqual(1);
    for (const r of samsung.rows) {
      expect(Number(r.revenue)).toBeGreaterThan(0);
      expect(Number(r.total_assets)).toBe(Number(r.total_liabilities) + Number(r.total_equity));
    }

    // A second run finds every company loaded: no financial call at all.
    sim.reset();
    const again = await (await run({ skipCorpCodes: true })).result();
    expect(again).toMatchObject({ requested: 0, calls: 0, alreadyLoaded: listed });
    expect(sim.stats().bySource.dart.requests).toBe(0);
  }, 120_000);

  it('waits when the daily quota is spent, shows why, and continues once the count resets', async () => {
    await sql`DELETE FROM source_quota_usage`.execute(scratch.db); // the first test's calls were today's too
    await startWorker({ DART_RPS: '50', DART_DAILY_QUOTA: '3' });
    const handle = await run({ fiscalYear: 2022, reload: true, parallelism: 1 });

    let note: string | undefined;
    for (let i = 0; i < 100 && !note; i++) {
      await new Promise((r) => setTimeout(r, 200));
      note = (await handle.query(progressQuery)).steps.find((s) => s.name === 'financials')?.note;
    }
    expect(note).toMatch(/waiting \d+ min for the dart daily quota to reset/);
    const used = await sql<{ used: number }>`SELECT used FROM source_quota_usage WHERE quota_key = 'dart'`.execute(scratch.db);
    expect(used.rows[0]?.used).toBe(3);
    expect((await handle.describe()).status.name).toBe('RUNNING');

    // Midnight KST: a new day has no count yet. The workflow notices at its next recheck and
    // makes three more calls, then waits again.
    const before = (await handle.query(progressQuery)).steps.find((s) => s.name === 'financials')!.done;
    await sql`DELETE FROM source_quota_usage WHERE quota_key = 'dart'`.execute(scratch.db);
    let after = before;
    for (let i = 0; i < 100 && after < before + 300; i++) {
      await new Promise((r) => setTimeout(r, 200));
      after = (await handle.query(progressQuery)).steps.find((s) => s.name === 'financials')!.done;
    }
    expect(after).toBe(before + 300);

    // Day after day, until every batch is in: nothing is lost or failed on the way.
    const midnights = setInterval(() => void sql`DELETE FROM source_quota_usage WHERE quota_key = 'dart'`.execute(scratch.db), 700);
    try {
      const result = await handle.result();
      expect(result.calls).toBe(Math.ceil(result.requested / 100));
      const loaded = Number((await sql<{ n: string }>`SELECT count(DISTINCT corp_code) AS n FROM financial_statement WHERE fiscal_year = 2022`.execute(scratch.db)).rows[0]!.n);
      expect(loaded).toBe(result.withData);
      expect(loaded).toBeGreaterThan(2000);
    } finally {
      clearInterval(midnights);
    }
  }, 120_000);
});
