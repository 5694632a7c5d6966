/**
 * The seed's REST operations on the job store, as functions over a client of one scope's namespace:
 * the CLI (scripts/jobs.ts), the jobs API (api/jobs-api.ts) and the tests call these. Each acts on the
 * job's Temporal schedule (or its run workflows), so `temporal schedule …` and the Web UI see and do
 * the same. Creating, changing and deleting a job edit jobs/catalog.json and apply it (createJob,
 * updateJob, deleteJob), one edit at a time.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import {
  type Client, ScheduleNotFoundError, type ScheduleDescription, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError,
} from '@temporalio/client';
import { z } from 'zod';
import type { Db } from '../db/database';
import type { JobRunsTable } from '../activities/jobs/runs';
import { applyDefinitions, managedScheduleIds, planDefinitions, type PlannedChange, pruneDefinitions } from '../schedules/manage';
import { CatalogError, issueProblems } from '../schedules/validate';
import type { Clock } from '../shared/clock';
import {
  JOB_SCOPES, jobsControlQueue, type JobRunOutcome, type JobScope, type JobSpec, queueLoopWorkflowId, runSlotStartOptions, slotWorkflowId,
} from '../shared/jobs';
import { CATALOG_PATH, type CatalogFile, entryFromRequest, type JobEntry, readCatalogFile, validateJobCatalog, writeCatalogFile } from './catalog';
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
  /** `where`: "namespace compass-jobs-mock", "scope mock of catalog.json". */
  constructor(readonly jobId: string, where: string) {
    super(`no job "${jobId}" in ${where}`);
    this.name = 'JobNotFoundError';
  }
}

function notInNamespace(client: Client, jobId: string): JobNotFoundError {
  return new JobNotFoundError(jobId, `namespace ${client.options.namespace} (npm run jobs -- list)`);
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
    if (err instanceof ScheduleNotFoundError) throw notInNamespace(client, jobId);
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
  if (!spec) throw notInNamespace(client, jobId);
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
  const rows = await db
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
  return (await db
    .selectFrom('job_runs')
    .selectAll()
    .where('scope', '=', scope)
    .where('job_id', '=', jobId)
    .orderBy('started_at', 'desc')
    .orderBy('run_id')
    .limit(limit)
    .execute()) as JobRunRow[];
}

// ---- Catalog edits: jobs/catalog.json stays the source of truth, the schedules follow it ----

/** What the catalog edits need: a client of each scope's namespace and the catalog file. */
export interface CatalogContext {
  clientFor(scope: JobScope): Client;
  /** Default jobs/catalog.json (tests give a file of their own). */
  catalogPath?: string;
}

/** A request that cannot be carried out as given (not an object, scopes that disagree, …); nothing was changed. */
export class JobRequestError extends CatalogError {
  constructor(problems: string[]) {
    super(problems, 'job request');
    this.name = 'JobRequestError';
  }
}

/** A create of a job the scope already has, or a run report whose run_id is already recorded (the API's 409). */
export class JobConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JobConflictError';
  }
}

const catalogLocks = new Map<string, Promise<void>>();

/**
 * One catalog edit at a time per file in this process: read, check, write (atomically: tmp + rename,
 * writeCatalogFile) and apply as one step, so two requests never write over each other's change.
 */
async function withCatalogLock<T>(file: string, edit: () => Promise<T>): Promise<T> {
  const run = (catalogLocks.get(file) ?? Promise.resolve()).then(edit);
  const done = run.then(() => undefined, () => undefined);
  catalogLocks.set(file, done);
  try {
    return await run;
  } finally {
    if (catalogLocks.get(file) === done) catalogLocks.delete(file);
  }
}

function isScope(v: unknown): v is JobScope {
  return (JOB_SCOPES as readonly unknown[]).includes(v);
}

function requestObject(body: unknown, label: string): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new JobRequestError([`${label}: the body must be a JSON object`]);
  return body as Record<string, unknown>;
}

function findEntry(jobs: unknown[], jobId: unknown, scope: JobScope): number {
  return jobs.findIndex((j) => (j as JobEntry).job_id === jobId && (j as JobEntry).scope === scope);
}

export interface ScopeChoice {
  /** `?scope=` or `--scope`. */
  scope?: JobScope;
  /** Without any other hint: the configuration's scope. */
  fallbackScope: JobScope;
}

/**
 * The scope a request acts in: the explicit one (`?scope=`, `--scope`), else the body's `scope`, else the
 * prefix of the body's queue (`mock.jobs.scout` → mock), else the one scope whose catalog has the job,
 * else the configured scope. An explicit scope and the body's must agree.
 */
