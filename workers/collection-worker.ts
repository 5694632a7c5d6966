/**
 * The worker of the collection task queue: the chains' workflows plus every activity they
 * call. Tests build the same worker against their own server, database and simulator.
 */
import { type ActivityInterceptorsFactory, type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import type { ActivityDeps } from '../activities/deps';
import { activityMetrics } from './collection-metrics';
import { sourceFailureAlerts } from './source-failure-alerts';

export interface CollectionWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** A prebuilt bundle (tests build one per file); otherwise the worker bundles workflows/ itself. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  maxConcurrentActivityTaskExecutions?: number;
  /** How long running activities may finish on shutdown before they are cancelled (default 20 s). */
  shutdownGraceTime?: WorkerOptions['shutdownGraceTime'];
}

export function workflowsPath(): string {
  return require.resolve('../workflows');
}

/** Source alerts (and, with deps.metrics, failure counts) around every activity, then its metrics. */
export function collectionActivityInterceptors(deps: ActivityDeps): ActivityInterceptorsFactory[] {
  return [sourceFailureAlerts(deps), ...(deps.metrics ? [activityMetrics(deps.metrics)] : [])];
}

export async function createCollectionWorker(o: CollectionWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: o.connection,
    namespace: o.namespace,
    taskQueue: o.taskQueue,
    ...(o.workflowBundle ? { workflowBundle: o.workflowBundle } : { workflowsPath: workflowsPath() }),
    activities: createActivities(o.deps),
    interceptors: { activity: collectionActivityInterceptors(o.deps) },
    maxConcurrentActivityTaskExecutions: o.maxConcurrentActivityTaskExecutions ?? 8,
    // Finish the batch in hand on Ctrl-C instead of abandoning it; its heartbeat lets a retry resume anyway.
    shutdownGraceTime: o.shutdownGraceTime ?? '20s',
    shutdownForceTime: '40s',
  });
}
