/**
 * Entry point of the service jobs worker process: `npm run jobs-worker` (npm run dev starts it).
 * Serves the scopes of JOBS_SCOPES (default real,mock), each in its own namespace with its own
 * task queues, and the Prometheus metrics on METRICS_PORT.
 */
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection } from '@temporalio/worker';
import { loadConfig, requireDatabaseUrl } from '../config/env';
import { logger } from '../config/logger';
import { Kysely, PostgresDialect } from 'kysely';
import { Pool } from 'pg';
import type { Db } from '../db/database';
import type { Database } from '../db/schema';
import { jobsNamespace } from '../jobs/namespaces';
import { createJobWorkers, jobWorkflowsPath, runWorkers } from './jobs-worker';
import { JobMetrics, startMetricsServer } from './job-metrics';
import { installTemporalRuntime } from './runtime';

async function main(): Promise<void> {
  const cfg = loadConfig();
  installTemporalRuntime(logger, 'INFO', { prometheusBindAddress: `127.0.0.1:${cfg.METRICS_SDK_PORT}` });
  const metrics = new JobMetrics();
  const server = await startMetricsServer(metrics, cfg.METRICS_PORT, `http://127.0.0.1:${cfg.METRICS_SDK_PORT}/metrics`);
  // Its own pool, with an error handler: a PostgreSQL restart (or npm run dev's Ctrl-C reaching PostgreSQL
  // first) must cost the idle connections only, not the worker process.
  const pool = new Pool({ connectionString: requireDatabaseUrl(cfg), max: 4, application_name: 'compass-jobs' });
  pool.on('error', (err) => logger.warn({ err: err.message }, 'an idle PostgreSQL connection was closed'));
  const db: Db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: jobWorkflowsPath(), logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } });
  const connection = await NativeConnection.connect({ address: cfg.TEMPORAL_ADDRESS });
  const clientConnection = await Connection.connect({ address: cfg.TEMPORAL_ADDRESS });
  try {
    const workers = [];
    for (const scope of cfg.JOBS_SCOPES) {
      const namespace = jobsNamespace(cfg, scope);
      const client = new Client({ connection: clientConnection, namespace });
      workers.push(...(await createJobWorkers({ connection, namespace, scope, db, client, metrics, log: logger, simulatorUrl: cfg.SIMULATOR_URL, workflowBundle })));
      logger.info({ scope, namespace, taskQueues: workers.map((w) => w.options.taskQueue).filter((q) => q.startsWith(`${scope}.`)) }, 'job workers started');
    }
    logger.info({ metrics: server.url }, 'job metrics served');
    await runWorkers(workers);
    logger.info('job workers stopped');
  } finally {
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