function requestScope(jobs: unknown[], jobId: unknown, choice: ScopeChoice, body: Record<string, unknown> = {}): JobScope {
  const label = typeof jobId === 'string' ? `"${jobId}"` : 'the job';
  if (body.scope !== undefined && !isScope(body.scope)) {
    throw new JobRequestError([`${label} scope: unknown scope ${JSON.stringify(body.scope)}: must be one of ${JOB_SCOPES.join(', ')}`]);
  }
  if (choice.scope && body.scope !== undefined && body.scope !== choice.scope) {
    throw new JobRequestError([`${label} scope: the request names scope ${choice.scope} but the body says "${body.scope}"`]);
  }
  const queueScope = typeof body.queue === 'string' ? /^([a-z]+)\.jobs\./.exec(body.queue)?.[1] : undefined;
  const inCatalog = new Set(jobs.filter((j) => (j as JobEntry).job_id === jobId).map((j) => (j as JobEntry).scope));
  const only = inCatalog.size === 1 ? [...inCatalog][0] : undefined;
  return choice.scope ?? (body.scope as JobScope | undefined) ?? (isScope(queueScope) ? queueScope : undefined) ?? (isScope(only) ? only : choice.fallbackScope);
}

/** The scope of a request on an existing job (show, run-now, pause, …): see requestScope. */
export function jobScope(ctx: CatalogContext, jobId: string, choice: ScopeChoice, body?: Record<string, unknown>): JobScope {
  return requestScope(readCatalogFile(ctx.catalogPath ?? CATALOG_PATH).jobs, jobId, choice, body);
}

export interface JobEdit {
  scope: JobScope;
  /** The entry as written to the catalog, defaults filled. */
  entry: JobEntry;
  /** The scope's schedules that apply created or updated. */
  changes: PlannedChange[];
  /** What was taken differently from how it was sent (interval_seconds next to cron_expr). */
  notes: string[];
}

/** Checks the whole catalog, writes it, and makes the scope's schedules match it; returns the schedules created or updated. */
async function saveAndApply(ctx: CatalogContext, file: string, doc: CatalogFile, scope: JobScope): Promise<PlannedChange[]> {
  const entries = validateJobCatalog(doc.jobs);
  writeCatalogFile(doc, file);
  return (await applyJobs(ctx.clientFor(scope), entries, scope)).filter((c) => c.kind === 'create' || c.kind === 'update');
}

/**
 * Adds a job to the catalog and applies it (`POST /jobs`, `npm run jobs -- create`). The body has the
 * catalog's fields (seed 002's registration bodies as they are); missing ones get the catalog's defaults.
 * A bad body changes nothing (JobCatalogError / JobRequestError); an existing job_id is a JobConflictError.
 */
export async function createJob(ctx: CatalogContext, body: unknown, choice: ScopeChoice): Promise<JobEdit> {
  const file = ctx.catalogPath ?? CATALOG_PATH;
  return withCatalogLock(file, async () => {
    const doc = readCatalogFile(file);
    const fields = requestObject(body, 'create');
    const scope = requestScope(doc.jobs, fields.job_id, choice, fields);
    const { entry: raw, notes } = entryFromRequest({ ...fields, scope });
    if (findEntry(doc.jobs, raw.job_id, scope) >= 0) {
      throw new JobConflictError(`job "${String(raw.job_id)}" already exists in scope ${scope}: change it with PUT /jobs/${String(raw.job_id)} (npm run jobs -- update)`);
    }
    const [entry] = validateJobCatalog([raw]);
    const changes = await saveAndApply(ctx, file, { ...doc, jobs: [...doc.jobs, entry] }, scope);
    return { scope, entry: entry!, changes, notes };
  });
}

/**
 * Changes a job's catalog entry and applies it (`PUT /jobs/{id}`, `npm run jobs -- update`): the patch's
 * fields replace the entry's; giving one of cron_expr / interval_seconds drops the other; null removes a field.
 */
export async function updateJob(ctx: CatalogContext, jobId: string, patch: unknown, choice: ScopeChoice): Promise<JobEdit> {
  const file = ctx.catalogPath ?? CATALOG_PATH;
  return withCatalogLock(file, async () => {
    const doc = readCatalogFile(file);
    const fields = requestObject(patch, `"${jobId}"`);
    if (Object.keys(fields).length === 0) throw new JobRequestError([`"${jobId}": nothing to change: give the fields to set`]);
    if (fields.job_id !== undefined && fields.job_id !== jobId) {
      throw new JobRequestError([`"${jobId}" job_id: a job cannot be renamed (the body says ${JSON.stringify(fields.job_id)}): create the new one, then delete this one`]);
    }
    const scope = requestScope(doc.jobs, jobId, choice, fields);
    const i = findEntry(doc.jobs, jobId, scope);
    if (i < 0) throw new JobNotFoundError(jobId, `scope ${scope} of ${path.basename(file)}`);
    const next: Record<string, unknown> = { ...(doc.jobs[i] as object), ...fields };
    if ('cron_expr' in fields && !('interval_seconds' in fields)) delete next.interval_seconds;
    if ('interval_seconds' in fields && !('cron_expr' in fields)) delete next.cron_expr;
    for (const [k, v] of Object.entries(next)) if (v === null) delete next[k];
    const { entry: raw, notes } = entryFromRequest(next);
    const [entry] = validateJobCatalog([raw]);
    const jobs = [...doc.jobs];
    jobs[i] = entry;
    const changes = await saveAndApply(ctx, file, { ...doc, jobs }, scope);
    return { scope, entry: entry!, changes, notes };
  });
}

