/**
 * Names and shapes of the service job catalog (seed 002) that both sides of the workflow sandbox
 * use: the catalog and CLI on one side, the job workflows on the other. No I/O, no Node built-ins.
 */
import { CHAIN, SCOPE } from './search-attributes';

export const JOB_SCOPES = ['real', 'mock'] as const;
export type JobScope = (typeof JOB_SCOPES)[number];
export type RescheduleMode = 'scheduler' | 'queue';
export type TriggerSource = 'scheduler' | 'manual' | 'auto-reschedule';
export type JobRunStatus = 'running' | 'succeeded' | 'failed' | 'timed_out' | 'skipped';

/**
 * What a job's schedule carries as its workflow argument: the job as the worker needs it.
 * The schedule is the job store, so `jobs show` reads the job back from here.
 */
export interface JobSpec {
  jobId: string;
  scope: JobScope;
  mode: RescheduleMode;
  /** The service part of the queue name `{scope}.jobs.{service}`. */
  service: string;
  queue: string;
  maxParallel: number;
  params: Record<string, unknown>;
  timeoutSec: number;
  retryLimit: number;
  telemetryLabel: string;
  description: string;
  /** Queue mode: the delay before the next run when the service does not name one. */
  intervalSeconds?: number;
}

/** Task queue of the job workflows of one scope (the seed's Scheduler Service). */
export function jobsControlQueue(scope: JobScope): string {
  return `${scope}.jobs`;
}

/** Task queue of one service's worker: the seed's RabbitMQ queue name. */
export function serviceQueue(scope: JobScope, service: string): string {
  return `${scope}.jobs.${service}`;
}

/** Run slot `n` of a job: at most one running workflow per id is what bounds a job's concurrency. */
export function slotWorkflowId(jobId: string, slot: number): string {
  return `job-${jobId}-slot-${slot}`;
}

/** Seconds a run workflow has beyond timeout_sec (the work's own limit) for recording the run. */
export const RUN_BOOKKEEPING_SEC = 60;

/**
 * Start options of a run in slot `slot`, the same whether the schedule's workflow starts it as a
 * child or `jobs run-now` starts it from outside: a slot id that is running refuses the start.
 */
export function runSlotStartOptions(spec: JobSpec, trigger: TriggerSource, slot: number) {
  return {
    workflowId: slotWorkflowId(spec.jobId, slot),
    workflowRunTimeout: `${spec.timeoutSec + RUN_BOOKKEEPING_SEC} seconds` as const,
    memo: { job_id: spec.jobId, scope: spec.scope, trigger_source: trigger, description: spec.description },
    typedSearchAttributes: [{ key: CHAIN, value: spec.jobId }, { key: SCOPE, value: spec.scope }],
    staticSummary: `job ${spec.jobId} (${spec.scope}), ${trigger}, slot ${slot}`,
  };
}

/** The long-lived workflow of a queue-mode job. */
export function queueLoopWorkflowId(jobId: string): string {
  return `job-${jobId}-queue`;
}

/** The price monitor's long-running workflow (one per namespace, i.e. per scope). */
export const PRICE_MONITOR_WORKFLOW_ID = 'price-monitor';

/** What a service's activity returns; `nextDelaySec` is the seed's next_delay_sec (queue mode). */
export interface ServiceJobResult {
  summary: string;
  nextDelaySec?: number;
  details?: Record<string, unknown>;
}

export interface ServiceJobInput {
  jobId: string;
  scope: JobScope;
  service: string;
  runId: string;
  trigger: TriggerSource;
  params: Record<string, unknown>;
}

export interface JobRunOutcome {
  runId: string;
  status: JobRunStatus;
  slot?: number;
  result?: ServiceJobResult;
  error?: string;
}

/** The price monitor's workflow type and signals, by name (clients use them without importing workflow code). */
export const PRICE_MONITOR = { workflowType: 'priceMonitor', start: 'priceMonitorStart', stop: 'priceMonitorStop', status: 'priceMonitorStatus' } as const;

export interface PriceMonitorInput {
  scope: JobScope;
  tickers: string[];
  pollSec: number;
  /** Carried across continue-as-new. */
  ticks?: number;
}
