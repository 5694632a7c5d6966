/**
 * The seed's REST operations on the job store, as functions over a client of one scope's namespace:
 * the CLI (scripts/jobs.ts) and the tests call these. Each acts on the job's Temporal schedule (or
 * its run workflows), so `temporal schedule …` and the Web UI see and do the same.
 */
import {
  type Client, ScheduleNotFoundError, type ScheduleDescription, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError,
} from '@temporalio/client';
import { sql } from 'kysely';
import type { Db } from '../db/database';
import { jobRunsDb, type JobRunsTable } from '../activities/jobs/runs';
import { applyDefinitions, managedScheduleIds, planDefinitions, type PlannedChange, pruneDefinitions } from '../schedules/manage';
import { jobsControlQueue, type JobRunOutcome, type JobScope, type JobSpec, queueLoopWorkflowId, runSlotStartOptions, slotWorkflowId } from '../shared/jobs';
import { validateJobCatalog } from './catalog';
import { jobDefinitionsFor, JOBS_MANAGED_BY } from './schedules';

/** Checks the whole catalog (throws JobCatalogError, changing nothing), then returns the scope's schedules. */
function definitions(entries: unknown[], scope: JobScope) {
  return jobDefinitionsFor(validateJobCatalog(entries), scope);
}

/** What `apply` would change in the client's namespace (the scope's), plus stale job schedules. */
export async function planJobs(client: Client, entries: unknown[], scope: JobScope): Promise<PlannedChange[]> {
  return planDefinitions(client, definitions(entries, scope), JOBS_MANAGED_BY);
}

/** Makes the scope's job schedules match the catalog; keeps operators' pauses and notes. */
export async function applyJobs(client: Client, entries: unknown[], scope: JobScope): Promise<PlannedChange[]> {
  return applyDefinitions(client, definitions(entries, scope), JOBS_MANAGED_BY);
}

/** Deletes the scope's job schedules that the catalog no longer lists. */
export async function pruneJobs(client: Client, entries: unknown[], scope: JobScope): Promise<string[]> {
  return pruneDefinitions(client, definitions(entries, scope).map((d) => d.id), JOBS_MANAGED_BY);
}

export class JobNotFoundError extends Error {
  constructor(jobId: string, namespace: string) {
    super(`no job "${jobId}" in namespace ${namespace} (npm run jobs -- list)`);
    this.name = 'JobNotFoundError';
  }
}

/** Seed 003's 409: the job is already running as many runs as max_parallel allows. */
export class RunNowRefusedError extends Error {
  constructor(readonly jobId: string, readonly running: RunningRun[], maxParallel: number) {
    const runs = running.map((r) => `workflow ${r.workflowId} run ${r.runId} (${r.trigger ?? 'unknown trigger'}, started ${r.startTime})`).join('; ');
    super(`run-now refused: ${jobId} is still running (max_parallel=${maxParallel}): ${runs}`);
    this.name = 'RunNowRefusedError';
  }
}

export interface RunningRun {
  workflowId: string;
  runId: string;
  startTime: string;
  trigger?: string;
}

export interface JobView {
  jobId: string;
  scope?: JobScope;
  spec?: JobSpec;
  paused: boolean;
  note?: string;
  overlap: string;
  when: string;
  nextRuns: string[];
  description?: ScheduleDescription;
}

async function describeJob(client: Client, jobId: string): Promise<ScheduleDescription> {
  try {
    return await client.schedule.getHandle(jobId).describe();
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) throw new JobNotFoundError(jobId, client.options.namespace);
    throw err;
  }
}

function whenOf(d: ScheduleDescription): string {
  const memo = d.action.type === 'startWorkflow' ? d.action.memo : undefined;
  return typeof memo?.when === 'string' ? memo.when : '(set outside the catalog)';
}

export async function showJob(client: Client, jobId: string): Promise<JobView> {
  const d = await describeJob(client, jobId);
  const spec = d.action.type === 'startWorkflow' ? (d.action.args?.[0] as JobSpec | undefined) : undefined;
  return {
    jobId,
    scope: spec?.scope,
    spec,
    paused: d.state.paused,
    note: d.state.note,
    overlap: String(d.policies.overlap),
    when: whenOf(d),
    nextRuns: d.info.nextActionTimes.slice(0, 3).map((t) => t.toISOString()),
    description: d,
  };
}

