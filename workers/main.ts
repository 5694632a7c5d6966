/** Entry point of the collection worker process: `npm run worker`. Its metrics: COLLECTION_METRICS_PORT. */
import { NativeConnection } from '@temporalio/worker';
import { closeActivityDeps, createActivityDeps } from '../activities/deps';
import { connectTemporal } from '../client/connection-options';
import { loadConfig } from '../config/env';
import { logger } from '../config/logger';
import { withCollectionMetrics } from './collection-metrics';
import { createCollectionWorker } from './collection-worker';
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
    const worker = await createCollectionWorker({
      connection,
      namespace: cfg.TEMPORAL_NAMESPACE,
      taskQueue: cfg.TEMPORAL_TASK_QUEUE,
      deps,
      maxConcurrentActivityTaskExecutions: cfg.WORKER_MAX_CONCURRENT_ACTIVITIES,
      workflowBundle: cfg.WORKFLOW_BUNDLE_PATH ? { codePath: cfg.WORKFLOW_BUNDLE_PATH } : undefined,
    });
    logger.info(
      { taskQueue: cfg.TEMPORAL_TASK_QUEUE, namespace: cfg.TEMPORAL_NAMESPACE, address: cfg.TEMPORAL_ADDRESS, scope: cfg.scope, metrics: metricsServer?.url },
      'collection worker started',
    );
    await worker.run();
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
