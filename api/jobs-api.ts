/**
 * Seed 002 §8's REST API for the service jobs (node:http, no framework), over jobs/operations.ts: the
 * same operations as `npm run jobs`, so jobs/catalog.json stays the source of truth.
 *   GET    /jobs[?scope=real|mock]          every job (both scopes without ?scope): definition, schedule state, last run
 *   POST   /jobs                            register a job (the seed's §10 bodies as written): catalog entry + apply, 201
 *   GET    /jobs/{job_id}                   one job and its recent runs
 *   PUT    /jobs/{job_id}                   change fields: catalog entry + apply
 *   DELETE /jobs/{job_id}                   remove the entry, delete the schedule
 *   POST   /jobs/{job_id}/run-now           `{params?}`: 202, or 409 naming the runs while max_parallel are going
 *   POST   /jobs/{job_id}/pause | resume    `{reason?}`
 *   POST   /jobs/{job_id}/last-run          a completion report from a worker outside this project: a job_runs row, 201
 * Scope: `?scope=`, else the body's scope or its queue's prefix, else the one scope whose catalog has the
 * job, else the configured scope. Every /jobs request needs `Authorization: Bearer <API_TOKEN>`.
 * Other paths go to `extraRoutes` (the operations page), tried before the token check: each checks
 * the token itself (a page may be served without it); what none answers is 401 without the token, else 404.
 */
import type { IncomingMessage } from 'node:http';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import type { AppConfig } from '../config/env';
import { logger as rootLogger, type Logger } from '../config/logger';
import type { Db } from '../db/database';
import { CATALOG_PATH, type JobEntry, loadJobCatalog } from '../jobs/catalog';
import {
  createJob, deleteJob, JobConflictError, JobNotFoundError, JobRequestError, type JobRunRow, jobScope, type JobView, lastRuns, listJobs,
  pauseJob, recentRuns, recordExternalRun, resumeJob, runNow, RunNowRefusedError, type ScopeChoice, showJob, updateJob,
} from '../jobs/operations';
import { CatalogError, issueProblems } from '../schedules/validate';
import { type Clock, systemClock } from '../shared/clock';
import { JOB_SCOPES, type JobScope, type JobSpec } from '../shared/jobs';
import { bearerAuth, HttpError, type JsonServer, readJsonBody, type Reply, type Route, startJsonServer } from './http';

export type JobsApiConfig = Pick<AppConfig, 'JOBS_API_HOST' | 'JOBS_API_PORT' | 'scope'>;

export interface JobsApiOptions {
  cfg: JobsApiConfig;
  /** A client of each scope's namespace (jobs/namespaces.ts). */
  clientFor(scope: JobScope): Client;
  /** The database with job_runs (last runs, external reports). */
  db: Db;
  token: string;
  logger?: Logger;
  /** The time of a last-run report that gives none; default the system clock. */
  now?: Clock;
  /** Default jobs/catalog.json. */
  catalogPath?: string;
  /** Routes for other paths (the admin page), tried in order before the 404; each checks the token itself. */
  extraRoutes?: Route[];
}

export type JobsApi = JsonServer;

const ACTIONS = ['run-now', 'pause', 'resume', 'last-run'] as const;
type Action = (typeof ACTIONS)[number];
const JOB_PATH = /^\/jobs(?:\/([^/]+)(?:\/([^/]+))?)?\/?$/;

export async function startJobsApi(o: JobsApiOptions): Promise<JobsApi> {
  const authorize = bearerAuth(o.token, 'compass-jobs');
  return startJsonServer({
    name: 'jobs API',
    host: o.cfg.JOBS_API_HOST,
    port: o.cfg.JOBS_API_PORT,
    logger: (o.logger ?? rootLogger).child({ component: 'jobs-api' }),
    errorReply,
    handle: async (req, url) => {
      const m = JOB_PATH.exec(url.pathname);
      if (m && (m[2] === undefined || (ACTIONS as readonly string[]).includes(m[2]))) {
        authorize(req);
        return jobsRoute(o, req, url, m[1] === undefined ? undefined : pathJobId(m[1]), m[2] as Action | undefined);
      }
      for (const route of o.extraRoutes ?? []) {
        const reply = await route(req, url);
        if (reply) return reply;
      }
      authorize(req);
      throw new HttpError(404, 'not found', `no such endpoint: ${url.pathname}`);
    },
  });
}

