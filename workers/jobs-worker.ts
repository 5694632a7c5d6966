/**
 * The workers of one scope of the service job catalog (seed 002), in that scope's namespace:
 *
 *   {scope}.jobs                  the job workflows (workflows/jobs) and their bookkeeping activities
 *   {scope}.jobs.{service}        one worker per service: the activity runServiceJob (the seed's RabbitMQ
 *                                 consumer); price-monitor also runs its long-running workflow there
 *
 * Tests build the same workers against their own server and database.
 */
import type { Client } from '@temporalio/client';
import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createControlActivities, type RunObserver } from '../activities/jobs/runs';
import { createPriceMonitorActivities, createServiceActivities, JOB_SERVICES, type ServiceContext } from '../activities/jobs/services';
import type { Logger } from '../config/logger';
import type { Db } from '../db/database';
import { jobsControlQueue, type JobScope, serviceQueue } from '../shared/jobs';
import { type Clock, systemClock } from '../shared/clock';

export interface JobWorkersOptions {
  connection: NativeConnection;
  /** The scope's own namespace: scopes never share one. */
  namespace: string;
  scope: JobScope;
  db: Db;
  /** A client of the same namespace (schedule state, the price monitor's signals). */
  client: Client;
  metrics: RunObserver;
  log: Logger;
  simulatorUrl?: string;
  /** The services' calendar clock; default the system clock. */
  now?: Clock;
  /** Default: every service of activities/jobs/services.ts. */
  services?: string[];
  /** A prebuilt bundle of workflows/jobs, shared by the workers; otherwise each bundles it. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  shutdownGraceTime?: WorkerOptions['shutdownGraceTime'];
}

export function jobWorkflowsPath(): string {
  return require.resolve('../workflows/jobs');
}

export async function createJobWorkers(o: JobWorkersOptions): Promise<Worker[]> {
  if (o.client.options.namespace !== o.namespace) {
    throw new Error(`the ${o.scope} job workers need a client of namespace ${o.namespace}, not ${o.client.options.namespace}`);
  }
  const workflows = o.workflowBundle ? { workflowBundle: o.workflowBundle } : { workflowsPath: jobWorkflowsPath() };
  const common = { connection: o.connection, namespace: o.namespace, shutdownGraceTime: o.shutdownGraceTime ?? '10s', shutdownForceTime: '30s' } as const;
  const ctx: ServiceContext = { scope: o.scope, simulatorUrl: o.simulatorUrl, client: o.client, log: o.log, now: o.now ?? systemClock };
  const workers = [
    await Worker.create({
      ...common,
      ...workflows,
      taskQueue: jobsControlQueue(o.scope),
      activities: createControlActivities({ db: o.db, scope: o.scope, client: o.client, metrics: o.metrics }),
    }),
  ];
  for (const service of o.services ?? Object.keys(JOB_SERVICES)) {
    const activities = createServiceActivities(service, ctx);
    workers.push(
      await Worker.create({
        ...common,
        taskQueue: serviceQueue(o.scope, service),
        ...(service === 'price-monitor' ? { ...workflows, activities: { ...activities, ...createPriceMonitorActivities(ctx) } } : { activities }),
      }),
    );
  }
  return workers;
}

/** Runs the workers until they are all stopped (shutdown() on each, or the Runtime's signals). */
export async function runWorkers(workers: Worker[]): Promise<void> {
  const results = await Promise.allSettled(workers.map((w) => w.run()));
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
}
