/**
 * npm run dev: the whole system on embedded defaults. Starts (unless configured elsewhere)
 * the Temporal dev server with its state in .data/temporal.db, an embedded PostgreSQL in
 * .data/postgres, and the source simulator; runs the migrations, applies the schedule
 * catalog, starts the worker, and prints what runs where. Ctrl-C stops everything in
 * reverse order; the next start resumes from the same state.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from '@temporalio/client';
import { connectClient, connectTemporalClient } from '../client/connection';
import { loadConfig } from '../config/env';
import { logger } from '../config/logger';
import { createDb } from '../db/database';
import { migrateToLatest } from '../db/migrate';
import { catalog } from '../schedules/catalog';
import { seedDemoWatchlists } from '../db/watchlists';
import { redactSmtpUrl } from '../emails/transport';
import { applyCatalog } from '../schedules/manage';
import { loadJobCatalog } from '../jobs/catalog';
import { allJobNamespaces, jobsNamespace } from '../jobs/namespaces';
import { applyJobs } from '../jobs/operations';
import { JOB_SCOPES } from '../shared/jobs';
import { startSimulator } from '../dev/simulator/server';
import { startApiServer } from '../api/server';
import { adminRoutes } from '../api/admin-routes';
import { startJobsApi } from '../api/jobs-api';
import { systemClock } from '../shared/clock';
import { taskQueuesOf } from '../shared/task-queues';
import { devApiToken } from '../api/token';
import { dateInZone } from '../calendar/time-zone';
import { ensureDemoSalesmapDb } from '../dev/salesmap-demo/demo-db';
import { buildWorkflowBundle } from './build-workflow-bundle';
import { startEmbeddedPostgres } from './lib/postgres';
import { devPgPort, redactDbUrl } from '../config/database-url';
import { resolveTemporalCli, startDevServer } from './lib/temporal-server';

const ROOT = path.resolve(__dirname, '..');
const DATA = path.join(ROOT, '.data');
const stops: Array<{ name: string; stop: () => Promise<void> }> = [];

async function main(): Promise<void> {
  fs.mkdirSync(path.join(DATA, 'logs'), { recursive: true });
  const env = { ...process.env };
  const pipelineIsDemo = useDemoPipeline(env);
  const cfg0 = loadConfig(env); // fail fast on a bad .env, before starting anything

  let temporalUi = '(external server: see its own Web UI)';
  if (!process.env.TEMPORAL_ADDRESS) {
    const server = await startDevServer({
      cliPath: resolveTemporalCli(),
      port: 7233,
      uiPort: Number(process.env.TEMPORAL_UI_PORT ?? 8233),
      dbFilename: path.join(DATA, 'temporal.db'),
      logFile: path.join(DATA, 'logs', 'temporal.log'),
      namespaces: allJobNamespaces(cfg0),
    });
    stops.push({ name: 'temporal dev server', stop: server.stop });
    env.TEMPORAL_ADDRESS = server.address;
    temporalUi = server.uiUrl!;
  }

  if (!env.DATABASE_URL) {
    const pg = await startEmbeddedPostgres(path.join(DATA, 'postgres'), devPgPort(), 'compass');
    stops.push({ name: 'embedded PostgreSQL', stop: pg.stop });
    env.DATABASE_URL = pg.url;
  }

  let simulatorUrl = '(not started: DATAGOKR_API_KEY is set, the real API is used)';
  if (cfg0.scope === 'mock') {
    const sim = await startSimulator({ port: Number(process.env.SIMULATOR_PORT ?? 8787) });
    stops.push({ name: 'source simulator', stop: sim.close });
    env.SIMULATOR_URL = sim.url;
    simulatorUrl = sim.url;
  }

  // Seed 004's report reads a SalesMap SQLite file; without one, a generated demo DB stands in.
  let salesmapNote = '';
  if (!env.SALESMAP_DB_PATH) {
    env.SALESMAP_DB_PATH = path.join(DATA, 'salesmap', 'salesmap.db');
    const { created } = await ensureDemoSalesmapDb(env.SALESMAP_DB_PATH, dateInZone(new Date(), cfg0.TZ));
    salesmapNote = created ? '  (demo DB, generated now)' : '  (demo DB)';
  }

  const cfg = loadConfig(env);
  const db = createDb(env.DATABASE_URL, 2);
  try {
    const { applied } = await migrateToLatest(db);
    logger.info({ applied }, applied.length ? 'migrations applied' : 'database schema is up to date');
    if (await seedDemoWatchlists(db)) logger.info('demo users and watchlists added (app_user, watchlist_item)');
  } finally {
    await db.destroy();
  }

  const client = await connectClient(cfg);
  try {
    const plan = await applyCatalog(client, catalog(cfg), { taskQueue: cfg.TEMPORAL_TASK_QUEUE, scope: cfg.scope });
    for (const c of plan) logger.info({ schedule: c.id, change: c.kind, parts: c.parts }, 'schedule applied');
  } finally {
    await client.connection.close();
  }
  // Seed 002's service jobs: jobs/catalog.json onto the schedules of each scope's namespace.
  const jobEntries = loadJobCatalog();
  const jobsConnection = await connectTemporalClient(cfg, { logLevel: 'debug' });
  try {
    for (const scope of JOB_SCOPES) {
      const plan = await applyJobs(new Client({ connection: jobsConnection, namespace: jobsNamespace(cfg, scope) }), jobEntries, scope);
      for (const c of plan) logger.info({ scope, job: c.id, change: c.kind, parts: c.parts }, 'job schedule applied');
    }
  } finally {
    await jobsConnection.close();
  }

  const bundlePath = await buildWorkflowBundle();
  const worker = spawnWorker({ ...env, LOG_PRETTY: env.LOG_PRETTY ?? '1', WORKFLOW_BUNDLE_PATH: bundlePath });
  stops.push({ name: 'worker', stop: () => stopChild(worker) });
  const jobsWorker = spawnWorker({ ...env, LOG_PRETTY: env.LOG_PRETTY ?? '1' }, 'dev/job-services/main.ts');
  stops.push({ name: 'jobs worker', stop: () => stopChild(jobsWorker) });

  const apiToken = cfg.API_TOKEN ?? devApiToken(path.join(DATA, 'api-token'));
  const apiClient = await connectClient(cfg, { logLevel: 'debug' });
  const api = await startApiServer({ cfg, client: apiClient, token: apiToken });
  stops.push({ name: 'report API', stop: async () => { await api.close(); await apiClient.connection.close(); } });
  // Seed 002's REST API for the jobs (same token), over jobs/catalog.json and the job namespaces.
  const jobsApiConnection = await connectTemporalClient(cfg, { logLevel: 'debug' });
  const jobsApiClients = { real: new Client({ connection: jobsApiConnection, namespace: jobsNamespace(cfg, 'real') }), mock: new Client({ connection: jobsApiConnection, namespace: jobsNamespace(cfg, 'mock') }) };
  const jobsApiDb = createDb(env.DATABASE_URL, 2);
  // The operations page and the collection-log API ride on the same server (api/admin-routes.ts).
  const admin = adminRoutes({ db: jobsApiDb, client: apiClient, cfg, now: systemClock, token: apiToken });
  const jobsApi = await startJobsApi({ cfg, clientFor: (scope) => jobsApiClients[scope], db: jobsApiDb, token: apiToken, extraRoutes: admin });
  stops.push({ name: 'jobs API', stop: async () => { await jobsApi.close(); await jobsApiDb.destroy(); await jobsApiConnection.close(); } });

  const summary = [
    '',
    '  Compass scheduler is up',
    `  Temporal gRPC     ${cfg.TEMPORAL_ADDRESS}  (namespace ${cfg.TEMPORAL_NAMESPACE}, task queues ${Object.entries(taskQueuesOf(cfg)).map(([role, q]) => `${role} ${q}`).join(', ')})`,
    `  Temporal Web UI   ${temporalUi}`,
    `  PostgreSQL        ${redactDbUrl(env.DATABASE_URL)}`,
    `  Redis             ${cfg.REDIS_URL ?? '(REDIS_URL not set: cache invalidation is skipped)'}`,
    `  Source simulator  ${simulatorUrl}`,
    `  Scope             ${cfg.scope}`,
    `  Schedules         ${catalog(cfg).map((e) => e.id + (e.disabledReason ? ' (paused: ENABLE_SCHEDULER=0)' : '')).join(', ')}`,
    ...JOB_SCOPES.map((scope) => `  Jobs (${scope})`.padEnd(20) + `namespace ${jobsNamespace(cfg, scope)}, queues ${scope}.jobs.*: ${jobEntries.filter((e) => e.scope === scope).map((e) => e.job_id + (e.enabled ? '' : ' (paused)')).join(', ')}`),
    `  Job metrics       http://127.0.0.1:${cfg.METRICS_PORT}/metrics  (job_runs_total, job_duration_seconds, temporal_*)`,
    `  Worker metrics    http://127.0.0.1:${cfg.COLLECTION_METRICS_PORT}/metrics  (collection_rows_written_total, source_*, activity_duration_seconds; dashboards/*.json)`,
    `  Report API        ${api.url}  token ${cfg.API_TOKEN ? '(API_TOKEN)' : `${apiToken}  (generated; kept in .data/api-token)`}`,
    `  Jobs API          ${jobsApi.url}/jobs  (seed 002 REST API; the same token)`,
    `  Operations page   ${jobsApi.url}/admin#token=${cfg.API_TOKEN ? '<API_TOKEN>' : apiToken}  (수집 스케줄: schedules, run log, alerts)`,
    `  SalesMap DB       ${path.relative(ROOT, env.SALESMAP_DB_PATH) || env.SALESMAP_DB_PATH}${salesmapNote}; report files in ${cfg.CACHE_DIR}/ and ${cfg.WORK_DIR}/`,
    `  Daily pipeline    ${env.PIPELINE_COMMAND}${pipelineIsDemo ? '  (demo; set PIPELINE_COMMAND for the real one)' : ''}`,
    `  Emails            ${cfg.SMTP_URL ? `SMTP ${redactSmtpUrl(cfg.SMTP_URL)}` : `no SMTP_URL: written as .eml files to ${path.resolve(ROOT, cfg.OUTBOX_DIR)}`}; alerts to ${cfg.ALERT_EMAIL_TO.join(', ') || '(ALERT_EMAIL_TO not set)'}${cfg.ALERT_WEBHOOK_URL ? ' and the webhook' : ''}; npm run ops -- alerts`,
    `  Logs              worker below; Temporal server in ${path.relative(ROOT, path.join(DATA, 'logs', 'temporal.log'))}`,
    '',
    `  Try: temporal schedule trigger --schedule-id daily-collection --address ${cfg.TEMPORAL_ADDRESS}`,
    `  Try: temporal schedule trigger --schedule-id daily-market-email --address ${cfg.TEMPORAL_ADDRESS}   (then look in ${cfg.OUTBOX_DIR}/)`,
    `  Try: npm run jobs -- list   /   npm run jobs -- run-now buy-scanner --scope mock`,
    `  Try: curl -H "Authorization: Bearer ${cfg.API_TOKEN ? '$API_TOKEN' : apiToken}" ${api.url}/api/report/counterparty-risk`,
    `  Try: curl -H "Authorization: Bearer ${cfg.API_TOKEN ? '$API_TOKEN' : apiToken}" ${jobsApi.url}/jobs`,
    '  Ctrl-C stops everything; state stays in .data/ for the next start.',
    '',
  ];
  process.stdout.write(summary.join('\n') + '\n');
  const exited = await new Promise<string>((resolve) => {
    worker.once('exit', () => resolve('the worker'));
    jobsWorker.once('exit', () => resolve('the jobs worker'));
  });
  throw new Error(`${exited} exited; stopping the rest`);
}

/**
 * Without PIPELINE_COMMAND, the daily pipeline runs the demo script shipped in dev/pipeline-demo/
 * (plain Node), with placeholder LLM keys the demo never uses, so that the real default
 * (Python, real keys) is not needed to try the system. Set keys are never replaced.
 */
