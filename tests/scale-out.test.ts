/**
 * Task queues by role and scale-out (issue 14). The mapping: every workflow type has a role, the schedule catalog
 * built from the configuration puts each schedule on its role's queue, WORKER_ROLES is checked, and a worker serves
 * only the roles it is given. Then three worker processes (workers/main.ts) share one daily chain's backfill under
 * the simulator's data.go.kr limits, one of them is killed with SIGKILL mid-run, and nothing is lost: the same rows
 * and checksum as one worker without limits or kills. `npm run bench -- scale` runs it bigger.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { closeActivityDeps } from '../activities/deps';
import { loadConfig } from '../config/env';
import { catalog } from '../schedules/catalog';
import { buildScheduleOptions } from '../schedules/options';
import { buildWorkflowBundle } from '../scripts/build-workflow-bundle';
import { describeScaleRun, maxInWindow, violationsOf, pollers, referenceRun, runScaleOut, SCALE_POLICY, SCALE_WORKER_ENV, type ScaleStack } from '../scripts/bench-scale';
import { roleOf, taskQueueFor, taskQueuesOf } from '../shared/task-queues';
import { startSimulator, type Simulator } from '../dev/simulator/server';
import * as workflows from '../workflows';
import { createRoleWorkers, runWorkers } from '../workers/collection-worker';
import { eventually } from './helpers/eventually';
import { connectTestClient, connectTestWorkerConnection, pgAdminUrl, type ScratchDb, scratchDatabase, temporalAddress, testDeps, workflowBundle } from './helpers/services';

/** The simulator's clock: after the close of a trading day, so that nothing depends on the hour the suite runs. */
const FIXED = Date.parse('2026-12-04T18:00:00+09:00');
const RPS = 10;
const QUOTA = 400;
/** About 80 trading dates (enough history for the score and its checks): 16 batches of 5 (SCALE_POLICY), 240 requests. */
const BACKFILL_DAYS = 120;

let client: Client;

beforeAll(async () => {
  client = await connectTestClient();
});

afterAll(async () => {
  await client?.connection.close();
});

describe('task queues by role', () => {
  it('gives every workflow type a role and each role its queue from the configuration', () => {
    const queues = taskQueuesOf(loadConfig({} as NodeJS.ProcessEnv));
    expect(queues).toEqual({ collection: 'compass-collection', reports: 'compass-reports', ops: 'compass-ops' });
    for (const type of Object.keys(workflows)) expect(() => roleOf(type)).not.toThrow();
    expect(['dailyCollection', 'priceBackfill', 'chainSlot', 'initialLoad', 'recomputeTicker', 'dailyPipeline'].map((t) => taskQueueFor(queues, t))).toEqual(Array(6).fill('compass-collection'));
    expect(taskQueueFor(queues, 'counterpartyRiskReport')).toBe('compass-reports');
    expect(['opsWatchdog', 'dailyMarketEmail', 'watchlistScoreAlerts'].map((t) => taskQueueFor(queues, t))).toEqual(Array(3).fill('compass-ops'));
    expect(taskQueueFor('one-queue', 'opsWatchdog')).toBe('one-queue');
    expect(() => roleOf('noSuchWorkflow')).toThrow(/no worker role: add it to WORKFLOW_ROLES/);
  });

  it('puts each schedule of catalog(cfg) on its role\'s queue; a catalog without queue settings takes the context\'s', () => {
    const cfg = loadConfig({ TEMPORAL_TASK_QUEUE_REPORTS: 'r-queue' } as NodeJS.ProcessEnv);
    const queueOf = (entries: ReturnType<typeof catalog>) =>
      Object.fromEntries(entries.map((e) => [e.id, buildScheduleOptions(e, { taskQueue: 'ctx-queue', scope: 'mock' }).options.action.taskQueue]));
    expect(queueOf(catalog(cfg))).toEqual({
      'daily-collection': 'compass-collection', 'weekly-refresh': 'compass-collection', 'monthly-products': 'compass-collection',
      'quarterly-corporate-actions': 'compass-collection', 'daily-pipeline': 'compass-collection',
      'counterparty-risk-report': 'r-queue',
      'daily-market-email': 'compass-ops', 'watchlist-score-alerts': 'compass-ops', 'ops-watchdog': 'compass-ops',
    });
    expect(new Set(Object.values(queueOf(catalog())))).toEqual(new Set(['ctx-queue']));
  });

  it('refuses an unknown WORKER_ROLES entry in one line', () => {
    expect(loadConfig({} as NodeJS.ProcessEnv).WORKER_ROLES).toEqual(['collection', 'reports', 'ops']);
    expect(loadConfig({ WORKER_ROLES: ' reports ,reports' } as NodeJS.ProcessEnv).WORKER_ROLES).toEqual(['reports']);
    expect(() => loadConfig({ WORKER_ROLES: 'collection,report' } as NodeJS.ProcessEnv)).toThrow(
      /\n {2}- WORKER_ROLES: unknown role report: must list collection, reports, ops \(one or more, comma-separated\)\n/,
    );
  });

  it('serves only the roles it is given: WORKER_ROLES=reports polls the reports queue alone', async () => {
    const prefix = `roles-${process.pid}-${Date.now()}`;
    const queues = { collection: prefix, reports: `${prefix}-reports`, ops: `${prefix}-ops` };
    const deps = testDeps({ DATABASE_URL: pgAdminUrl(), SIMULATOR_URL: 'http://127.0.0.1:9' });
    const made = await createRoleWorkers({
      connection: await connectTestWorkerConnection(), namespace: 'default', roles: ['reports'], queues, deps, collectionActivitySlots: 8, workflowBundle: await workflowBundle(),
    });
    expect(made.map((w) => [w.role, w.taskQueue])).toEqual([['reports', queues.reports]]);
    const running = runWorkers(made.map((w) => w.worker));
    try {
      await eventually(async () => ((await pollers(client, queues.reports)).size === 1 ? true : undefined), 'the reports worker polling');
      expect((await pollers(client, queues.collection)).size + (await pollers(client, queues.ops)).size).toBe(0);
    } finally {
      for (const w of made) w.worker.shutdown();
      await running;
      await closeActivityDeps(deps);
    }
  });
});

