/**
 * npm run record-histories [-- --only NAME,NAME] [--force]
 *
 * Records the replay fixtures of tests/replay.test.ts (tests/fixtures/histories/NAME.json) by running
 * the real workflows, small, on the parts npm test uses: a fresh in-memory Temporal dev server,
 * PostgreSQL (TEST_DATABASE_URL, 127.0.0.1:5432/test or an embedded one) with a scratch database, the
 * simulator as every source, the collection worker and the mock scope's job workers, each on the
 * test clock. Each file holds the run's history and its workflow id, as
 * `{ "workflowId": …, "events": [...] }` (what `temporal workflow show --output json` prints, plus the id).
 *
 * A fixture is a history recorded with the code of its day: it is kept when the workflow changes, so
 * that replay keeps proving that runs started before a deploy still finish after it. So by default only
 * missing files are written; --only re-records the named ones, --force all of this script's.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { closeActivityDeps } from '../activities/deps';
import { jobSpecOf } from '../jobs/catalog';
import { allJobNamespaces } from '../jobs/namespaces';
import { applyJobs, deleteJobSchedule, runNow } from '../jobs/operations';
import { PRICE_MONITOR, PRICE_MONITOR_WORKFLOW_ID, queueLoopWorkflowId, slotWorkflowId } from '../shared/jobs';
import { listedCompanies } from '../dev/simulator/companies';
import { startSimulator } from '../dev/simulator/server';
import { chainSlot, dailyMarketEmail, dailyPipeline, priceRangeBackfill, quarterlyCorporateActions, recomputeTicker, watchlistScoreAlerts } from '../workflows';
import type { ChainPolicy } from '../workflows/policy';
import { createCollectionWorker } from '../workers/collection-worker';
import { eventually, jobEntry, jobScopeHarness } from '../tests/helpers/jobs';
import { connectTestClient, connectTestWorkerConnection, scratchDatabase, testDeps, workflowBundle } from '../tests/helpers/services';
import { testClock } from '../tests/helpers/clock';
import { historyToJsonObject } from './lib/history-json';
import { adminPostgres } from './lib/postgres';
import { freePort } from './lib/ports';
import { resolveTemporalCli, startDevServer } from './lib/temporal-server';

const ROOT = path.resolve(__dirname, '..');
const HISTORIES_DIR = path.join(ROOT, 'tests', 'fixtures', 'histories');
const FAST: Partial<ChainPolicy> = { sourceRetry: { initialInterval: '100ms', maximumInterval: '200ms' }, dbRetry: { initialInterval: '100ms' }, publishWaitInterval: '1s', publishWaitMax: 1 };
const EMAIL_RETRY = { initialInterval: '200ms', maximumInterval: '500ms' } as const;
const TASK_QUEUE = 'record-histories';

/** One fixture: the file name (without .json) and the run whose history it holds. */
interface Recorded {
  name: string;
  client: Client;
  workflowId: string;
  runId?: string;
}

function parseArgs(argv: string[]): { only?: Set<string>; force: boolean } {
  const i = argv.indexOf('--only');
  const only = i >= 0 ? new Set((argv[i + 1] ?? '').split(',').map((s) => s.trim()).filter(Boolean)) : undefined;
  if (only && only.size === 0) throw new Error('--only needs NAME[,NAME…] (file names in tests/fixtures/histories without .json)');
  return { only, force: argv.includes('--force') };
}

async function main(): Promise<void> {
  const { only, force } = parseArgs(process.argv.slice(2));
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const stops: Array<() => Promise<unknown>> = [];
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'compass-record-'));
  stops.push(async () => fs.rmSync(tmp, { recursive: true, force: true }));
  try {
    const temporal = await startDevServer({
      cliPath: resolveTemporalCli(), port: await freePort(), logFile: path.join(tmp, 'temporal.log'), namespaces: allJobNamespaces(),
    });
    stops.push(temporal.stop);
    // The test helpers below read the services from these, as under npm test.
    process.env.COMPASS_TEST_TEMPORAL_ADDRESS = temporal.address;
    process.env.COMPASS_TEST_PG_ADMIN_URL = await adminPostgres(path.join(ROOT, '.data', 'test-postgres'), freePort, stops);

    const recorded = await runScenarios(stops, tmp);
    let written = 0;
    for (const r of recorded) {
      const file = path.join(HISTORIES_DIR, `${r.name}.json`);
      const wanted = only ? only.has(r.name) : force || !fs.existsSync(file);
      if (!wanted) {
        console.log(`kept      ${path.relative(ROOT, file)} (exists; --only ${r.name} or --force records it again)`);
        continue;
      }
      const history = await r.client.workflow.getHandle(r.workflowId, r.runId).fetchHistory();
      fs.writeFileSync(file, `${JSON.stringify({ workflowId: r.workflowId, ...historyToJsonObject(history) })}\n`);
      console.log(`recorded  ${path.relative(ROOT, file)} (${history.events?.length ?? 0} events, workflow ${r.workflowId})`);
      written++;
    }
    const unknown = [...(only ?? [])].filter((n) => !recorded.some((r) => r.name === n));
    if (unknown.length) throw new Error(`no scenario records ${unknown.join(', ')}; this script records ${recorded.map((r) => r.name).join(', ')}`);
    console.log(`${written} fixture(s) written; replay them with: npm test -- tests/replay.test.ts`);
  } finally {
    for (const stop of stops.reverse()) await stop().catch((err: unknown) => console.error(`[record-histories] stop: ${String(err)}`));
  }
}

