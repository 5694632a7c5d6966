/** Entry point of the collection worker process: `npm run worker`. */
import { NativeConnection } from '@temporalio/worker';
import { closeActivityDeps, createActivityDeps } from '../activities/deps';
import { loadConfig } from '../config/env';
import { logger } from '../config/logger';
import { createCollectionWorker } from './collection-worker';
import { watchWorkerPool } from './db-pool-watch';
import { installTemporalRuntime } from './runtime';

async function main(): Promise<void> {
  const cfg = loadConfig();
  installTemporalRuntime(logger);
  const deps = createActivityDeps(cfg);
  const poolWatch = watchWorkerPool(deps.dbPool, 'collection worker', cfg, logger);
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