function pathJobId(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, 'invalid job_id', `"${segment}" is not a valid path segment`);
  }
}

/** The operations' failures as replies: one problem per line, nothing changed (400); unknown job (404); conflicts (409). */
function errorReply(err: unknown): Reply | undefined {
  if (err instanceof CatalogError) return { status: 400, body: { error: 'invalid request', detail: err.message, problems: err.problems } };
  if (err instanceof JobNotFoundError) return { status: 404, body: { error: 'not found', detail: err.message } };
  if (err instanceof RunNowRefusedError) {
    const running = err.running.map((r) => ({ workflow_id: r.workflowId, workflow_run_id: r.runId, trigger_source: r.trigger ?? null, started_at: r.startTime }));
    return { status: 409, body: { error: 'already running', detail: err.message, running } };
  }
  if (err instanceof JobConflictError) return { status: 409, body: { error: 'conflict', detail: err.message } };
  return undefined;
}

function queryScope(url: URL): JobScope | undefined {
  const v = url.searchParams.get('scope');
  if (v === null) return undefined;
  if (!(JOB_SCOPES as readonly string[]).includes(v)) throw new HttpError(400, 'invalid scope', `unknown scope "${v}": must be one of ${JOB_SCOPES.join(', ')}`);
  return v as JobScope;
}

const runNowBody = z.object({ params: z.record(z.string(), z.unknown()).optional() }).strict();
const reasonBody = z.object({ reason: z.string().min(1).max(500).optional() }).strict();

