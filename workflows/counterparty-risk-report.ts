/**
 * The daily counterparty-risk report of seed 004: wait for a stable SalesMap DB, snapshot it,
 * aggregate, add evidence and actions, write report_cache/YYYYMMDD.json, update status.json,
 * apply retention.
 *
 * The seed's file lock is the workflow id: only the run whose id is
 * `counterparty-risk-report-<YYYYMMDD>` makes that date's report, and Temporal never runs two
 * workflows with one id at once. Any other run (a schedule firing, a start under another id)
 * claims the date by starting that workflow as its child; when the date is already being made,
 * the claim fails and the run is recorded as SKIPPED_LOCKED in status.json.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  log,
  proxyActivities,
  type RetryPolicy,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
// Not re-exported by @temporalio/workflow; the sandbox's startChild rejects with this very class.
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { Activities } from '../activities';
import {
  COUNTERPARTY_RISK_CHAIN,
  counterpartyReportWorkflowId,
  REPORT_CODES,
  REPORT_FAILURES,
  type ReportCode,
  type ReportRunResult,
  type ReportRunSettings,
} from '../shared/counterparty-risk';
import { CHAIN, SCHEDULED_START, TRADING_DATE } from '../shared/search-attributes';
import type { WorkflowProgress } from '../shared/progress';
import { runStartOptions } from './policy';
import { trackProgress, stepOf } from './progress';

export type ReportTrigger = 'schedule' | 'api' | 'manual';

export interface CounterpartyRiskReportInput {
  /** The report date (YYYY-MM-DD). Default: the schedule slot's date in TZ, or today in TZ. */
  asOf?: string;
  trigger?: ReportTrigger;
  /** Overrides of the worker's settings (DB_STABLE_WINDOW_SEC, DB_RETRY, …); the tests use short ones. */
  settings?: Partial<ReportRunSettings>;
}

export interface CounterpartyRiskReportResult {
  result: ReportRunResult;
  code: ReportCode | null;
  msg: string;
  asOf: string;
  /** The workflow that holds (or held) the date: counterparty-risk-report-<YYYYMMDD>. */
  reportWorkflowId: string;
  dbSignature: string | null;
  cacheFile?: string;
  generatedAt?: string;
}

const STEPS = ['source-db', 'snapshot', 'aggregate', 'advice', 'cache', 'status', 'retention'] as const;

const quick = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10s', maximumAttempts: 5 },
});

export async function counterpartyRiskReport(input: CounterpartyRiskReportInput = {}): Promise<CounterpartyRiskReportResult> {
  const info = workflowInfo();
  const scheduledAt = info.typedSearchAttributes.get(SCHEDULED_START);
  const trigger: ReportTrigger = input.trigger ?? (scheduledAt ? 'schedule' : 'manual');
  const run = await quick.resolveCounterpartyRun({
    asOf: input.asOf,
    dateInstant: (scheduledAt ?? info.startTime).toISOString(),
    startedAt: info.startTime.toISOString(),
    overrides: input.settings,
  });
  const lockId = counterpartyReportWorkflowId(run.asOf);
  upsertSearchAttributes([
    { key: CHAIN, value: COUNTERPARTY_RISK_CHAIN },
    { key: TRADING_DATE, value: run.asOf },
  ]);
  if (info.workflowId !== lockId) return claimDate(run.asOf, lockId, trigger, input.settings);
  return makeReport(run.asOf, run.stamp, run.settings, trigger);
}

