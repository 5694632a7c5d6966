/**
 * A scope of the service job catalog on the test server: its namespace's client, the real job workers
 * with the demo services (in process, against a scratch database and, when given, the simulator) and the job metrics.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { bundleWorkflowCode, type Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { logger } from '../../config/logger';
import type { JobEntry } from '../../jobs/catalog';
import { DEFAULT_JOB_NAMESPACES, jobsNamespace } from '../../jobs/namespaces';
import type { JobScope } from '../../shared/jobs';
import { JobMetrics } from '../../workers/job-metrics';
import { demoJobServices } from '../../dev/job-services/services';
import { createJobWorkers, jobWorkflowsPath } from '../../workers/jobs-worker';
import { testClock } from './clock';
import { connectTestClientIn, connectTestWorkerConnection, type ScratchDb } from './services';

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
export function jobWorkflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath: jobWorkflowsPath(), logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } });
  return bundle;
}

export const testNamespace = (scope: JobScope) => jobsNamespace(DEFAULT_JOB_NAMESPACES, scope);

/** A job id no other test (or earlier run on the same server) uses. */
export function uniqueJobId(name: string): string {
  return `t${randomUUID().slice(0, 8)}-${name}`;
}

/** A catalog entry with the seed's defaults; `overrides` wins. */
export function jobEntry(scope: JobScope, jobId: string, service: string, overrides: Partial<JobEntry> = {}): JobEntry {
  return {
    job_id: jobId,
    scope,
    reschedule_mode: 'scheduler',
    cron_expr: '0 3 1 1 *', // once a year: tests trigger runs themselves
    queue: `${scope}.jobs.${service}`,
    enabled: true,
    max_parallel: 1,
    default_params: {},
    timeout_sec: 60,
    retry_limit: 0,
    description: `test job ${jobId}`,
    telemetry_label: jobId.replace(/-/g, '_'),
    ...overrides,
  };
}

export interface JobScopeHarness {
  scope: JobScope;
  client: Client;
  metrics: JobMetrics;
  /** Starts the scope's workers (again, after stopWorkers). */
  startWorkers(): Promise<void>;
  stopWorkers(): Promise<void>;
  close(): Promise<void>;
}

export async function jobScopeHarness(scope: JobScope, scratch: ScratchDb, opts: { simulatorUrl?: string; services?: string[]; startWorkers?: boolean } = {}): Promise<JobScopeHarness> {
  const namespace = testNamespace(scope);
  const client = await connectTestClientIn(namespace);
  const connection = await connectTestWorkerConnection();
  const metrics = new JobMetrics();
  const workflowBundle = await jobWorkflowBundle();
  let workers: Worker[] = [];
  let running: Promise<unknown> = Promise.resolve();
  const h: JobScopeHarness = {
    scope,
    client,
    metrics,
    async startWorkers() {
      workers = await createJobWorkers({
        connection, namespace, scope, db: scratch.db, client, metrics, log: logger, workflowBundle, now: testClock,
        services: demoJobServices({ simulatorUrl: opts.simulatorUrl, only: opts.services }),
        shutdownGraceTime: '1s',
      });
      running = Promise.allSettled(workers.map((w) => w.run()));
    },
    async stopWorkers() {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      await running;
      workers = [];
    },
    async close() {
      await h.stopWorkers();
      await connection.close();
      await client.connection.close();
    },
  };
  if (opts.startWorkers !== false) await h.startWorkers();
  return h;
}

export { eventually } from './eventually';
