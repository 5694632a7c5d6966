/**
 * The service jobs worker process: `npm run jobs-worker`. Serves the scopes of JOBS_SCOPES (default
 * real,mock), each in its own namespace with its own task queues, and the Prometheus metrics on METRICS_PORT.
 * Run directly, it serves the job workflows and their bookkeeping only: production ships no service
 * implementation, and each service's own worker polls `{scope}.jobs.{service}`. runJobsWorker is the hook
 * that adds implementations: dev/job-services/main.ts runs it with the demo services (`npm run dev`,
 * `npm run jobs-worker:demo`, docker-compose's jobs-worker).
 */
import { Client } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection } from '@temporalio/worker';
import { connectTemporalClient } from '../client/connection';
import { connectTemporal } from '../client/connection-options';
import { type AppConfig, loadConfig, requireDatabaseUrl } from '../config/env';
import { logger } from '../config/logger';
import { createPooledDb } from '../db/database';
import { jobsNamespace } from '../jobs/namespaces';
import { ensureNamespace } from '../schedules/manage';
import { createJobWorkers, type JobServices, jobWorkflowsPath, runWorkers } from './jobs-worker';
import { watchWorkerPool } from './db-pool-watch';
import { JobMetrics, startMetricsServer } from './job-metrics';
import { installTemporalRuntime } from './runtime';

async function main(servicesFor: (cfg: AppConfig) => JobServices): Promise<void> {
  const cfg = loadConfig();
  const services = servicesFor(cfg);
  if (Object.keys(services).length === 0) {
    logger.info('no service implementations in this process: it serves the job workflows and their bookkeeping; each service needs a worker on {scope}.jobs.{service}');
  }
  installTemporalRuntime(logger, 'INFO', { prometheusBindAddress: `127.0.0.1:${cfg.METRICS_SDK_PORT}` });
  const metrics = new JobMetrics();
  const server = await startMetricsServer(metrics, cfg.METRICS_PORT, `http://127.0.0.1:${cfg.METRICS_SDK_PORT}/metrics`, cfg.METRICS_HOST);
  const { db, pool } = createPooledDb(requireDatabaseUrl(cfg), {
    max: 4,
    applicationName: 'compass-jobs',
    connectionWaitMs: cfg.DB_POOL_WAIT_MS,
    onIdleError: (err) => logger.warn({ err: err.message }, 'an idle PostgreSQL connection was closed'),
  });
  const poolWatch = watchWorkerPool(pool, 'jobs worker', cfg, logger);
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: jobWorkflowsPath(), logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } });
  const connection = await connectTemporal(cfg, (options) => NativeConnection.connect(options));
  const clientConnection = await connectTemporalClient(cfg, { logLevel: 'debug' });
  try {
    const workers = [];
    for (const scope of cfg.JOBS_SCOPES) {
      const namespace = jobsNamespace(cfg, scope);
      const client = new Client({ connection: clientConnection, namespace });
      // A cluster that is not the dev server may not have the scope's namespace yet.
      if (await ensureNamespace(client)) logger.info({ namespace }, 'registered the namespace');
      workers.push(...(await createJobWorkers({ connection, namespace, scope, db, client, metrics, log: logger, services, workflowBundle })));
      logger.info({ scope, namespace, taskQueues: workers.map((w) => w.options.taskQueue).filter((q) => q.startsWith(`${scope}.`)) }, 'job workers started');
    }
    logger.info({ metrics: server.url }, 'job metrics served');
    await runWorkers(workers);
    logger.info('job workers stopped');
  } finally {
    poolWatch.stop();
    await connection.close();
    await clientConnection.close();
    await db.destroy();
    await server.close();
  }
}

/** Runs the jobs worker process with the service implementations `servicesFor` builds from the configuration; exits 1 on failure. */
export function runJobsWorker(servicesFor: (cfg: AppConfig) => JobServices): void {
  main(servicesFor).catch((err) => {
    logger.fatal({ err }, err instanceof Error ? err.message : String(err));
    process.exit(1);
  });
}

if (require.main === module) runJobsWorker(() => ({}));