/** Runs the date's workflow as a child, or records SKIPPED_LOCKED when it is already running. */
async function claimDate(asOf: string, lockId: string, trigger: ReportTrigger, settings?: Partial<ReportRunSettings>): Promise<CounterpartyRiskReportResult> {
  let child;
  try {
    child = await startChild(counterpartyRiskReport, {
      ...runStartOptions('counterpartyRiskReport'),
      workflowId: lockId,
      args: [{ asOf, trigger, settings }],
      typedSearchAttributes: [
        { key: CHAIN, value: COUNTERPARTY_RISK_CHAIN },
        { key: TRADING_DATE, value: asOf },
      ],
      memo: { trigger, claimedBy: workflowInfo().workflowId },
      staticSummary: `counterparty-risk report for ${asOf} (${trigger})`,
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    const msg = `${lockId} is already running: another run holds the lock for ${asOf}; this ${trigger} run was skipped`;
    log.warn(msg, { asOf, lockId });
    await quick.recordCounterpartyStatus({
      run: { result: 'SKIPPED_LOCKED', code: REPORT_CODES.locked, msg, as_of: asOf, db_signature: null, trigger },
      success: null,
    });
    return { result: 'SKIPPED_LOCKED', code: REPORT_CODES.locked, msg, asOf, reportWorkflowId: lockId, dbSignature: null };
  }
  return child.result();
}

async function makeReport(asOf: string, stamp: string, s: ReportRunSettings, trigger: ReportTrigger): Promise<CounterpartyRiskReportResult> {
  const progress: WorkflowProgress = trackProgress(COUNTERPARTY_RISK_CHAIN, [...STEPS]);
  progress.tradingDate = asOf;
  log.info('counterparty-risk report started', { asOf, trigger });

  // The seed's "retry DB_RETRY times every DB_RETRY_INTERVAL_SEC" is this activity's retry policy.
  const sourceCheck = proxyActivities<Activities>({
    startToCloseTimeout: '1 minute',
    retry: { initialInterval: `${s.dbRetryIntervalSec}s`, backoffCoefficient: 1, maximumAttempts: s.dbRetry },
  });
  const fileRetry: RetryPolicy = { initialInterval: '2s', backoffCoefficient: 2, maximumAttempts: 3 };
  // The copy heartbeats per MiB, so a stuck copy is noticed in a minute whatever the file's size.
  const copier = proxyActivities<Activities>({ startToCloseTimeout: '30 minutes', heartbeatTimeout: '1 minute', retry: fileRetry });
  const files = proxyActivities<Activities>({ startToCloseTimeout: '15 minutes', retry: fileRetry });
  const advice = proxyActivities<Activities>({
    startToCloseTimeout: `${s.llmTimeoutSec + 30}s`,
    retry: { initialInterval: '2s', maximumAttempts: 2 },
  });

  let dbSignature: string | null = null;
  let step: (typeof STEPS)[number] = 'source-db';
  const begin = (name: (typeof STEPS)[number]) => {
    step = name;
    stepOf(progress, name).state = 'running';
  };
  const done = (name: (typeof STEPS)[number], note?: string) => Object.assign(stepOf(progress, name), { state: 'done', done: 1, total: 1, note });

  try {
    begin('source-db');
    dbSignature = (await sourceCheck.checkCounterpartySourceDb({ stableWindowSec: s.stableWindowSec })).signature;
    done('source-db', dbSignature);

    begin('snapshot');
    const snapshot = await copier.snapshotCounterpartySourceDb({ asOf, stamp, expectedSignature: dbSignature });
    done('snapshot', snapshot.file);

    begin('aggregate');
    const aggregate = await files.aggregateCounterpartyRisk({ asOf, snapshot: snapshot.file });
    done('aggregate', `${aggregate.summary.organizations} counterparties`);

    begin('advice');
    const advised = await advice.adviseCounterpartyRisk({ aggregate, stamp, timeoutSec: s.llmTimeoutSec });
    const fallback = advised.llm.source !== 'llm';
    done('advice', advised.llm.source);

    begin('cache');
    const result = fallback ? 'SUCCESS_WITH_FALLBACK' : 'SUCCESS';
    const written = await files.writeCounterpartyCache({ report: advised.report, result, llm: advised.llm, dbSignature, snapshot: snapshot.file });
    done('cache', written.file);

    begin('status');
    const code = fallback ? REPORT_CODES.llmFallback : null;
    const msg = fallback
      ? `report written with rule-based evidence and actions: ${advised.llm.error ?? 'the LLM did not answer for every counterparty'}`
      : 'report written';
    await quick.recordCounterpartyStatus({
      run: { result, code, msg, as_of: asOf, db_signature: dbSignature, trigger },
      success: { as_of: asOf, db_signature: dbSignature, generated_at: written.generatedAt },
    });
    done('status');

    await retention(s, progress);
    log.info('counterparty-risk report done', { asOf, result });
    return { result, code, msg, asOf, reportWorkflowId: workflowInfo().workflowId, dbSignature, cacheFile: written.file, generatedAt: written.generatedAt };
  } catch (err) {
    stepOf(progress, step).state = 'failed';
    const code = isCancellation(err) ? REPORT_CODES.cancelled : codeFor(step, err);
    const msg = step === 'source-db' && code === REPORT_CODES.dbUnstable
      ? `the SalesMap DB was not stable after ${s.dbRetry} checks ${s.dbRetryIntervalSec} s apart: ${messageOf(err)}`
      : messageOf(err);
    log.error('counterparty-risk report failed; the previous cache is kept', { asOf, step, code, msg });
    // Recorded even when the run is being cancelled, so status.json never misses a run.
    await CancellationScope.nonCancellable(async () => {
      await quick.recordCounterpartyStatus({ run: { result: 'FAILED', code, msg, as_of: asOf, db_signature: dbSignature, trigger }, success: null });
      await retention(s, progress);
    });
    if (isCancellation(err)) throw err;
    throw ApplicationFailure.create({ type: code, message: msg, nonRetryable: true, details: [{ asOf, step, code }] });
  }
}

/** Retention never decides a run's result: a file it cannot delete now is deleted next time. */
async function retention(s: ReportRunSettings, progress: WorkflowProgress): Promise<void> {
  const p = stepOf(progress, 'retention');
  p.state = 'running';
  try {
    const r = await quick.applyCounterpartyRetention({ retentionDays: s.retentionDays });
    Object.assign(p, { state: 'done', done: r.deleted.length, total: r.deleted.length + r.kept, note: r.errors.length ? `${r.errors.length} errors` : undefined });
  } catch (err) {
    Object.assign(p, { state: 'failed', note: messageOf(err) });
    log.warn('retention failed', { error: messageOf(err) });
  }
}

function failureType(err: unknown): string | undefined {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return cause instanceof ApplicationFailure ? cause.type ?? undefined : undefined;
}

function codeFor(step: (typeof STEPS)[number], err: unknown): ReportCode {
  switch (failureType(err)) {
    case REPORT_FAILURES.dbUnstable:
    case REPORT_FAILURES.dbChanged:
      return REPORT_CODES.dbUnstable;
    case REPORT_FAILURES.dbNotConfigured:
      return REPORT_CODES.dbNotConfigured;
    case REPORT_FAILURES.dbSchemaInvalid:
      return REPORT_CODES.dbSchemaInvalid;
    case REPORT_FAILURES.cacheWriteFailed:
      return REPORT_CODES.cacheWriteFailed;
  }
  const byStep: Partial<Record<(typeof STEPS)[number], ReportCode>> = {
    'source-db': REPORT_CODES.dbUnstable,
    snapshot: REPORT_CODES.snapshotFailed,
    aggregate: REPORT_CODES.aggregationFailed,
    cache: REPORT_CODES.cacheWriteFailed,
  };
  return byStep[step] ?? REPORT_CODES.internal;
}

function messageOf(err: unknown): string {
  const cause = err instanceof ActivityFailure && err.cause ? err.cause : err;
  return cause instanceof Error ? cause.message : String(cause);
}
