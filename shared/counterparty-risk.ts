/**
 * Names shared by the counterparty-risk workflow, its activities, the API and the schedule.
 * Pure: imported inside the workflow sandbox too.
 */

export const COUNTERPARTY_RISK_CHAIN = 'counterparty-risk-report';

/**
 * The seed's file lock (report_cache/.counterparty_risk.lock) becomes this workflow id: Temporal
 * never runs two workflows with one id at once, on any number of workers.
 */
export function counterpartyReportWorkflowId(asOf: string): string {
  return `${COUNTERPARTY_RISK_CHAIN}-${asOf.replace(/-/g, '')}`;
}

/** status.json `last_run.result` values (the seed's, plus SKIPPED_LOCKED for a run that found the date locked). */
export type ReportRunResult = 'SUCCESS' | 'SUCCESS_WITH_FALLBACK' | 'FAILED' | 'SKIPPED_LOCKED';

/** status.json `last_run.code` values; null on a clean success. */
export const REPORT_CODES = {
  dbUnstable: 'DB_UNSTABLE_OR_UPDATING',
  dbNotConfigured: 'DB_NOT_CONFIGURED',
  dbSchemaInvalid: 'DB_SCHEMA_INVALID',
  snapshotFailed: 'SNAPSHOT_FAILED',
  aggregationFailed: 'AGGREGATION_FAILED',
  llmFallback: 'LLM_FALLBACK',
  cacheWriteFailed: 'CACHE_WRITE_FAILED',
  locked: 'SKIPPED_LOCKED',
  cancelled: 'CANCELLED',
  internal: 'INTERNAL_ERROR',
} as const;
export type ReportCode = (typeof REPORT_CODES)[keyof typeof REPORT_CODES];

/** Activity failure types (ApplicationFailure.type) of the report, and whether Temporal retries them. */
export const REPORT_FAILURES = {
  /** The source DB changed within the stability window, or is missing for a moment: retried DB_RETRY times. */
  dbUnstable: 'SourceDbUnstable',
  /** SALESMAP_DB_PATH is unset: no retry helps. */
  dbNotConfigured: 'SourceDbNotConfigured',
  /** The source DB changed while it was copied: the run fails rather than aggregating a torn copy. */
  dbChanged: 'SourceDbChanged',
  /** Tables or columns of the schema are missing: no retry helps. */
  dbSchemaInvalid: 'SourceDbSchemaInvalid',
  /** Disk full, read-only, permission, path is a directory: no retry helps. */
  cacheWriteFailed: 'CacheWriteFailed',
} as const;

/** Run settings: the worker's configuration, which a run's input may override (tests use short windows). */
export interface ReportRunSettings {
  timezone: string;
  stableWindowSec: number;
  /** Checks of the source DB before giving up (DB_RETRY). */
  dbRetry: number;
  dbRetryIntervalSec: number;
  llmTimeoutSec: number;
  retentionDays: number;
}
