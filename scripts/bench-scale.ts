/**
 * npm run bench -- scale
 * Issue 14's scale-out: three worker processes (workers/main.ts with every role, each its own pid and so its own
 * worker identity) share one daily chain's price backfill, with the simulator holding data.go.kr to RPS requests a
 * second and QUOTA a day (counting, not refusing, what comes too fast) and the workers' DATAGOKR_RPS and
 * DATAGOKR_DAILY_QUOTA at the same values: the pacing and the count are shared through PostgreSQL
 * (db/source-budget.ts), not per process. Once every worker has finished a batch, the one holding the most batches
 * in flight is killed with SIGKILL; the other two finish the chain. Then: the requests the simulator served, the
 * most that arrived in any one second (timed by a pass-through proxy in front of the simulator), its rate
 * violations and quota refusals, the batches each worker finished (the identities of the loadPriceBatch
 * ActivityTaskStarted events in the chain's histories), and rows and checksum of stock_price_daily against the same
 * chain run first by one worker without limits or kills. tests/scale-out.test.ts runs the same, smaller.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { IsoDate } from '../calendar/trading-calendar';
import type { Db } from '../db/database';
import { DATAGOKR_PREFIX } from '../dev/simulator/datagokr';
import type { Simulator } from '../dev/simulator/server';
import type { ChainPolicy } from '../workflows/policy';
import { type CrashRunOptions, type CrashRunReport, type CrashStack, runChainWithKills, signalAndWait, spawnWorker, startChain, tableSums } from './lib/crash-run';
import { startWorkerProcessStack } from './lib/worker-process-stack';

const { TaskQueueType } = temporal.api.enums.v1;
const STARTED = temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED;
const BATCH = 'loadPriceBatch';
const POLL_MS = 300;

export interface ScaleRunOptions extends Pick<CrashRunOptions, 'asOf' | 'backfillDays' | 'workerEnv' | 'log'> {
  /** Worker processes (3). */
  workers: number;
  /** Activity slots of each worker's collection role: with workers × slots = policy.parallelism every worker holds batches. */
  slots: number;
  /** data.go.kr requests a second and a day: the simulator's limits, and the workers' DATAGOKR_RPS / DATAGOKR_DAILY_QUOTA. */
  rps: number;
  dailyQuota: number;
  policy: Partial<ChainPolicy>;
}

export interface ScaleRunReport {
  status: string;
  seconds: number;
  /** What the simulator saw of data.go.kr. */
  requests: number;
  maxRequestsIn1s: number;
  /** Arrivals at the proxy, the requests' first stop, with more than `rps` in the 950 ms before them (the simulator's rule). */
  rateViolations: number;
  /** The same rule counted by the simulator, one hop later: the proxy's forwarding in this busy process adds its own jitter. */
  simulatorRateViolations: number;
  dailyRefused: number;
  /** Finished price batches by worker identity (pid@host), the killed one included. */
  batchesByWorker: Record<string, number>;
  killed: { identity: string; batchesInFlight: number } | undefined;
  /** Batches that took more than one attempt (those the kill interrupted). */
  retriedBatches: number;
  rows: number;
  checksum: string;
}

/** `runChainWithKills`' stack, and the simulator it points at (its stats are read, and reset before the run). */
export interface ScaleStack extends CrashStack {
  sim: Simulator;
}

/** Each role's queue under `prefix`, so that the run's workers poll queues of their own. */
function roleQueueEnv(prefix: string): Record<string, string> {
  return { TEMPORAL_TASK_QUEUE: prefix, TEMPORAL_TASK_QUEUE_REPORTS: `${prefix}-reports`, TEMPORAL_TASK_QUEUE_OPS: `${prefix}-ops` };
}

