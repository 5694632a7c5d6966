/**
 * The service job catalog (seed 002's `jobs` table as a file): loading and validation.
 *
 * `jobs/catalog.json` is the source of truth for which jobs exist and how they are configured.
 * `npm run jobs -- apply` makes each scope's Temporal schedules match it; the schedules are then
 * the job store that workers, `temporal schedule …` and the Web UI all act on. What operators own
 * on a schedule (paused or not, its note, its runs) is kept by apply.
 *
 * A bad entry stops everything before any schedule changes, with one message per problem.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { isValidTimeZone } from '../calendar/time-zone';
import { cronProblems } from '../schedules/cron';
import { SCHEDULE_TIMEZONE } from '../schedules/catalog';
import { CatalogError, issueProblems } from '../schedules/validate';
import { JOB_SCOPES, type JobScope, type JobSpec, type RescheduleMode } from '../shared/jobs';
import { JOB_SERVICES } from '../shared/job-services';

export const CATALOG_PATH = path.resolve(__dirname, 'catalog.json');

/** One job as written in the catalog: the seed's column names. */
export interface JobEntry {
  job_id: string;
  scope: JobScope;
  reschedule_mode: RescheduleMode;
  cron_expr?: string;
  interval_seconds?: number;
  queue: string;
  enabled: boolean;
  max_parallel: number;
  default_params: Record<string, unknown>;
  timeout_sec: number;
  retry_limit: number;
  description: string;
  telemetry_label: string;
  /** IANA zone of cron_expr; default Asia/Seoul (the seed's SCHEDULER_TIMEZONE). */
  timezone?: string;
}

/** Upper bound of max_parallel: each unit is a run slot (a workflow id) that runs may claim. */
export const MAX_PARALLEL_LIMIT = 10;

/**
 * What an entry that leaves a field out gets (the seed's column defaults), the one place for them:
 * the catalog file, `npm run jobs -- create` and `POST /jobs` all fill entries through the schema below.
 * telemetry_label, when left out, is the job_id with dashes as underscores.
 */
export const JOB_DEFAULTS = {
  reschedule_mode: 'scheduler',
  enabled: true,
  max_parallel: 1,
  timeout_sec: 120,
  retry_limit: 3,
  description: '',
} as const;

const entrySchema = z
  .object({
    job_id: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'must be 2-63 lower-case letters, digits and dashes'),
    scope: z.string(),
    reschedule_mode: z.enum(['scheduler', 'queue'], { message: 'must be "scheduler" or "queue"' }).default(JOB_DEFAULTS.reschedule_mode),
    cron_expr: z.string().optional(),
    interval_seconds: z.number().int().min(1).max(31 * 86400).optional(),
    queue: z.string(),
    enabled: z.boolean().default(JOB_DEFAULTS.enabled),
    max_parallel: z.number().int().min(1).max(MAX_PARALLEL_LIMIT).default(JOB_DEFAULTS.max_parallel),
    default_params: z.record(z.string(), z.unknown()).default({}),
    timeout_sec: z.number().int().min(1).max(86400).default(JOB_DEFAULTS.timeout_sec),
    retry_limit: z.number().int().min(0).max(20).default(JOB_DEFAULTS.retry_limit),
    description: z.string().default(JOB_DEFAULTS.description),
    telemetry_label: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'must be a metric-safe name (letters, digits, _)').optional(),
    timezone: z.string().refine(isValidTimeZone, 'must be an IANA time zone such as Asia/Seoul').optional(),
  })
  .strict()
  .superRefine((e, ctx) => {
    if (!(JOB_SCOPES as readonly string[]).includes(e.scope)) {
      ctx.addIssue({ code: 'custom', path: ['scope'], message: `unknown scope "${e.scope}": must be one of ${JOB_SCOPES.join(', ')}` });
    }
    const hasCron = e.cron_expr !== undefined;
    const hasInterval = e.interval_seconds !== undefined;
    if (hasCron && hasInterval) ctx.addIssue({ code: 'custom', path: ['cron_expr'], message: 'give cron_expr or interval_seconds, not both' });
    if (!hasCron && !hasInterval) ctx.addIssue({ code: 'custom', path: ['cron_expr'], message: 'give one of cron_expr and interval_seconds' });
    if (hasCron) for (const message of cronProblems(e.cron_expr!)) ctx.addIssue({ code: 'custom', path: ['cron_expr'], message });
    if (e.reschedule_mode === 'queue' && !hasInterval) {
      ctx.addIssue({ code: 'custom', path: ['interval_seconds'], message: 'queue mode needs interval_seconds: the delay when a run does not name its next_delay_sec' });
    }
    const m = /^([a-z]+)\.jobs\.([a-z0-9][a-z0-9-]*)$/.exec(e.queue);
    if (!m) {
      ctx.addIssue({ code: 'custom', path: ['queue'], message: `"${e.queue}" is not of the form {scope}.jobs.{service}` });
    } else {
      if (m[1] !== e.scope) ctx.addIssue({ code: 'custom', path: ['queue'], message: `"${e.queue}" belongs to scope "${m[1]}", not to the job's scope "${e.scope}"` });
      if (!(m[2]! in JOB_SERVICES)) {
        ctx.addIssue({ code: 'custom', path: ['queue'], message: `no worker serves "${m[2]}"; services: ${Object.keys(JOB_SERVICES).join(', ')}` });
      } else {
        for (const message of JOB_SERVICES[m[2]!]!.paramProblems(e.default_params)) ctx.addIssue({ code: 'custom', path: ['default_params'], message });
      }
    }
  });