/** Runs every scenario once, in order (the emails read what the chain loaded), and names the runs to keep. */
async function runScenarios(stops: Array<() => Promise<unknown>>, tmp: string): Promise<Recorded[]> {
  const sim = await startSimulator({ port: 0, now: testClock });
  stops.push(() => sim.close());
  const scratch = await scratchDatabase('record');
  stops.push(() => scratch.drop());
  const client = await connectTestClient();
  stops.push(() => client.connection.close());

  const base = testDeps({
    DATABASE_URL: scratch.url, SIMULATOR_URL: sim.url, DATA_SCOPE: 'mock', DATAGOKR_PAGE_SIZE: '1000', OUTBOX_DIR: path.join(tmp, 'outbox'),
    DATAGOKR_RPS: '1000', DART_RPS: '1000', YAHOO_RPS: '1000', PIPELINE_KILL_GRACE_SEC: '1',
    // Five days of prices are too few for a score (it needs months); the check would stop the chain before its last steps.
    CHECK_SCORE_COVERAGE: '0',
    PIPELINE_COMMAND: `${process.execPath} ${path.join(ROOT, 'dev', 'pipeline-demo', 'run.js')} --market KR`,
  });
  // The demo pipeline checks that the LLM keys are there; it never calls a model.
  const deps = { ...base, env: { ...process.env, OPENAI_API_KEY: 'sk-record-0123456789', ANTHROPIC_API_KEY: 'sk-ant-record-0123456789' } };
  stops.push(() => closeActivityDeps(deps));
  const worker = await createCollectionWorker({ connection: await connectTestWorkerConnection(), namespace: 'default', taskQueue: TASK_QUEUE, deps, workflowBundle: await workflowBundle() });
  const running = worker.run();
  stops.push(async () => {
    worker.shutdown();
    await running;
  });
  const jobs = await jobScopeHarness('mock', scratch, { simulatorUrl: sim.url });
  stops.push(() => jobs.close());

  const run = client.workflow.execute.bind(client.workflow);
  const out: Recorded[] = [];
  const keep = (name: string, workflowId: string, on: Client = client, runId?: string) => out.push({ name, client: on, workflowId, runId });

  // Quarterly corporate actions of three listed companies (dart_corp_code is all the plan reads), one kind.
  for (const c of listedCompanies().slice(0, 3)) {
    await scratch.db.insertInto('dart_corp_code').values({ corp_code: c.corpCode, corp_name: c.name, stock_code: c.ticker!.srtnCd }).execute();
  }
  await run(quarterlyCorporateActions, { taskQueue: TASK_QUEUE, workflowId: 'quarterly-corporate-actions-2024-Q2', args: [{ asOf: '2024-04-07', kinds: ['cmpMgDecsn'], policy: FAST }] });
  keep('quarterly-corporate-actions', 'quarterly-corporate-actions-2024-Q2');

  // A schedule slot of the daily chain: the chain as its child, five days of prices (one batch, no backfill child).
  await run(chainSlot, { taskQueue: TASK_QUEUE, workflowId: 'record-chain-slot', args: [{ chain: 'daily-collection', asOf: '2024-03-15', args: { backfillDays: 5, policy: FAST } }] });
  keep('chain-slot', 'record-chain-slot');
  keep('daily-collection-slot', 'daily-collection-2024-03-15');

  await run(recomputeTicker, { taskQueue: TASK_QUEUE, workflowId: 'ops-recompute-005930', args: [{ ticker: '005930' }] });
  keep('recompute-ticker', 'ops-recompute-005930');

  // An operator's backfill of one week: the range workflow and its priceBackfill child.
  await run(priceRangeBackfill, { taskQueue: TASK_QUEUE, workflowId: 'ops-price-backfill', args: [{ from: '2024-02-05', to: '2024-02-08', policy: FAST }] });
  keep('price-range-backfill', 'ops-price-backfill');
  keep('price-backfill-range', 'ops-price-backfill/prices');

  // The morning emails to one reader with a watchlist.
  const user = await scratch.db.insertInto('app_user').values({ email: 'reader@example.com', display_name: '독자', market_email: true }).returning('id').executeTakeFirstOrThrow();
  await scratch.db.insertInto('watchlist_item').values({ user_id: user.id, ticker: '005930' }).execute();
  await run(dailyMarketEmail, { taskQueue: TASK_QUEUE, workflowId: 'record-market-email', args: [{ date: '2024-03-16', retry: EMAIL_RETRY }] });
  keep('daily-market-email', 'record-market-email');
  await run(watchlistScoreAlerts, { taskQueue: TASK_QUEUE, workflowId: 'record-watchlist-alerts', args: [{ date: '2024-03-16', retry: EMAIL_RETRY }] });
  keep('watchlist-score-alerts', 'record-watchlist-alerts');

  await run(dailyPipeline, { taskQueue: TASK_QUEUE, workflowId: 'record-daily-pipeline', args: [{ asOf: '2024-03-15', policy: { pipelineRetry: { initialInterval: '100ms' }, postRetry: { initialInterval: '100ms' }, heartbeatTimeout: '2s' } }] });
  keep('daily-pipeline', 'record-daily-pipeline');

  out.push(...(await jobScenarios(jobs.client)));
  return out;
}