export async function runScaleOut(stack: ScaleStack, db: { url: string; db: Db }, o: ScaleRunOptions): Promise<ScaleRunReport> {
  const log = o.log ?? (() => undefined);
  const taskQueue = `scale-${process.pid}-${Date.now()}`;
  const workflowId = `scale-run-${o.asOf}-${Date.now()}`;
  const childId = `${workflowId}/prices`;
  stack.sim.reset();
  const proxy = await timingProxy(stack.sim.url);
  const queues = roleQueueEnv(taskQueue);
  const env = {
    ...queues, COLLECTION_METRICS_PORT: '0', WORKER_MAX_CONCURRENT_ACTIVITIES: String(o.slots),
    DATAGOKR_RPS: String(o.rps), DATAGOKR_DAILY_QUOTA: String(o.dailyQuota), ...o.workerEnv,
  };
  const workers = new Map<string, ChildProcess>();
  const spawned = Date.now();
  for (let i = 0; i < o.workers; i++) {
    const child = spawnWorker({ ...stack, simulatorUrl: proxy.url }, db.url, taskQueue, env);
    workers.set(`${child.pid}@${os.hostname()}`, child);
  }
  try {
    await waitForPollers(stack.client, Object.values(queues), [...workers.keys()], workers, stack.logFile);
    log(`  ${o.workers} workers polling every role's queue after ${((Date.now() - spawned) / 1000).toFixed(1)} s: ${[...workers.keys()].join(', ')}`);
    const started = Date.now();
    const chain = startChain(stack.client, taskQueue, workflowId, o);

    let killed: ScaleRunReport['killed'];
    while (!chain.closed && !killed) {
      await sleep(POLL_MS);
      const done = (await batchesOf(stack.client, [childId])).byWorker;
      if (![...workers.keys()].every((id) => (done[id] ?? 0) > 0)) continue;
      const holders = await batchHolders(stack.client, childId);
      const victim = [...holders.entries()].filter(([id]) => workers.has(id)).sort((a, b) => b[1] - a[1])[0];
      if (!victim) continue;
      await signalAndWait(workers.get(victim[0])!, 'SIGKILL');
      workers.delete(victim[0]);
      killed = { identity: victim[0], batchesInFlight: victim[1] };
      log(`  killed ${victim[0]} (SIGKILL) at ${((Date.now() - started) / 1000).toFixed(1)} s, ${victim[1]} batches in flight; finished so far ${JSON.stringify(done)}`);
    }
    const status = await chain.result;
    const seconds = Number(((Date.now() - started) / 1000).toFixed(1));
    const { byWorker, retried } = await batchesOf(stack.client, [workflowId, childId]);
    const stats = stack.sim.stats().bySource.datagokr;
    const { rows, checksum } = await tableSums(db.db);
    const arrivals = await proxy.arrivals();
    return {
      status, seconds, requests: stats.requests, maxRequestsIn1s: maxInWindow(arrivals, 1000),
      rateViolations: violationsOf(arrivals, o.rps, RATE_WINDOW_MS), simulatorRateViolations: stats.rate_violations,
      dailyRefused: stats.dailyRefused, batchesByWorker: byWorker, killed, retriedBatches: retried, rows, checksum,
    };
  } finally {
    const stopping = Date.now();
    await Promise.all([...workers.values()].map((child) => signalAndWait(child, 'SIGINT')));
    log(`  workers stopped in ${((Date.now() - stopping) / 1000).toFixed(1)} s`);
    await proxy.close();
  }
}

/** Until every worker polls the workflow and activity tasks of every queue (a worker that exits first fails it). */
async function waitForPollers(client: Client, queues: string[], identities: string[], workers: Map<string, ChildProcess>, logFile: string): Promise<void> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    const exited = [...workers.values()].find((w) => w.exitCode !== null);
    if (exited) throw new Error(`worker ${exited.pid} exited (code ${exited.exitCode}); see ${logFile}`);
    const polling = await Promise.all(queues.map((q) => pollers(client, q)));
    if (polling.every((p) => identities.every((id) => p.has(id)))) return;
    if (Date.now() > deadline) throw new Error(`the workers did not all poll ${queues.join(', ')} within 3 minutes; see ${logFile}`);
    await sleep(500);
  }
}

/** The dev server splits a task queue into this many partitions; a poller shows only on the partition it polls. */
const PARTITIONS = 4;

/** The identities polling both the workflow and the activity tasks of `queue`, on any of its partitions. */
export async function pollers(client: Client, queue: string): Promise<Set<string>> {
  const names = [queue, ...Array.from({ length: PARTITIONS - 1 }, (_, i) => `/_sys/${queue}/${i + 1}`)];
  const of = async (taskQueueType: temporal.api.enums.v1.TaskQueueType) => {
    const found = await Promise.all(names.map((name) => client.workflowService.describeTaskQueue({ namespace: client.options.namespace, taskQueue: { name }, taskQueueType })));
    return new Set(found.flatMap((r) => (r.pollers ?? []).map((p) => p.identity ?? '')));
  };
  const [workflowPollers, activityPollers] = await Promise.all([of(TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW), of(TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY)]);
  return new Set([...workflowPollers].filter((id) => activityPollers.has(id)));
}

