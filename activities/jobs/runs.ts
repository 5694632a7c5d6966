/**
 * The job workflows' bookkeeping, on the scope's control queue `{scope}.jobs`: one `job_runs` row per
 * run (the seed's mark_job_run and last_run_at / last_status / last_error), the run metrics, and the
 * schedule's state for queue-mode loops (paused, deleted, current definition).
 */
import { ScheduleNotFoundError, type Client } from '@temporalio/client';
import { type Selectable, sql } from 'kysely';
import type { Db } from '../../db/database';
import type { Database } from '../../db/schema';
import type { JobRunStatus, JobScope, JobSpec, TriggerSource } from '../../shared/jobs';

/** Who started a run: the job workflows' triggers, or 'external' for a run reported through `POST /jobs/{id}/last-run`. */
export type RunTriggerSource = TriggerSource | 'external';

/**
 * A job_runs row as the queries return it: the schema's type (db/generated), whose CHECK columns
 * scope, trigger_source and status hold the values of JobScope, RunTriggerSource and JobRunStatus.
 * workflow_id is null for an external run: no workflow ran it.
 */
export type JobRunsTable = Selectable<Database['job_runs']>;

/** What the metrics need to know about a finished run (workers/job-metrics.ts implements it). */
export interface RunObserver {
  observeRun(labels: { job_id: string; scope: string; trigger_source: string; status: string }, durationSec: number): void;
}

export interface ControlDeps {
  db: Db;
  scope: JobScope;
  /** A client of the scope's namespace. */
  client: Client;
  metrics: RunObserver;
}

export interface RunStart {
  runId: string;
  jobId: string;
  scope: JobScope;
  trigger: TriggerSource;
  params: Record<string, unknown>;
  workflowId: string;
  workflowRunId: string;
  slot?: number;
  /** A run that never started (all slots taken) is written already ended. */
  skipped?: string;
}

export interface RunEnd {
  runId: string;
  status: Exclude<JobRunStatus, 'running'>;
  error?: string;
  summary?: string;
  nextDelaySec?: number;
}

export interface JobScheduleState {
  exists: boolean;
  paused: boolean;
  spec?: JobSpec;
}

export function createControlActivities(deps: ControlDeps) {
  const { db } = deps;
  return {
    async recordJobRunStart(r: RunStart): Promise<void> {
      await db
        .insertInto('job_runs')
        .values({
          run_id: r.runId, job_id: r.jobId, scope: r.scope, trigger_source: r.trigger, params: JSON.stringify(r.params),
          workflow_id: r.workflowId, workflow_run_id: r.workflowRunId, slot: r.slot ?? null,
          status: r.skipped ? 'skipped' : 'running', error: r.skipped ?? null, ended_at: r.skipped ? (eb) => eb.fn<Date>('now') : null,
        })
        .onConflict((oc) => oc.column('run_id').doNothing())
        .execute();
      if (r.skipped) deps.metrics.observeRun({ job_id: r.jobId, scope: r.scope, trigger_source: r.trigger, status: 'skipped' }, 0);
    },

    async recordJobRunEnd(r: RunEnd): Promise<void> {
      // Only the first end counts: a retried activity must not count the run twice.
      const row = await db
        .updateTable('job_runs')
        .set({ status: r.status, error: r.error ?? null, summary: r.summary ?? null, next_delay_sec: r.nextDelaySec ?? null, ended_at: (eb) => eb.fn<Date>('now') })
        .where('run_id', '=', r.runId)
        .where('status', '=', 'running')
        // extract(epoch from an interval) has no builder: a fragment around the typed column.
        .returning((eb) => ['job_id', 'scope', 'trigger_source', sql<number>`extract(epoch from (now() - ${eb.ref('started_at')}))::float8`.as('duration')])
        .executeTakeFirst();
      if (row) deps.metrics.observeRun({ job_id: row.job_id, scope: row.scope, trigger_source: row.trigger_source, status: r.status }, Number(row.duration));
    },

    async jobScheduleState(jobId: string): Promise<JobScheduleState> {
      try {
        const d = await deps.client.schedule.getHandle(jobId).describe();
        const spec = d.action.type === 'startWorkflow' ? (d.action.args?.[0] as JobSpec | undefined) : undefined;
        return { exists: true, paused: d.state.paused, spec };
      } catch (err) {
        if (err instanceof ScheduleNotFoundError) return { exists: false, paused: false };
        throw err;
      }
    },
  };
}

export type ControlActivities = ReturnType<typeof createControlActivities>;
