/**
 * The daily analysis pipeline of seed 000 (`run_daily_pipeline`): the LangGraph pipeline
 * command, then, only if it succeeded, Redis cache invalidation and the refresh of
 * `mv_keyword_frequency`. A failed pipeline stops the chain and fails the run, which is what
 * raises the alert (the ops_alert table and its delivery come with issue 6).
 *
 * The log messages are the seed's, word for word, so that the operators' greps keep working.
 */
import {
  ActivityCancellationType,
  ApplicationFailure,
  isCancellation,
  log,
  proxyActivities,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Duration, RetryPolicy } from '@temporalio/common';
import { type IsoDate, kstDate } from '../calendar/trading-calendar';
import type { Activities } from '../activities';
import type { RunPipelineResult } from '../activities/pipeline-command';
import type { InvalidateCachesResult } from '../activities/post-processing';
import { SCHEDULED_START, TRADING_DATE } from '../shared/search-attributes';
import { trackProgress, stepOf } from './progress';

export const DAILY_PIPELINE = 'daily-pipeline';
export const PIPELINE_VIEWS = ['mv_keyword_frequency'];

export interface PipelinePolicy {
  /**
   * The pipeline command: one retry, a minute later. A rerun repeats crawling and LLM calls
   * (time and money), so one more try covers a transient fault without hiding a broken
   * pipeline; misconfiguration is never retried.
   */
  pipelineRetry: RetryPolicy;
  /** Redis and PostgreSQL steps: cheap and idempotent, so a few quick retries. */
  postRetry: RetryPolicy;
  /** Also bounds how long a cancellation takes to reach the process (it travels on heartbeats). */
  heartbeatTimeout: Duration;
}

export const DEFAULT_PIPELINE_POLICY: PipelinePolicy = {
  pipelineRetry: { initialInterval: '1m', backoffCoefficient: 1, maximumAttempts: 2, nonRetryableErrorTypes: ['PipelineMisconfigured'] },
  postRetry: { initialInterval: '5s', backoffCoefficient: 2, maximumAttempts: 3, nonRetryableErrorTypes: ['UnknownView'] },
  heartbeatTimeout: '30s',
};

export interface DailyPipelineInput {
  /** The day the run is for (KST). Default: the schedule slot's date, or today for a manual start. */
  asOf?: IsoDate;
  /** Overrides the worker's PIPELINE_TIMEOUT_SEC (1–1500). */
  timeoutSec?: number;
  policy?: Partial<PipelinePolicy>;
}

export interface DailyPipelineResult {
  runDate: IsoDate;
  pipeline: RunPipelineResult;
  caches: InvalidateCachesResult;
  views: string[];
}