/** Finished price batches per worker identity, and how many took more than one attempt, from the histories. */
async function batchesOf(client: Client, workflowIds: string[]): Promise<{ byWorker: Record<string, number>; retried: number }> {
  const byWorker: Record<string, number> = {};
  let retried = 0;
  for (const id of workflowIds) {
    const history = await client.workflow.getHandle(id).fetchHistory().catch(() => undefined);
    const batches = new Set<string>();
    for (const e of history?.events ?? []) {
      if (e.activityTaskScheduledEventAttributes?.activityType?.name === BATCH) batches.add(String(e.eventId));
      const s = e.activityTaskStartedEventAttributes;
      // A retried activity's started event is written once it closes, naming the worker of its last attempt.
      if (!s || !batches.has(String(s.scheduledEventId))) continue;
      byWorker[s.identity ?? '?'] = (byWorker[s.identity ?? '?'] ?? 0) + 1;
      if ((s.attempt ?? 1) > 1) retried++;
    }
  }
  return { byWorker, retried };
}

/** Price batches running now, by the worker that holds each. */
async function batchHolders(client: Client, workflowId: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const d = await client.workflow.getHandle(workflowId).describe().catch(() => undefined);
  for (const a of d?.raw.pendingActivities ?? []) {
    if (a.activityType?.name !== BATCH || a.state !== STARTED || !a.lastWorkerIdentity) continue;
    out.set(a.lastWorkerIdentity, (out.get(a.lastWorkerIdentity) ?? 0) + 1);
  }
  return out;
}

/** The most timestamps (ms) in any window of `windowMs` (half-open: one exactly windowMs later is in the next). */
export function maxInWindow(times: number[], windowMs: number): number {
  const t = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; j < t.length; j++) {
    while (t[j]! - t[i]! >= windowMs) i++;
    most = Math.max(most, j - i + 1);
  }
  return most;
}

/** The simulator's tolerance for jitter is 50 ms (dev/simulator/quota.ts): its rate window is 950 ms. */
const RATE_WINDOW_MS = 950;

/**
 * The simulator's rate rule applied to arrival times: an arrival is a violation when, counting it, more than
 * `limit` arrived within the `windowMs` that end at it (an arrival exactly `windowMs` earlier no longer counts).
 */
export function violationsOf(times: number[], limit: number, windowMs: number): number {
  const t = [...times].sort((a, b) => a - b);
  let violations = 0;
  for (let i = 0, j = 0; j < t.length; j++) {
    while (t[i]! <= t[j]! - windowMs) i++;
    if (j - i + 1 > limit) violations++;
  }
  return violations;
}

/** The timing proxy (scripts/lib/timing-proxy.js) in its own process, in front of `target`. */
async function timingProxy(target: string): Promise<{ url: string; arrivals: () => Promise<number[]>; close: () => Promise<void> }> {
  const child = spawn(process.execPath, [path.join(__dirname, 'lib', 'timing-proxy.js'), target, DATAGOKR_PREFIX], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n')) resolve((JSON.parse(line!) as { port: number }).port);
    });
    child.once('exit', (code) => reject(new Error(`the timing proxy exited (${code}) before listening`)));
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    arrivals: async () => (await (await fetch(`${url}/__timing-proxy/arrivals`)).json()) as number[],
    close: () => signalAndWait(child, 'SIGTERM'),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// --- npm run bench -- scale ------------------------------------------------------------------------

const AS_OF = '2024-03-15';
const BACKFILL_DAYS = 180;
/** The simulator's clock: after that day's close, whenever the benchmark runs. */
const FIXED = Date.parse('2026-12-04T18:00:00+09:00');
const RPS = 10;
const QUOTA = 1000;
/**
 * Batches of 5 dates, 6 in flight: two on each of three workers with 2 slots. A killed worker holds its batches up
 * for one heartbeat timeout (5 s). Also the test's.
 */