/** The job workflows of the mock scope: a scheduler-mode run, a queue-mode loop of two runs, the price monitor. */
async function jobScenarios(client: Client): Promise<Recorded[]> {
  const out: Recorded[] = [];
  const scout = jobEntry('mock', 'record-scout', 'scout', { default_params: { top: 1 } });
  await client.workflow.execute('scheduledJob', { taskQueue: 'mock.jobs', workflowId: 'record-scheduled-job', args: [jobSpecOf(scout)] });
  out.push({ name: 'jobs-scheduled-job', client, workflowId: 'record-scheduled-job' }, { name: 'jobs-run-job', client, workflowId: slotWorkflowId(scout.job_id, 0) });

  // The loop reads its state from the job's schedule: created paused (no bootstrap of its own), then resumed.
  const queue = jobEntry('mock', 'record-queue', 'buy-scanner', {
    reschedule_mode: 'queue', cron_expr: undefined, interval_seconds: 3600, default_params: { next_delay_sec: 1, tickers: ['005930'] },
  });
  await applyJobs(client, [{ ...queue, enabled: false }], 'mock');
  await client.schedule.getHandle(queue.job_id).unpause();
  await client.workflow.execute('queueJobBootstrap', { taskQueue: 'mock.jobs', workflowId: 'record-queue-bootstrap', args: [jobSpecOf(queue)] });
  const loop = client.workflow.getHandle(queueLoopWorkflowId(queue.job_id));
  await eventually(async () => ((await loop.query<{ runs: number }>('queueJobStatus')).runs >= 2 ? true : undefined), 'two queue-mode runs');
  await deleteJobSchedule(client, queue.job_id);
  await loop.result();
  out.push({ name: 'jobs-queue-job-bootstrap', client, workflowId: 'record-queue-bootstrap' }, { name: 'jobs-queue-job', client, workflowId: loop.workflowId });

  const startMonitor = jobEntry('mock', 'record-monitor-start', 'price-monitor', { default_params: { action: 'start', poll_sec: 1, tickers: ['005930'] } });
  const stopMonitor = jobEntry('mock', 'record-monitor-stop', 'price-monitor', { default_params: { action: 'stop' } });
  await applyJobs(client, [startMonitor, stopMonitor], 'mock');
  await (await runNow(client, startMonitor.job_id)).result();
  const monitor = client.workflow.getHandle(PRICE_MONITOR_WORKFLOW_ID);
  const { runId } = await monitor.describe();
  await eventually(async () => ((await monitor.query<{ ticks: number }>(PRICE_MONITOR.status)).ticks >= 2 ? true : undefined), 'two monitor ticks');
  await (await runNow(client, stopMonitor.job_id)).result();
  await client.workflow.getHandle(PRICE_MONITOR_WORKFLOW_ID, runId).result();
  out.push({ name: 'jobs-price-monitor', client, workflowId: PRICE_MONITOR_WORKFLOW_ID, runId });
  return out;
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? err.stack ?? err.message : String(err));
    process.exit(1);
  },
);