export async function dailyPipeline(input: DailyPipelineInput = {}): Promise<DailyPipelineResult> {
  const policy: PipelinePolicy = {
    ...DEFAULT_PIPELINE_POLICY,
    ...input.policy,
    pipelineRetry: { ...DEFAULT_PIPELINE_POLICY.pipelineRetry, ...input.policy?.pipelineRetry },
    postRetry: { ...DEFAULT_PIPELINE_POLICY.postRetry, ...input.policy?.postRetry },
  };
  const info = workflowInfo();
  const runDate = input.asOf ?? kstDate(info.typedSearchAttributes.get(SCHEDULED_START) ?? info.startTime);

  const progress = trackProgress(DAILY_PIPELINE, ['pipeline', 'invalidate-caches', 'refresh-views']);
  progress.tradingDate = runDate;
  upsertSearchAttributes([{ key: TRADING_DATE, value: runDate }]);
  upsertMemo({ runDate });
  log.info('=== 데일리 파이프라인 시작 ===', { runDate });

  const pipeline = proxyActivities<Activities>({
    // A backstop only: the activity stops the command itself at PIPELINE_TIMEOUT_SEC (at most 25 minutes).
    startToCloseTimeout: '30 minutes',
    heartbeatTimeout: policy.heartbeatTimeout,
    retry: policy.pipelineRetry,
    // Wait until the activity has killed the process group, so a cancelled run leaves nothing running.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  });
  const post = proxyActivities<Activities>({ startToCloseTimeout: '10 minutes', heartbeatTimeout: '2 minutes', retry: policy.postRetry });

  // 1. The pipeline command.
  const run = stepOf(progress, 'pipeline');
  Object.assign(run, { state: 'running', total: 1 });
  log.info('LangGraph 파이프라인 실행 시작', { runDate });
  let pipelineResult: RunPipelineResult;
  try {
    pipelineResult = await pipeline.runPipelineCommand({ chain: DAILY_PIPELINE, runDate, timeoutSec: input.timeoutSec });
  } catch (err) {
    run.state = 'failed';
    for (const s of progress.steps.slice(1)) s.state = 'skipped';
    if (isCancellation(err)) log.warn('LangGraph 파이프라인 취소 → 파이프라인 중단', { runDate });
    else log.error('LangGraph 파이프라인 실패 → 파이프라인 중단', { runDate, error: causeMessage(err) });
    throw err;
  }
  Object.assign(run, { state: 'done', done: 1 });
  log.info('LangGraph 파이프라인 완료', { runDate, durationMs: pipelineResult.durationMs, lines: pipelineResult.stdoutLines + pipelineResult.stderrLines });

  // 2. Post-processing, only after a successful pipeline. The two steps do not depend on each
  // other, so a failure of one does not skip the other; the run fails afterwards if either did.
  const failures: string[] = [];
  let caches: InvalidateCachesResult = { skipped: true, reason: 'failed', deleted: 0, patterns: [] };
  const cacheStep = stepOf(progress, 'invalidate-caches');
  cacheStep.state = 'running';
  try {
    caches = await post.invalidateCaches({ chain: DAILY_PIPELINE, tradingDate: runDate, patternSet: 'pipeline' });
    Object.assign(cacheStep, { state: caches.skipped ? 'skipped' : 'done', done: caches.deleted, total: caches.deleted, note: caches.reason });
    if (caches.skipped) log.warn('Redis 캐시 무효화 건너뜀', { reason: caches.reason });
    else log.info('Redis 캐시 무효화 완료', { deleted: caches.deleted, patterns: caches.patterns });
  } catch (err) {
    if (isCancellation(err)) throw err;
    cacheStep.state = 'failed';
    failures.push(`Redis 캐시 무효화 실패: ${causeMessage(err)}`);
    log.error('Redis 캐시 무효화 실패', { error: causeMessage(err) });
  }

  let views: string[] = [];
  const viewStep = stepOf(progress, 'refresh-views');
  Object.assign(viewStep, { state: 'running', total: PIPELINE_VIEWS.length });
  try {
    views = (await post.refreshMaterializedViews({ chain: DAILY_PIPELINE, tradingDate: runDate, views: PIPELINE_VIEWS })).refreshed;
    Object.assign(viewStep, { state: 'done', done: views.length });
    log.info('MV 리프레시 완료', { views });
  } catch (err) {
    if (isCancellation(err)) throw err;
    viewStep.state = 'failed';
    failures.push(`MV 리프레시 실패: ${causeMessage(err)}`);
    log.error('MV 리프레시 실패', { error: causeMessage(err) });
  }

  if (failures.length) {
    throw ApplicationFailure.nonRetryable(
      `the pipeline succeeded but post-processing failed: ${failures.join('; ')}`,
      'PostProcessingFailed',
    );
  }
  log.info('=== 데일리 파이프라인 완료 ===', { runDate });
  return { runDate, pipeline: pipelineResult, caches, views };
}

/** The innermost message: an ActivityFailure's own message only says which activity failed. */
function causeMessage(err: unknown): string {
  let e = err as { message?: string; cause?: unknown } | undefined;
  while (e && typeof e === 'object' && e.cause && typeof e.cause === 'object') e = e.cause as typeof e;
  return e?.message ?? String(err);
}