/** Removes a job from the catalog and deletes its schedule (`DELETE /jobs/{id}`, `npm run jobs -- delete`); runs in progress finish. */
export async function deleteJob(ctx: CatalogContext, jobId: string, choice: ScopeChoice): Promise<{ scope: JobScope; scheduleDeleted: boolean }> {
  const file = ctx.catalogPath ?? CATALOG_PATH;
  return withCatalogLock(file, async () => {
    const doc = readCatalogFile(file);
    const scope = requestScope(doc.jobs, jobId, choice);
    const i = findEntry(doc.jobs, jobId, scope);
    if (i < 0) throw new JobNotFoundError(jobId, `scope ${scope} of ${path.basename(file)}`);
    const jobs = doc.jobs.filter((_, k) => k !== i);
    validateJobCatalog(jobs);
    writeCatalogFile({ ...doc, jobs }, file);
    try {
      await deleteJobSchedule(ctx.clientFor(scope), jobId);
      return { scope, scheduleDeleted: true };
    } catch (err) {
      if (err instanceof JobNotFoundError) return { scope, scheduleDeleted: false };
      throw err;
    }
  });
}

const instant = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 time with its offset, such as 2026-12-04T09:00:00+09:00' });

/** Seed 002's completion report (`mark_job_run`, `POST /jobs/{id}/last-run`) from a worker outside this project. */
const externalRunSchema = z
  .object({
    status: z.enum(['succeeded', 'failed', 'timed_out'], { message: 'must be "succeeded", "failed" or "timed_out"' }),
    error: z.string().max(10_000).nullish(),
    summary: z.string().max(10_000).nullish(),
    started_at: instant.nullish(),
    finished_at: instant.nullish(),
    run_id: z.string().min(1).max(200).nullish(),
    next_delay_sec: z.number().int().min(0).max(31 * 86400).nullish(),
    params: z.record(z.string(), z.unknown()).nullish(),
    job_id: z.string().nullish(),
    scope: z.enum(JOB_SCOPES).nullish(),
  })
  .strict();

/**
 * Records a run reported from outside as a `job_runs` row with trigger_source 'external' (no workflow):
 * it then counts as the job's last run. Times default to now; run_id to a new UUID. An unknown job is a
 * JobNotFoundError, a bad report a JobRequestError, a run_id already recorded a JobConflictError.
 */
export async function recordExternalRun(
  ctx: { db: Db; clientFor(scope: JobScope): Client; now: Clock }, jobId: string, scope: JobScope, report: unknown,
): Promise<JobRunRow> {
  const label = `"${jobId}" last-run`;
  const parsed = externalRunSchema.safeParse(requestObject(report ?? {}, label));
  if (!parsed.success) throw new JobRequestError(issueProblems(label, parsed.error.issues));
  const r = parsed.data;
  const finished = r.finished_at ? new Date(r.finished_at) : new Date(ctx.now());
  const started = r.started_at ? new Date(r.started_at) : finished;
  const problems: string[] = [];
  if (r.job_id && r.job_id !== jobId) problems.push(`${label} job_id: the body says "${r.job_id}"`);
  if (r.scope && r.scope !== scope) problems.push(`${label} scope: the body says "${r.scope}", the request scope ${scope}`);
  if (started > finished) problems.push(`${label} started_at: ${started.toISOString()} is after finished_at ${finished.toISOString()}`);
  if (problems.length) throw new JobRequestError(problems);
  await showJob(ctx.clientFor(scope), jobId);
  const runId = r.run_id ?? randomUUID();
  const runs = ctx.db;
  const row = await runs
    .insertInto('job_runs')
    .values({
      run_id: runId, job_id: jobId, scope, trigger_source: 'external', params: JSON.stringify(r.params ?? {}),
      workflow_id: null, workflow_run_id: null, slot: null, started_at: started, ended_at: finished,
      status: r.status, error: r.error ?? null, summary: r.summary ?? null, next_delay_sec: r.next_delay_sec ?? null,
    })
    .onConflict((oc) => oc.column('run_id').doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!row) {
    const had = await runs.selectFrom('job_runs').select(['job_id', 'scope', 'status']).where('run_id', '=', runId).executeTakeFirst();
    throw new JobConflictError(`run ${runId} is already recorded${had ? ` (job ${had.job_id}, ${had.scope}, ${had.status})` : ''}`);
  }
  return row as JobRunRow;
}