describe('scale-out: three worker processes share one backfill', () => {
  let sim: Simulator;
  let stack: ScaleStack;
  const dbs: ScratchDb[] = [];
  const bundlePath = path.join(os.tmpdir(), `compass-scale-bundle-${process.pid}.js`);

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, now: () => FIXED, limits: { datagokr: { rps: RPS, daily: QUOTA, onRateExceeded: 'count' } } });
    stack = {
      temporalAddress: temporalAddress(), client, simulatorUrl: sim.url, sim, bundlePath: await buildWorkflowBundle(bundlePath),
      logFile: path.join(os.tmpdir(), `compass-scale-workers-${process.pid}.log`),
    };
  }, 120_000);

  afterAll(async () => {
    for (const db of dbs) await db.drop();
    await sim?.close();
    fs.rmSync(bundlePath, { force: true });
  });

  const freshDb = async (label: string) => {
    const db = await scratchDatabase(label);
    dbs.push(db);
    return db;
  };

  it('keeps to the source\'s rate and quota, shares the batches among all three, and loses nothing when one is killed', async () => {
    const reference = await referenceRun(stack, await freshDb('scaleref'), { asOf: '2024-03-15', backfillDays: BACKFILL_DAYS, policy: SCALE_POLICY, workerEnv: SCALE_WORKER_ENV });
    console.log(`reference: ${reference.status} in ${reference.seconds} s, ${reference.rows} rows`);
    expect(reference.status).toBe('completed');
    const r = await runScaleOut(stack, await freshDb('scaled'), {
      asOf: '2024-03-15', backfillDays: BACKFILL_DAYS, workers: 3, slots: 2, rps: RPS, dailyQuota: QUOTA, policy: SCALE_POLICY, workerEnv: SCALE_WORKER_ENV,
      log: (line) => console.log(line),
    });
    console.log(['scale-out:', ...describeScaleRun(r, { rps: RPS, dailyQuota: QUOTA }, reference)].join('\n'));

    expect(r.status).toBe('completed');
    // The rate and the quota held across three processes: no violation by the simulator's rule (more than RPS within
    // 950 ms) where the requests first arrive (the proxy), and at most one more in a strict 1-s window. The
    // simulator's own count, one hop further in this same busy process, is printed but not asserted: that hop's
    // forwarding delays can bunch arrivals the workers sent 110 ms apart (CI once saw 3 there, 10 at most in any
    // second at the proxy). Pacing per process would show about 3 × RPS at either place.
    expect(r).toMatchObject({ rateViolations: 0, dailyRefused: 0 });
    expect(r.maxRequestsIn1s).toBeLessThanOrEqual(RPS + 1);
    expect(r.requests).toBeGreaterThan(100);
    expect(r.requests).toBeLessThanOrEqual(QUOTA);
    // Every worker finished batches, the killed one before its kill; its batches in flight were retried by the others.
    expect(Object.keys(r.batchesByWorker)).toHaveLength(3);
    expect(Math.min(...Object.values(r.batchesByWorker))).toBeGreaterThan(0);
    expect(r.killed).toBeDefined();
    expect(r.retriedBatches).toBeGreaterThanOrEqual(r.killed!.batchesInFlight);
    // Nothing lost, nothing doubled.
    expect(r.rows).toBeGreaterThan(100_000);
    expect({ rows: r.rows, checksum: r.checksum }).toEqual({ rows: reference.rows, checksum: reference.checksum });
  }, 240_000);

  it('counts the most requests in any one-second window', () => {
    expect(maxInWindow([], 1000)).toBe(0);
    expect(maxInWindow([0, 100, 999, 1000, 1500, 1600], 1000)).toBe(4);
  });

  it('counts rate violations by the simulator\'s rule: more than the limit within the window ending at an arrival', () => {
    expect(violationsOf([], 1, 950)).toBe(0);
    // 1 per second: 0 and 950 are exactly one window apart (no violation); 950 and 1890 are 940 ms apart (one).
    expect(violationsOf([0, 950, 1890, 3000], 1, 950)).toBe(1);
    expect(violationsOf([0, 10, 20], 2, 950)).toBe(1);
    expect(violationsOf([20, 0, 10], 1, 950)).toBe(2);
  });
});
