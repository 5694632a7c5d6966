/** Entry point of the collection worker process: `npm run worker`. */
import { NativeConnection } from '@temporalio/worker';
import { closeActivityDeps, createActivityDeps } from '../activities/deps';
import { loadConfig, requireDatabaseUrl } from '../config/env';
import { logger } from '../config/logger';
import { createCollectionWorker } from './collection-worker';
import { raisePoolExhaustedAlert, watchDbPool } from './db-pool-watch';
import { installTemporalRuntime } from './runtime';

async function main(): Promise<void> {
  const cfg = loadConfig();
  installTemporalRuntime(logger);
  const deps = createActivityDeps(cfg);
  const poolWatch = watchDbPool({
    pool: deps.dbPool,
    max: deps.dbPool.options.max,
    alertAfterMs: cfg.DB_POOL_ALERT_AFTER_MS,
    onExhausted: raisePoolExhaustedAlert(requireDatabaseUrl(cfg), 'collection worker', cfg.ALERT_DEDUPE_WINDOW_MIN),
    onError: (err) => logger.error({ err: err.message }, 'the pool-exhausted alert could not be recorded'),
  });
  const connection = await NativeConnection.connect({ address: cfg.TEMPORAL_ADDRESS });
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
      { taskQueue: cfg.TEMPORAL_TASK_QUEUE, namespace: cfg.TEMPORAL_NAMESPACE, address: cfg.TEMPORAL_ADDRESS, scope: cfg.scope },
      'collection worker started',
    );
    await worker.run();
    logger.info('collection worker stopped');
  } finally {
    poolWatch.stop();
    await connection.close();
    await closeActivityDeps(deps);
  }
}

main().catch((err) => {
  logger.fatal({ err }, err instanceof Error ? err.message : String(err));
  process.exit(1);
});
