/**
 * The workers of one scope of the service job catalog (seed 002), in that scope's namespace:
 *
 *   {scope}.jobs                  the job workflows (workflows/jobs) and their bookkeeping activities
 *   {scope}.jobs.{service}        one worker per service implementation it is given: the activity runServiceJob
 *                                 (the seed's RabbitMQ consumer); price-monitor also runs its long-running workflow there
 *
 * Tests build the same workers against their own server and database.
 */
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createControlActivities, type RunObserver } from '../activities/jobs/runs';
import type { Logger } from '../config/logger';
import type { Db } from '../db/database';
import { JOB_SERVICES, PRICE_MONITOR_SERVICE, type PriceMonitorActivities, type ServiceActivities } from '../shared/job-services';
import { jobsControlQueue, type JobScope, serviceQueue, type ServiceJobInput } from '../shared/jobs';
import { type Clock, systemClock } from '../shared/clock';

/** What the workers give a service implementation. */
export interface ServiceContext {
  scope: JobScope;
  /** A client of the scope's namespace (price-monitor signals its workflow with it). */
  client: Client;
  log: Logger;
  /** The calendar clock: which session is the last one. */
  now: Clock;
}

/**
 * The service implementations to serve, by service name (one of shared/job-services.ts): each builds the
 * activities of its worker on `{scope}.jobs.{service}`. Production code ships none: whoever starts the
 * workers passes them in (the demo services: dev/job-services/main.ts, `npm run dev`, the tests). A service
 * without an implementation here gets no worker from this process; its runs wait on its queue for one.
 */
export type JobServices = Readonly<Record<string, (ctx: ServiceContext) => ServiceActivities & Partial<PriceMonitorActivities>>>;

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
  /** The service implementations; `{}` serves only the job workflows and their bookkeeping. */
  services: JobServices;
  /** The services' calendar clock; default the system clock. */
  now?: Clock;
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
  const ctx: ServiceContext = { scope: o.scope, client: o.client, log: o.log, now: o.now ?? systemClock };
  const workers = [
    await Worker.create({
      ...common,
      ...workflows,
      taskQueue: jobsControlQueue(o.scope),
      activities: createControlActivities({ db: o.db, scope: o.scope, client: o.client, metrics: o.metrics }),
    }),
  ];
  for (const [service, build] of Object.entries(o.services)) {
    if (!Object.hasOwn(JOB_SERVICES, service)) {
      throw new Error(`no service "${service}" in shared/job-services.ts; services: ${Object.keys(JOB_SERVICES).join(', ')}`);
    }
    const activities = scopeChecked(o.scope, service, build(ctx));
    workers.push(
      await Worker.create({
        ...common,
        taskQueue: serviceQueue(o.scope, service),
        ...(service === PRICE_MONITOR_SERVICE ? { ...workflows, activities } : { activities }),
      }),
    );
  }
  return workers;
}

/**
 * Scopes never share a namespace or a queue, so a job of another scope or service cannot arrive unless a
 * queue is misnamed: whatever the implementation, refuse it loudly.
 */
function scopeChecked<A extends ServiceActivities>(scope: JobScope, service: string, activities: A): A {
  return {
    ...activities,
    async runServiceJob(input: ServiceJobInput) {
      if (input.scope !== scope || input.service !== service) {
        throw ApplicationFailure.nonRetryable(`a ${input.scope} job for "${input.service}" reached the ${scope} worker of "${service}"; refused`, 'ScopeMismatch');
      }
      return activities.runServiceJob(input);
    },
  };
}

/** Runs the workers until they are all stopped (shutdown() on each, or the Runtime's signals). */
export async function runWorkers(workers: Worker[]): Promise<void> {
  const results = await Promise.allSettled(workers.map((w) => w.run()));
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
}
