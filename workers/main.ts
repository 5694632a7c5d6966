/**
 * Entry point of the collection worker process: `npm run worker`. Its metrics: COLLECTION_METRICS_PORT.
 * One Worker per role of WORKER_ROLES (default all three), each on its role's task queue (shared/task-queues.ts).
 */
import { NativeConnection } from '@temporalio/worker';
import { closeActivityDeps, createActivityDeps } from '../activities/deps';
import { connectTemporal } from '../client/connection-options';
import { loadConfig } from '../config/env';
import { logger } from '../config/logger';
import { taskQueuesOf } from '../shared/task-queues';
import { withCollectionMetrics } from './collection-metrics';
import { createRoleWorkers, runWorkers } from './collection-worker';
import { watchWorkerPool } from './db-pool-watch';
import { serveMetrics } from './metrics-server';
import { installTemporalRuntime } from './runtime';

async function main(): Promise<void> {
  const cfg = loadConfig();
  installTemporalRuntime(logger);
  const deps = withCollectionMetrics(createActivityDeps(cfg));
  // Collection goes on without its metrics: a second worker on this host, say, finds the port taken.
  const metricsServer = await serveMetrics(deps.metrics.registry, { port: cfg.COLLECTION_METRICS_PORT, host: cfg.METRICS_HOST }).catch((err: unknown) => {
    logger.warn({ err: (err as Error).message }, 'collection metrics not served');
    return undefined;
  });
  const poolWatch = watchWorkerPool(deps.dbPool, 'collection worker', cfg, logger);
  const connection = await connectTemporal(cfg, (options) => NativeConnection.connect(options));
  try {
    const workers = await createRoleWorkers({
      connection,
      namespace: cfg.TEMPORAL_NAMESPACE,
      roles: cfg.WORKER_ROLES,
      queues: taskQueuesOf(cfg),
      deps,
      collectionActivitySlots: cfg.WORKER_MAX_CONCURRENT_ACTIVITIES,
      workflowBundle: cfg.WORKFLOW_BUNDLE_PATH ? { codePath: cfg.WORKFLOW_BUNDLE_PATH } : undefined,
    });
    logger.info(
      {
        roles: Object.fromEntries(workers.map((w) => [w.role, w.taskQueue])),
        namespace: cfg.TEMPORAL_NAMESPACE, address: cfg.TEMPORAL_ADDRESS, scope: cfg.scope, metrics: metricsServer?.url,
      },
      'collection worker started',
    );
    await runWorkers(workers.map((w) => w.worker));
    logger.info('collection worker stopped');
  } finally {
    poolWatch.stop();
    await connection.close();
    await closeActivityDeps(deps);
    await metricsServer?.close();
  }
}

main().catch((err) => {
  logger.fatal({ err }, err instanceof Error ? err.message : String(err));
  process.exit(1);
});
