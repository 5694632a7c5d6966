/**
 * Job catalog entry → Temporal schedule. One schedule per job, id = job_id, in the scope's namespace:
 *
 *   enabled=false      → created paused (or paused by apply) with the note "paused by configuration: …"
 *   max_parallel = 1   → overlap SKIP (a run still going makes the schedule skip the slot)
 *   max_parallel > 1   → overlap ALLOW_ALL, bounded by run slots: every run claims one of the workflow
 *                        ids job-<id>-slot-0 … slot-(n-1); a run that finds them all taken is recorded as skipped
 *   timeout_sec        → the work's time limit, all attempts included (activity schedule-to-close), and the
 *                        workflow run timeout (timeout_sec + a bookkeeping margin, so a stuck run cannot hold SKIP)
 *   retry_limit        → the work's retry policy: retry_limit retries after the first attempt
 *   default_params     → the run's params, inside the schedule's workflow argument (the JobSpec)
 *   description        → the schedule's memo and initial note, the run's memo
 *   cron_expr          → a cron spec in the entry's zone; interval_seconds → an interval spec
 *   reschedule_mode=queue → the schedule starts the bootstrap, which keeps the job's long-lived loop running
 */
import { type ScheduleOptions, ScheduleOverlapPolicy, type ScheduleSpec } from '@temporalio/client';
import { type ScheduleDefinition } from '../schedules/manage';
import { configPauseNote, fingerprint } from '../schedules/options';
import { jobsControlQueue, RUN_BOOKKEEPING_SEC, type JobScope } from '../shared/jobs';
import { CHAIN, CONFIG_HASH, SCOPE } from '../shared/search-attributes';
import { type JobEntry, jobSpecOf, jobTimezone } from './catalog';

/** memo.managedBy of job schedules: what `jobs list` and `jobs prune` look for. */
export const JOBS_MANAGED_BY = 'compass-jobs';

/** How late a slot missed during an outage may still start (APScheduler misfire_grace_time). */
export const JOB_CATCHUP_WINDOW = '5 minutes';

export const DISABLED_REASON = 'enabled=false in jobs/catalog.json';

/** The job's times as the catalog writes them: "cron 0 8 * * 1-5 (Asia/Seoul)" or "every 600 s". */
export function whenText(e: Pick<JobEntry, 'cron_expr' | 'interval_seconds' | 'timezone'>): string {
  return e.cron_expr !== undefined ? `cron ${e.cron_expr.trim()} (${jobTimezone(e)})` : `every ${e.interval_seconds!} s`;
}

export function jobWorkflowType(e: Pick<JobEntry, 'reschedule_mode'>): 'scheduledJob' | 'queueJobBootstrap' {
  return e.reschedule_mode === 'queue' ? 'queueJobBootstrap' : 'scheduledJob';
}

export function jobScheduleDefinition(e: JobEntry): ScheduleDefinition {
  const spec: ScheduleSpec = e.cron_expr !== undefined
    ? { cronExpressions: [e.cron_expr.trim()], timezone: jobTimezone(e) }
    : { intervals: [{ every: `${e.interval_seconds!}s` as const }] };
  const action: ScheduleOptions['action'] = {
    type: 'startWorkflow',
    workflowType: jobWorkflowType(e),
    taskQueue: jobsControlQueue(e.scope),
    workflowId: `job-${e.job_id}`,
    args: [jobSpecOf(e)],
    workflowRunTimeout: `${e.timeout_sec + RUN_BOOKKEEPING_SEC}s`,
    // The action's memo is replaced with the action, so it can carry the when as written (describe() returns calendars).
    memo: { job_id: e.job_id, scope: e.scope, description: e.description, telemetry_label: e.telemetry_label, when: whenText(e) },
    typedSearchAttributes: [
      { key: CHAIN, value: e.job_id },
      { key: SCOPE, value: e.scope },
    ],
    staticSummary: `job ${e.job_id} (${e.scope})`,
  };
  const policies: NonNullable<ScheduleOptions['policies']> = {
    overlap: e.max_parallel === 1 ? ScheduleOverlapPolicy.SKIP : ScheduleOverlapPolicy.ALLOW_ALL,
    catchupWindow: JOB_CATCHUP_WINDOW,
  };
  const hash = fingerprint({ spec, action: { ...action, typedSearchAttributes: [e.job_id, e.scope] }, policies });
  const description = e.description || `job ${e.job_id}`;
  const disabledReason = e.enabled ? undefined : DISABLED_REASON;
  const options: ScheduleOptions = {
    scheduleId: e.job_id,
    spec,
    action,
    policies,
    memo: { managedBy: JOBS_MANAGED_BY, description, scope: e.scope, telemetry_label: e.telemetry_label },
    typedSearchAttributes: [{ key: CONFIG_HASH, value: hash }],
    state: disabledReason
      ? { paused: true, note: configPauseNote(disabledReason) }
      // A queue-mode job starts its loop when created (the seed's bootstrap message), not at the first tick.
      : { note: description.slice(0, 200), ...(e.reschedule_mode === 'queue' ? { triggerImmediately: true } : {}) },
  };
  return { id: e.job_id, description, disabledReason, options, hash };
}

export function jobDefinitionsFor(entries: JobEntry[], scope: JobScope): ScheduleDefinition[] {
  return entries.filter((e) => e.scope === scope).map(jobScheduleDefinition);
}
