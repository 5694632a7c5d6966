/**
 * The worker of the collection task queue: the chains' workflows plus every activity they
 * call. Tests build the same worker against their own server, database and simulator.
 * `createRoleWorkers` builds one such worker per role (shared/task-queues.ts), each on its role's queue.
 */
import { type ActivityInterceptorsFactory, bundleWorkflowCode, type NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import type { ActivityDeps } from '../activities/deps';
import { type TaskQueues, WORKER_ROLES, type WorkerRole } from '../shared/task-queues';
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
  /** Default: the SDK's, from the heap size. */
  maxCachedWorkflows?: number;
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
    ...(o.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: o.maxCachedWorkflows } : {}),
    // Finish the batch in hand on Ctrl-C instead of abandoning it; its heartbeat lets a retry resume anyway.
    shutdownGraceTime: o.shutdownGraceTime ?? '20s',
    shutdownForceTime: '40s',
  });
}

/**
 * Reports and ops run a few short workflows at a time: few activity slots, a small workflow cache, so that they
 * take little from a process that also runs the collection role (whose slots are WORKER_MAX_CONCURRENT_ACTIVITIES).
 */
const SMALL_ROLE = { maxConcurrentActivityTaskExecutions: 2, maxCachedWorkflows: 20 };

export interface RoleWorkersOptions extends Omit<CollectionWorkerOptions, 'taskQueue' | 'maxConcurrentActivityTaskExecutions' | 'maxCachedWorkflows'> {
  roles: WorkerRole[];
  queues: TaskQueues;
  /** The collection role's activity slots (WORKER_MAX_CONCURRENT_ACTIVITIES). */
  collectionActivitySlots: number;
}

export interface RoleWorker {
  role: WorkerRole;
  taskQueue: string;
  worker: Worker;
}

/**
 * One Worker per role, on that role's queue, all with the same workflows and activities: a workflow's activities
 * and children run on its own queue, so each role's work stays on its queue, and any worker can finish a run
 * started on its queue before the split (the collection queue keeps every type registered). Roles configured
 * onto one queue get one Worker (the first role's settings, in WORKER_ROLES order). The workflows are bundled
 * once for all of them when no bundle is given.
 */
export async function createRoleWorkers(o: RoleWorkersOptions): Promise<RoleWorker[]> {
  const workflowBundle = o.workflowBundle ?? (await bundleWorkflowCode({ workflowsPath: workflowsPath(), logger: Runtime.instance().logger }));
  const out: RoleWorker[] = [];
  for (const role of WORKER_ROLES.filter((r) => o.roles.includes(r))) {
    const taskQueue = o.queues[role];
    if (out.some((w) => w.taskQueue === taskQueue)) continue;
    const sizing = role === 'collection' ? { maxConcurrentActivityTaskExecutions: o.collectionActivitySlots } : SMALL_ROLE;
    out.push({ role, taskQueue, worker: await createCollectionWorker({ ...o, ...sizing, taskQueue, workflowBundle }) });
  }
  return out;
}

/** Runs the workers until all have stopped (on the runtime's shutdown signals); one failing shuts the others down. */
export async function runWorkers(workers: Worker[]): Promise<void> {
  const runs = workers.map((w) => w.run());
  try {
    await Promise.all(runs);
  } catch (err) {
    for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
    await Promise.allSettled(runs);
    throw err;
  }
}
