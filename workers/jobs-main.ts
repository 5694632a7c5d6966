/**
 * Entry point of the service jobs worker process: `npm run jobs-worker` (npm run dev starts it).
 * Serves the scopes of JOBS_SCOPES (default real,mock), each in its own namespace with its own
 * task queues, and the Prometheus metrics on METRICS_PORT.
 */
import { Client } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection } from '@temporalio/worker';
import { connectTemporalClient } from '../client/connection';
import { connectTemporal } from '../client/connection-options';
import { loadConfig, requireDatabaseUrl } from '../config/env';
import { logger } from '../config/logger';
import { createPooledDb } from '../db/database';
import { jobsNamespace } from '../jobs/namespaces';
import { ensureNamespace } from '../schedules/manage';
import { createJobWorkers, jobWorkflowsPath, runWorkers } from './jobs-worker';
import { watchWorkerPool } from './db-pool-watch';
import { JobMetrics, startMetricsServer } from './job-metrics';
import { installTemporalRuntime } from './runtime';

async function main(): Promise<void> {
  const cfg = loadConfig();
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
      workers.push(...(await createJobWorkers({ connection, namespace, scope, db, client, metrics, log: logger, simulatorUrl: cfg.SIMULATOR_URL, workflowBundle })));
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

main().catch((err) => {
  logger.fatal({ err }, err instanceof Error ? err.message : String(err));
  process.exit(1);
});