/** Every job schedule of the client's namespace. */
export async function listJobs(client: Client): Promise<JobView[]> {
  const ids = (await managedScheduleIds(client, JOBS_MANAGED_BY)).sort();
  const out: JobView[] = [];
  for (const id of ids) {
    try {
      out.push(await showJob(client, id));
    } catch (err) {
      if (!(err instanceof JobNotFoundError)) throw err; // deleted between list and describe
    }
  }
  return out;
}

async function runningRun(client: Client, workflowId: string): Promise<RunningRun | null> {
  try {
    const d = await client.workflow.getHandle(workflowId).describe();
    if (d.status.name !== 'RUNNING') return null;
    return { workflowId, runId: d.runId, startTime: d.startTime.toISOString(), trigger: d.memo?.trigger_source as string | undefined };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return null;
    throw err;
  }
}

export interface RunNowStarted {
  jobId: string;
  workflowId: string;
  runId: string;
  slot: number;
  result: () => Promise<JobRunOutcome>;
}

/**
 * Starts a manual run now, in a free run slot of the job (the same slots scheduled runs claim).
 * When every slot holds a running run, refuses with RunNowRefusedError naming them.
 */
export async function runNow(client: Client, jobId: string, params?: Record<string, unknown>): Promise<RunNowStarted> {
  const { spec } = await showJob(client, jobId);
  if (!spec) throw new JobNotFoundError(jobId, client.options.namespace);
  for (let slot = 0; slot < spec.maxParallel; slot++) {
    try {
      const handle = await client.workflow.start('runJob', {
        ...runSlotStartOptions(spec, 'manual', slot),
        taskQueue: jobsControlQueue(spec.scope),
        args: [{ spec, trigger: 'manual', slot, params }],
      });
      return { jobId, workflowId: handle.workflowId, runId: handle.firstExecutionRunId, slot, result: () => handle.result() as Promise<JobRunOutcome> };
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  }
  const running: RunningRun[] = [];
  for (let slot = 0; slot < spec.maxParallel; slot++) {
    const r = await runningRun(client, slotWorkflowId(jobId, slot));
    if (r) running.push(r);
  }
  throw new RunNowRefusedError(jobId, running, spec.maxParallel);
}

async function wakeQueueLoop(client: Client, jobId: string): Promise<void> {
  try {
    await client.workflow.getHandle(queueLoopWorkflowId(jobId)).signal('queueJobWake');
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
}

export async function pauseJob(client: Client, jobId: string, reason?: string): Promise<void> {
  await describeJob(client, jobId);
  await client.schedule.getHandle(jobId).pause(reason ?? 'paused with npm run jobs -- pause');
}

export async function resumeJob(client: Client, jobId: string, reason?: string): Promise<void> {
  const { spec } = await showJob(client, jobId);
  await client.schedule.getHandle(jobId).unpause(reason ?? 'resumed with npm run jobs -- resume');
  if (spec?.mode === 'queue') {
    // The seed's bootstrap on resume: make sure the loop runs, and let it look at its schedule now.
    await client.schedule.getHandle(jobId).trigger();
    await wakeQueueLoop(client, jobId);
  }
}

/** Deletes the job's schedule; a queue-mode loop notices and ends. Runs in progress finish. */
export async function deleteJobSchedule(client: Client, jobId: string): Promise<void> {
  await describeJob(client, jobId);
  await client.schedule.getHandle(jobId).delete();
  await wakeQueueLoop(client, jobId);
}

export type JobRunRow = Omit<JobRunsTable, 'started_at'> & { started_at: Date };

/** The last run of each job of a scope: the seed's last_run_at, last_status and last_error. */
export async function lastRuns(db: Db, scope: JobScope): Promise<Map<string, JobRunRow>> {
  const rows = await jobRunsDb(db)
    .selectFrom('job_runs')
    .selectAll()
    .distinctOn('job_id')
    .where('scope', '=', scope)
    .orderBy('job_id')
    .orderBy('started_at', 'desc')
    .execute();
  return new Map(rows.map((r) => [r.job_id, r as JobRunRow]));
}

export async function recentRuns(db: Db, scope: JobScope, jobId: string, limit = 10): Promise<JobRunRow[]> {
  return (await jobRunsDb(db)
    .selectFrom('job_runs')
    .selectAll()
    .where('scope', '=', scope)
    .where('job_id', '=', jobId)
    .orderBy('started_at', 'desc')
    .orderBy(sql`run_id`)
    .limit(limit)
    .execute()) as JobRunRow[];
}
