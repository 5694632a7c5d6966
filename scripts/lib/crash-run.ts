/**
 * The daily chain with its worker in a process of its own that is killed with SIGKILL `kills` times and
 * started again each time, always while a price batch or the score is in flight; then what the database
 * holds (row count and checksums) and how many attempts each batch took. Used by tests/worker-crash.test.ts
 * (a few kills) and `npm run bench -- crash` (20).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { IsoDate } from '../../calendar/trading-calendar';
import type { Db } from '../../db/database';
import { dailyCollection } from '../../workflows';
import type { ChainPolicy } from '../../workflows/policy';

const ROOT = path.resolve(__dirname, '../..');
const POLL_MS = 250;

export interface CrashStack {
  temporalAddress: string;
  client: Client;
  simulatorUrl: string;
  /** A prebuilt workflow bundle (scripts/build-workflow-bundle.ts), so that a restarted worker polls within seconds. */
  bundlePath: string;
  /** Where the worker processes' output goes. */
  logFile: string;
}

export interface CrashRunOptions {
  asOf: IsoDate;
  backfillDays: number;
  policy?: Partial<ChainPolicy>;
  kills: number;
  /** The kill comes this long (ms, drawn between the two) after an attempt started on the fresh worker. */
  killAfterMs: [number, number];
  workerEnv?: Record<string, string>;
  log?: (line: string) => void;
}

export interface CrashRunReport {
  status: string;
  seconds: number;
  kills: number;
  /** Attempts of each price batch (by its dates) and of the score, as the workflow histories record them. */
  attempts: Record<string, number>;
  rows: number;
  /** md5 of every stock_price_daily row but its load time, in key order. */
  checksum: string;
  /** The same over compass_score_daily. */
  scoreChecksum: string;
}

export async function runChainWithKills(stack: CrashStack, db: { url: string; db: Db }, o: CrashRunOptions): Promise<CrashRunReport> {
  const log = o.log ?? (() => undefined);
  const taskQueue = `crash-${process.pid}-${Date.now()}`;
  const workflowId = `crash-run-${o.asOf}-${Date.now()}`;
  let since = await dbNow(db.db);
  let worker = spawnWorker(stack, db.url, taskQueue, o.workerEnv ?? {});
  const started = Date.now();
  const chain = startChain(stack.client, taskQueue, workflowId, o);
  let kills = 0;
  try {
    while (kills < o.kills && !chain.closed) {
      const dead = () => chain.closed || worker.exitCode !== null;
      if (!(await waitFor(() => attemptRunningSince(db.db, since), dead))) {
        if (chain.closed) break;
        throw new Error(`the worker exited by itself (code ${worker.exitCode}); see ${stack.logFile}`);
      }
      const [lo, hi] = o.killAfterMs;
      await sleep(lo + Math.random() * (hi - lo));
      // Only mid-attempt: the steps between the batches and the score are not what this measures.
      if (chain.closed || !(await attemptRunningSince(db.db, since))) continue;
      await signalAndWait(worker, 'SIGKILL');
      kills++;
      log(`  kill ${kills}/${o.kills} at ${((Date.now() - started) / 1000).toFixed(1)} s`);
      since = await dbNow(db.db);
      worker = spawnWorker(stack, db.url, taskQueue, o.workerEnv ?? {});
    }
    const status = await chain.result;
    const seconds = Number(((Date.now() - started) / 1000).toFixed(1));
    const attempts = await attemptsOf(stack.client, [workflowId, `${workflowId}/prices`]);
    return { status, seconds, kills, attempts, ...(await tableSums(db.db)) };
  } finally {
    await signalAndWait(worker, 'SIGINT');
  }
}

/** Starts the daily chain on `taskQueue`; `closed` turns true when it ends, `result` is its status or "failed: …". */
export function startChain(client: Client, taskQueue: string, workflowId: string, o: Pick<CrashRunOptions, 'asOf' | 'backfillDays' | 'policy'>) {
  const chain = { closed: false, result: Promise.resolve('') };
  chain.result = client.workflow
    .execute(dailyCollection, { taskQueue, workflowId, args: [{ asOf: o.asOf, backfillDays: o.backfillDays, policy: o.policy }] })
    .then((r) => r.status, (err: Error) => `failed: ${err.message}`)
    .finally(() => (chain.closed = true));
  return chain;
}