export class JobCatalogError extends CatalogError {
  constructor(problems: string[]) {
    super(problems, 'job catalog');
    this.name = 'JobCatalogError';
  }
}

/** Checks every entry and fills the seed's defaults; throws JobCatalogError naming each problem. */
export function validateJobCatalog(entries: unknown[]): JobEntry[] {
  const problems: string[] = [];
  const out: JobEntry[] = [];
  const seen = new Set<string>();
  entries.forEach((raw, i) => {
    const r = raw as { job_id?: unknown; scope?: unknown } | null;
    const label = r?.job_id ? `"${String(r.job_id)}"${r.scope ? ` (${String(r.scope)})` : ''}` : `#${i + 1}`;
    const parsed = entrySchema.safeParse(raw);
    if (!parsed.success) {
      problems.push(...issueProblems(label, parsed.error.issues));
      return;
    }
    const e = parsed.data;
    const key = `${e.scope}/${e.job_id}`;
    if (seen.has(key)) problems.push(`${label}: duplicate job_id in scope ${e.scope}`);
    seen.add(key);
    out.push({ ...e, scope: e.scope as JobScope, telemetry_label: e.telemetry_label ?? e.job_id.replace(/-/g, '_') });
  });
  if (problems.length) throw new JobCatalogError(problems);
  return out;
}

/**
 * A job as an operator sends it (`POST /jobs`, `npm run jobs -- create`), made into a catalog entry.
 * Seed 002's registration bodies (§10) give cron_expr *and* interval_seconds: in scheduler mode the
 * cron expression decides when the job runs (the seed's jobs table has cron_expr NOT NULL; the interval
 * only restates the period), so interval_seconds is dropped there, with a note saying so. Everything
 * else is left to the catalog's own validation, which still refuses both in the file itself and in queue mode.
 */
export function entryFromRequest(body: Record<string, unknown>): { entry: Record<string, unknown>; notes: string[] } {
  const { interval_seconds, ...rest } = body;
  const scheduler = (body.reschedule_mode ?? JOB_DEFAULTS.reschedule_mode) === 'scheduler';
  if (typeof interval_seconds !== 'number' || typeof body.cron_expr !== 'string' || !scheduler) return { entry: body, notes: [] };
  return {
    entry: rest,
    notes: [`interval_seconds ${JSON.stringify(interval_seconds)} not kept: in scheduler mode cron_expr "${body.cron_expr}" decides when the job runs`],
  };
}

export interface CatalogFile {
  $comment?: string;
  jobs: unknown[];
}

export function readCatalogFile(file = CATALOG_PATH): CatalogFile {
  const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as CatalogFile;
  if (!doc || !Array.isArray(doc.jobs)) throw new JobCatalogError([`${file}: must be an object with a "jobs" array`]);
  return doc;
}

export function writeCatalogFile(doc: CatalogFile, file = CATALOG_PATH): void {
  validateJobCatalog(doc.jobs);
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(doc, null, 2)}\n`);
  fs.renameSync(tmp, file);
}

/** The validated catalog from the file (default jobs/catalog.json). */
export function loadJobCatalog(file = CATALOG_PATH): JobEntry[] {
  return validateJobCatalog(readCatalogFile(file).jobs);
}

export function serviceOf(entry: Pick<JobEntry, 'queue'>): string {
  return entry.queue.slice(entry.queue.indexOf('.jobs.') + '.jobs.'.length);
}

/** What the worker needs of an entry: the argument of its schedule's workflow. */
export function jobSpecOf(e: JobEntry): JobSpec {
  return {
    jobId: e.job_id,
    scope: e.scope,
    mode: e.reschedule_mode,
    service: serviceOf(e),
    queue: e.queue,
    maxParallel: e.max_parallel,
    params: e.default_params,
    timeoutSec: e.timeout_sec,
    retryLimit: e.retry_limit,
    telemetryLabel: e.telemetry_label,
    description: e.description,
    ...(e.interval_seconds !== undefined && e.reschedule_mode === 'queue' ? { intervalSeconds: e.interval_seconds } : {}),
  };
}

export function jobTimezone(e: Pick<JobEntry, 'timezone'>): string {
  return e.timezone ?? SCHEDULE_TIMEZONE;
}