function useDemoPipeline(env: NodeJS.ProcessEnv): boolean {
  if (env.PIPELINE_COMMAND) return false;
  env.PIPELINE_COMMAND = 'node dev/pipeline-demo/run.js --backend demo --market KR';
  env.OPENAI_API_KEY ||= 'demo-placeholder-not-a-real-openai-key';
  env.ANTHROPIC_API_KEY ||= 'demo-placeholder-not-a-real-anthropic-key';
  return true;
}

/** The worker in its own process group, so that Ctrl-C reaches it through this orchestrator, in order. */
function spawnWorker(env: NodeJS.ProcessEnv, entry = 'workers/main.ts'): ChildProcess {
  const heap = `--max-old-space-size=${env.WORKER_HEAP_MB ?? 256}`;
  return spawn(process.execPath, [heap, '--import', 'tsx', entry], { cwd: ROOT, env, stdio: 'inherit', detached: true });
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGINT');
    setTimeout(() => child.kill('SIGKILL'), 45_000).unref();
  });
}

let stopping: Promise<never> | undefined;
/** Stops everything once, in reverse start order; later calls wait for the first. */
function shutdown(code: number): Promise<never> {
  stopping ??= (async () => {
    for (const s of stops.reverse()) {
      process.stderr.write(`stopping ${s.name}…\n`);
      // A piece that already died with the terminal's Ctrl-C (PostgreSQL shares our process
      // group) may never answer its stop; do not let it hold up the rest.
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          process.stderr.write(`  ${s.name} did not confirm its stop within 15 s; going on\n`);
          resolve();
        }, 15_000);
      });
      await Promise.race([s.stop().catch((err) => process.stderr.write(`  ${s.name}: ${String(err)}\n`)), timeout]);
      clearTimeout(timer);
    }
    process.stderr.write('all stopped\n');
    process.exit(code);
  })();
  return stopping;
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
main().catch(async (err) => {
  if (!stopping) logger.error({ err }, err instanceof Error ? err.message : String(err));
  await shutdown(1);
});