export function spawnWorker(stack: CrashStack, dbUrl: string, taskQueue: string, env: Record<string, string>): ChildProcess {
  const out = fs.openSync(stack.logFile, 'a');
  const child = spawn(process.execPath, ['--import', 'tsx', 'workers/main.ts'], {
    cwd: ROOT,
    stdio: ['ignore', out, out],
    env: {
      ...process.env, TEMPORAL_ADDRESS: stack.temporalAddress, TEMPORAL_NAMESPACE: 'default', TEMPORAL_TASK_QUEUE: taskQueue,
      DATABASE_URL: dbUrl, SIMULATOR_URL: stack.simulatorUrl, WORKFLOW_BUNDLE_PATH: stack.bundlePath, DATA_SCOPE: 'mock',
      // Several workers on one host: each its own free metrics port instead of all fighting for 9466.
      LOG_LEVEL: 'warn', LOG_PRETTY: '0', COLLECTION_METRICS_PORT: '0', ...env,
    },
  });
  fs.closeSync(out);
  return child;
}

async function dbNow(db: Db): Promise<Date> {
  return (await db.selectNoFrom((eb) => eb.fn<Date>('clock_timestamp').as('t')).executeTakeFirstOrThrow()).t;
}

/** A price batch or the score has an attempt running that started after `since` (each attempt restamps its step's row). */
async function attemptRunningSince(db: Db, since: Date): Promise<boolean> {
  const r = await db
    .selectFrom('data_collection_log')
    .select((eb) => eb.cast<number>(eb.fn.countAll(), 'integer').as('n'))
    .where('status', '=', 'running')
    .where('started_at', '>=', since)
    .where((eb) => eb.or([eb('step', 'like', 'prices %'), eb('step', '=', 'compass-score')]))
    .executeTakeFirstOrThrow();
  return r.n > 0;
}

async function waitFor(cond: () => Promise<boolean>, stop: () => boolean): Promise<boolean> {
  while (!stop()) {
    if (await cond()) return true;
    await sleep(POLL_MS);
  }
  return false;
}

/** Sends `signal` and resolves once the process is gone (a SIGINT left unanswered for 30 s becomes a SIGKILL). */
export function signalAndWait(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill(signal);
    if (signal !== 'SIGKILL') setTimeout(() => child.kill('SIGKILL'), 30_000).unref();
  });
}

async function attemptsOf(client: Client, workflowIds: string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const id of workflowIds) {
    const history = await client.workflow.getHandle(id).fetchHistory().catch(() => undefined);
    const labels = new Map<string, string>();
    for (const e of history?.events ?? []) {
      const scheduled = e.activityTaskScheduledEventAttributes;
      const type = scheduled?.activityType?.name;
      if (scheduled && (type === 'loadPriceBatch' || type === 'computeCompassScores')) {
        const input = JSON.parse(Buffer.from(scheduled.input!.payloads![0]!.data!).toString()) as { dates?: string[] };
        labels.set(String(e.eventId), input.dates ? `prices ${input.dates[0]}..${input.dates[input.dates.length - 1]}` : 'compass-score');
      }
      const startedAttrs = e.activityTaskStartedEventAttributes;
      const label = startedAttrs && labels.get(String(startedAttrs.scheduledEventId));
      if (label) out[label] = startedAttrs.attempt ?? 1;
    }
  }
  return out;
}

export async function tableSums(db: Db): Promise<{ rows: number; checksum: string; scoreChecksum: string }> {
  // md5 over the rows' text, one line per row in key order: equal tables give equal sums.
  const prices = await db
    .selectFrom('stock_price_daily')
    .select((eb) => [
      eb.cast<number>(eb.fn.countAll(), 'integer').as('n'),
      eb.fn<string>('md5', [eb.fn.coalesce(
        eb.fn.agg<string | null>('string_agg', [
          eb.fn('concat_ws', [eb.val('|'), 'ticker', 'trade_date', 'market', 'open_price', 'high_price', 'low_price', 'close_price', 'change_amount',
            'change_rate', 'volume', 'trading_value', 'market_cap', 'listed_shares', 'source']),
          eb.val('\n'),
        ]).orderBy('ticker').orderBy('trade_date'),
        eb.val(''),
      )]).as('sum'),
    ])
    .executeTakeFirstOrThrow();
  const scores = await db
    .selectFrom('compass_score_daily')
    .select((eb) => eb.fn<string>('md5', [eb.fn.coalesce(
      eb.fn.agg<string | null>('string_agg', [
        eb.fn('concat_ws', [eb.val('|'), 'ticker', 'score_date', 'technical_score', 'risk_score', 'financial_score', 'valuation_score', 'total_score']),
        eb.val('\n'),
      ]).orderBy('ticker').orderBy('score_date'),
      eb.val(''),
    )]).as('sum'))
    .executeTakeFirstOrThrow();
  return { rows: prices.n, checksum: prices.sum, scoreChecksum: scores.sum };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
