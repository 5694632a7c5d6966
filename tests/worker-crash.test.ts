/**
 * Crash resilience of the price backfill (issue 12). The daily chain runs with its worker in a process of its
 * own (`workers/main.ts`), which is killed with SIGKILL a few times while batches are in flight and started
 * again each time: the chain still completes, with the same prices and scores as a run without kills.
 * `npm run bench -- crash` does the same with 20 kills at the production policy. The failure budget the
 * activities keep apart from crashes (activities/attempt-budget.ts) is checked on its own first.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApplicationFailure, type Client } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { budgetedAttempt } from '../activities/attempt-budget';
import { buildWorkflowBundle } from '../scripts/build-workflow-bundle';
import { type CrashRunOptions, type CrashStack, runChainWithKills } from '../scripts/lib/crash-run';
import { withWorkerLossAttempts } from '../shared/crash-retries';
import { startSimulator, type Simulator } from '../dev/simulator/server';
import { DEFAULT_POLICY } from '../workflows/policy';
import { connectTestClient, type ScratchDb, scratchDatabase, temporalAddress } from './helpers/services';

/** The simulator's clock: after the close of a trading day, so that nothing depends on the hour the suite runs. */
const FIXED = Date.parse('2026-12-04T18:00:00+09:00');
const KILLS = 4;
/** The failures below are on purpose. */
const quiet = { logger: new DefaultLogger('ERROR') };

describe('failure budget of a crash-tolerant activity', () => {
  // What the worker sees of withWorkerLossAttempts(sourceRetry): 4 + 20 attempts, 1–10 s after a crash; the batch's
  // input carries the source's own policy (30/60/120 s), which its failures follow.
  const retryPolicy = { ...withWorkerLossAttempts(DEFAULT_POLICY.sourceRetry), initialInterval: 1_000, maximumInterval: 10_000 };
  const failOnce = (attempt: number, heartbeatDetails?: unknown) => {
    const env = new MockActivityEnvironment({ attempt, heartbeatDetails, retryPolicy, heartbeatTimeoutMs: 30_000 }, quiet);
    const beats: unknown[] = [];
    env.on('heartbeat', (d: unknown) => beats.push(d));
    const failure = env.run(() => budgetedAttempt(async () => {
      throw ApplicationFailure.create({ message: 'HTTP 503', type: 'SourceRetryable' });
    }, DEFAULT_POLICY.sourceRetry)).catch((e: unknown) => e as ApplicationFailure);
    return failure.then((f) => ({ f, beats }));
  };

  it('gives the server short intervals for crashes, keeping the failure policy for the activity', () => {
    expect(withWorkerLossAttempts(DEFAULT_POLICY.sourceRetry)).toMatchObject({ maximumAttempts: 24, initialInterval: '1s', maximumInterval: '10s' });
    expect(withWorkerLossAttempts({ ...DEFAULT_POLICY.sourceRetry, maximumAttempts: 0 })).toMatchObject({ initialInterval: '30s' });
  });

  it('counts the failures it throws, not the attempts crashes used up, and backs off by that count', async () => {
    // Attempt 7 after six crashes and no failure: the first failure, retried after 30 s.
    const first = await failOnce(7, { done: 5 });
    expect(first.f).toMatchObject({ type: 'SourceRetryable', nonRetryable: false, nextRetryDelay: 30_000 });
    expect(first.beats.at(-1)).toEqual({ done: 5, failures: 1 });
    // Two failures behind it, crashes between them: the third, after 120 s.
    expect((await failOnce(12, { done: 9, failures: 2 })).f).toMatchObject({ nonRetryable: false, nextRetryDelay: 120_000 });
  });

  it('fails for good at the fourth failure (3 retries, seed 001), whatever the attempt number', async () => {
    const last = await failOnce(15, { done: 9, failures: 3 });
    expect(last.f).toMatchObject({ type: 'SourceRetryable', nonRetryable: true, message: 'HTTP 503' });
  });

  it('leaves the budget to Temporal under a policy without room for crashes', async () => {
    const env = new MockActivityEnvironment({ attempt: 2, retryPolicy: DEFAULT_POLICY.dbRetry }, quiet);
    const err = new Error('connection reset');
    await expect(env.run(() => budgetedAttempt(async () => Promise.reject(err)))).rejects.toBe(err);
  });
});

describe('daily chain under worker crashes (SIGKILL)', () => {
  let sim: Simulator;
  let client: Client;
  let stack: CrashStack;
  const dbs: ScratchDb[] = [];
  const bundlePath = path.join(os.tmpdir(), `compass-crash-bundle-${process.pid}.js`);

  beforeAll(async () => {
    // 150 ms a request keeps each batch of 20 dates in flight for about 10 s, long enough to be killed in.
    sim = await startSimulator({ port: 0, now: () => FIXED, faults: { latencyMs: 150 } });
    client = await connectTestClient();
    stack = {
      temporalAddress: temporalAddress(), client, simulatorUrl: sim.url, bundlePath: await buildWorkflowBundle(bundlePath),
      logFile: path.join(os.tmpdir(), `compass-crash-workers-${process.pid}.log`),
    };
  }, 120_000);

  afterAll(async () => {
    for (const db of dbs) await db.drop();
    await client?.connection.close();
    await sim?.close();
    fs.rmSync(bundlePath, { force: true });
  });

  const run = async (kills: number) => {
    const db = await scratchDatabase(`crash${kills}`);
    dbs.push(db);
    const o: CrashRunOptions = {
      asOf: '2024-03-15', backfillDays: 120, kills, killAfterMs: [1000, 4000],
      // A kill costs one heartbeat timeout before the retry: 10 s here instead of 30.
      policy: { heartbeatTimeout: '10s', sourceRetry: { initialInterval: '100ms', maximumInterval: '200ms' }, dbRetry: { initialInterval: '100ms' } },
      workerEnv: { DATAGOKR_RPS: '1000', DATAGOKR_PAGE_SIZE: '1000' },
    };
    return runChainWithKills(stack, db, o);
  };

  it(`completes with identical prices and scores after ${KILLS} kills of its worker mid-batch`, async () => {
    const calm = await run(0);
    const crashed = await run(KILLS);
    process.stderr.write(`worker-crash: ${JSON.stringify({ calm, crashed })}\n`);
    expect(calm.status).toBe('completed');
    expect(crashed).toMatchObject({ status: 'completed', kills: KILLS });
    expect(calm.rows).toBeGreaterThan(200_000);
    expect(crashed).toMatchObject({ rows: calm.rows, checksum: calm.checksum, scoreChecksum: calm.scoreChecksum });
    // The kills landed in batches (each lost attempt is one more), and none of them came near the budget of 4 + 20.
    const attempts = Object.values(crashed.attempts);
    expect(Math.max(...attempts)).toBeGreaterThan(1);
    expect(Math.max(...attempts)).toBeLessThanOrEqual(1 + KILLS);
  }, 300_000);
});