export const SCALE_POLICY: Partial<ChainPolicy> = {
  batchDates: 5, parallelism: 6, heartbeatTimeout: '5s',
  sourceRetry: { initialInterval: '200ms', maximumInterval: '1s' }, dbRetry: { initialInterval: '200ms' },
};
/** Three pages of 1,000 rows a date: three requests to pace. */
export const SCALE_WORKER_ENV = { DATAGOKR_PAGE_SIZE: '1000' };

/** The reference: one worker (collection role only), no limits and no kills. */
export function referenceRun(stack: CrashStack, db: { url: string; db: Db }, o: { asOf: IsoDate; backfillDays: number; policy: Partial<ChainPolicy>; workerEnv: Record<string, string> }): Promise<CrashRunReport> {
  return runChainWithKills(stack, db, {
    ...o, kills: 0, killAfterMs: [0, 0],
    workerEnv: { WORKER_ROLES: 'collection', COLLECTION_METRICS_PORT: '0', DATAGOKR_RPS: '1000', ...o.workerEnv },
  });
}

/** The figures of a run, one per line. */
export function describeScaleRun(r: ScaleRunReport, o: { rps: number; dailyQuota: number }, reference: { rows: number; checksum: string }): string[] {
  return [
    `  chain ${r.status} in ${r.seconds} s`,
    `  data.go.kr requests ${r.requests} (daily quota ${o.dailyQuota}, refused ${r.dailyRefused}); most in any 1 s: ${r.maxRequestsIn1s} (limit ${o.rps}); rate violations ${r.rateViolations} at the proxy, ${r.simulatorRateViolations} behind it at the simulator`,
    `  batches by worker ${JSON.stringify(r.batchesByWorker)}; killed ${r.killed ? `${r.killed.identity} with ${r.killed.batchesInFlight} in flight` : 'none'}; retried batches ${r.retriedBatches}`,
    `  stock_price_daily ${r.rows} rows, md5 ${r.checksum}; reference run ${reference.rows} rows, md5 ${reference.checksum}`,
  ];
}

export async function benchScale(): Promise<Record<string, unknown>> {
  const stops: Array<() => Promise<unknown>> = [];
  try {
    const { stack, freshDb } = await startWorkerProcessStack('scale', { now: () => FIXED, limits: { datagokr: { rps: RPS, daily: QUOTA, onRateExceeded: 'count' } } }, stops);
    const logFile = stack.logFile;

    process.stderr.write(`reference: ${AS_OF}, ${BACKFILL_DAYS} days back, one worker, no limits (worker output: ${logFile})…\n`);
    const reference = await referenceRun(stack, await freshDb('ref'), { asOf: AS_OF, backfillDays: BACKFILL_DAYS, policy: SCALE_POLICY, workerEnv: SCALE_WORKER_ENV });
    process.stderr.write(`  ${reference.status} in ${reference.seconds} s, ${reference.rows} rows\n`);
    process.stderr.write(`scale-out: 3 workers, data.go.kr at ${RPS} req/s and ${QUOTA} a day, one worker killed mid-run…\n`);
    const r = await runScaleOut(stack, await freshDb('scaled'), {
      asOf: AS_OF, backfillDays: BACKFILL_DAYS, workers: 3, slots: 2, rps: RPS, dailyQuota: QUOTA, policy: SCALE_POLICY, workerEnv: SCALE_WORKER_ENV,
      log: (line) => process.stderr.write(`${line}\n`),
    });
    for (const line of describeScaleRun(r, { rps: RPS, dailyQuota: QUOTA }, reference)) process.stderr.write(`${line}\n`);
    return {
      scale_run_s: r.seconds,
      reference_run_s: reference.seconds,
      status: r.status,
      requests: r.requests,
      daily_quota: QUOTA,
      max_requests_1s: r.maxRequestsIn1s,
      rps_limit: RPS,
      rate_violations: r.rateViolations,
      simulator_rate_violations: r.simulatorRateViolations,
      daily_refused: r.dailyRefused,
      batches_by_worker: r.batchesByWorker,
      killed: r.killed?.identity,
      retried_batches: r.retriedBatches,
      rows: r.rows,
      checksum: r.checksum,
      rows_equal: r.rows === reference.rows,
      checksum_equal: r.checksum === reference.checksum,
    };
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  }
}