function parseBody<T>(schema: z.ZodType<T>, body: unknown, label: string): T {
  const r = schema.safeParse(body ?? {});
  if (!r.success) throw new JobRequestError(issueProblems(label, r.error.issues));
  return r.data;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function methodNotAllowed(req: IncomingMessage, url: URL, allowed: string[]): never {
  throw new HttpError(405, 'method not allowed', `${req.method} is not allowed on ${url.pathname} (${allowed.join(', ')})`, { headers: { allow: allowed.join(', ') } });
}

async function jobsRoute(o: JobsApiOptions, req: IncomingMessage, url: URL, jobId: string | undefined, action: Action | undefined): Promise<Reply> {
  const choice: ScopeChoice = { scope: queryScope(url), fallbackScope: o.cfg.scope };
  const ctx = { clientFor: o.clientFor, catalogPath: o.catalogPath };
  if (jobId === undefined) {
    if (req.method === 'GET') return { status: 200, body: { jobs: await listAll(o, choice.scope ? [choice.scope] : JOB_SCOPES) } };
    if (req.method !== 'POST') methodNotAllowed(req, url, ['GET', 'POST']);
    const edit = await createJob(ctx, await readJsonBody(req), choice);
    const id = edit.entry.job_id;
    return {
      status: 201,
      body: { job: await jobDetail(o, edit.scope, id), changes: changesOf(edit.changes), notes: edit.notes },
      headers: { location: `/jobs/${encodeURIComponent(id)}?scope=${edit.scope}` },
    };
  }
  if (action === undefined) {
    switch (req.method) {
      case 'GET':
        return { status: 200, body: await jobDetail(o, jobScope(ctx, jobId, choice), jobId) };
      case 'PUT': {
        const edit = await updateJob(ctx, jobId, await readJsonBody(req), choice);
        return { status: 200, body: { job: await jobDetail(o, edit.scope, jobId), changes: changesOf(edit.changes), notes: edit.notes } };
      }
      case 'DELETE': {
        const { scope, scheduleDeleted } = await deleteJob(ctx, jobId, choice);
        return { status: 200, body: { job_id: jobId, scope, namespace: namespaceOf(o, scope), deleted: true, schedule_deleted: scheduleDeleted } };
      }
    }
    methodNotAllowed(req, url, ['GET', 'PUT', 'DELETE']);
  }
  if (req.method !== 'POST') methodNotAllowed(req, url, ['POST']);
  const body = await readJsonBody(req);
  const scope = jobScope(ctx, jobId, choice, action === 'last-run' && isObject(body) ? body : undefined);
  const client = o.clientFor(scope);
  const label = `"${jobId}" ${action}`;
  switch (action) {
    case 'run-now': {
      const { params } = parseBody(runNowBody, body, label);
      const started = await runNow(client, jobId, params);
      return {
        status: 202,
        body: { job_id: jobId, scope, namespace: namespaceOf(o, scope), workflow_id: started.workflowId, workflow_run_id: started.runId, slot: started.slot },
      };
    }
    case 'pause': {
      const note = parseBody(reasonBody, body, label).reason ?? `paused with POST /jobs/${jobId}/pause`;
      await pauseJob(client, jobId, note);
      return { status: 200, body: { job_id: jobId, scope, paused: true, note } };
    }
    case 'resume': {
      const note = parseBody(reasonBody, body, label).reason ?? `resumed with POST /jobs/${jobId}/resume`;
      await resumeJob(client, jobId, note);
      return { status: 200, body: { job_id: jobId, scope, paused: false, note } };
    }
    case 'last-run': {
      const run = await recordExternalRun({ db: o.db, clientFor: o.clientFor, now: o.now ?? systemClock }, jobId, scope, body);
      return { status: 201, body: { run } };
    }
  }
}

function namespaceOf(o: JobsApiOptions, scope: JobScope): string {
  return o.clientFor(scope).options.namespace;
}

function changesOf(changes: Array<{ id: string; kind: string; parts: string[] }>) {
  return changes.map((c) => ({ schedule: c.id, change: c.kind, ...(c.kind === 'update' ? { parts: c.parts } : {}) }));
}

function catalogEntries(o: JobsApiOptions, scope: JobScope): Map<string, JobEntry> {
  return new Map(loadJobCatalog(o.catalogPath ?? CATALOG_PATH).filter((e) => e.scope === scope).map((e) => [e.job_id, e]));
}

/** The seed's fields of a job the catalog does not list (a schedule made outside it), from its schedule's workflow argument. */
function specFields(spec: JobSpec | undefined): Record<string, unknown> {
  if (!spec) return {};
  return {
    reschedule_mode: spec.mode, queue: spec.queue, max_parallel: spec.maxParallel, default_params: spec.params, timeout_sec: spec.timeoutSec,
    retry_limit: spec.retryLimit, description: spec.description, telemetry_label: spec.telemetryLabel,
    ...(spec.intervalSeconds !== undefined ? { interval_seconds: spec.intervalSeconds } : {}),
  };
}

/**
 * A job as the API shows it: the catalog entry (the seed's columns), the schedule's state, and the
 * seed's next_due_at, last_run_at, last_status and last_error.
 */
function jobJson(o: JobsApiOptions, scope: JobScope, jobId: string, entry: JobEntry | undefined, sched: JobView | undefined, last: JobRunRow | undefined) {
  return {
    job_id: jobId,
    scope,
    namespace: namespaceOf(o, scope),
    in_catalog: entry !== undefined,
    ...(entry ? { ...entry, job_id: jobId, scope } : specFields(sched?.spec)),
    schedule: sched ? { paused: sched.paused, note: sched.note ?? null, when: sched.when, overlap: sched.overlap, next_runs: sched.nextRuns } : null,
    next_due_at: sched && !sched.paused ? (sched.nextRuns[0] ?? null) : null,
    last_run_at: last?.started_at ?? null,
    last_status: last?.status ?? null,
    last_error: last?.error ?? null,
    last_run: last ?? null,
  };
}

async function listAll(o: JobsApiOptions, scopes: readonly JobScope[]) {
  const out = [];
  for (const scope of scopes) {
    const entries = catalogEntries(o, scope);
    const schedules = new Map((await listJobs(o.clientFor(scope))).map((j) => [j.jobId, j]));
    const last = await lastRuns(o.db, scope);
    for (const id of [...new Set([...entries.keys(), ...schedules.keys()])].sort()) {
      out.push(jobJson(o, scope, id, entries.get(id), schedules.get(id), last.get(id)));
    }
  }
  return out;
}

/** One job with its recent runs; 404 when neither the catalog nor the scope's namespace has it. */
async function jobDetail(o: JobsApiOptions, scope: JobScope, jobId: string) {
  const entry = catalogEntries(o, scope).get(jobId);
  let sched: JobView | undefined;
  try {
    sched = await showJob(o.clientFor(scope), jobId);
  } catch (err) {
    if (!(err instanceof JobNotFoundError) || !entry) throw err;
  }
  const runs = await recentRuns(o.db, scope, jobId);
  return { ...jobJson(o, scope, jobId, entry, sched, runs[0]), recent_runs: runs };
}
