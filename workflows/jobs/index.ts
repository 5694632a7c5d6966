/**
 * Workflows of the service job catalog (seed 002), bundled apart from workflows/index.ts and run on
 * each scope's control queue `{scope}.jobs` (priceMonitor on `{scope}.jobs.price-monitor`).
 * Deterministic code only: every side effect is an activity.
 *
 *   scheduledJob       what a scheduler-mode job's schedule starts: claims a free run slot, runs the job there
 *   runJob             one run, in slot workflow `job-<id>-slot-<n>`: records the run, dispatches the work to
 *                      the service's queue `{scope}.jobs.{service}` as the activity runServiceJob, records the end
 *   queueJobBootstrap  what a queue-mode job's schedule starts: makes sure the job's loop runs
 *   queueJob           a queue-mode job's loop `job-<id>-queue`: run, wait next_delay_sec (a durable timer), again;
 *                      continues as new every `runsPerExecution` runs
 *   priceMonitor       the long-running monitor that price-monitor-start and price-monitor-stop signal
 */
import {
  ApplicationFailure, ActivityFailure, allHandlersFinished, CancellationScope, ChildWorkflowFailure, condition, continueAsNew, defineQuery, defineSignal,
  isCancellation, log, ParentClosePolicy, proxyActivities, setHandler, startChild, TimeoutFailure, uuid4, workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { ControlActivities } from '../../activities/jobs/runs';
import type { PriceMonitorActivities, ServiceActivities } from '../../shared/job-services';
import {
  type JobRunOutcome, type JobSpec, PRICE_MONITOR, type PriceMonitorInput, queueLoopWorkflowId, runSlotStartOptions, serviceQueue, slotWorkflowId,
  type TriggerSource,
} from '../../shared/jobs';
import { CHAIN, SCOPE } from '../../shared/search-attributes';
import { runStartOptions } from '../policy';

const control = proxyActivities<ControlActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 20 },
});

export interface RunJobInput {
  spec: JobSpec;
  trigger: TriggerSource;
  slot: number;
  /** Merged over the job's default_params (run-now --params). */
  params?: Record<string, unknown>;
}

/** The deepest message of a failure chain: "Activity task failed" says less than its cause. */
function failureMessage(err: unknown): string {
  let e: unknown = err;
  let message = err instanceof Error ? err.message : String(err);
  while (e instanceof Error && e.cause) {
    e = e.cause;
    if (e instanceof Error && e.message) message = e.message;
  }
  return message;
}

export async function runJob(input: RunJobInput): Promise<JobRunOutcome> {
  const { spec, trigger, slot } = input;
  const runId = uuid4();
  const params = { ...spec.params, ...(input.params ?? {}) };
  const info = workflowInfo();
  await control.recordJobRunStart({ runId, jobId: spec.jobId, scope: spec.scope, trigger, params, workflowId: info.workflowId, workflowRunId: info.runId, slot });
  const service = proxyActivities<ServiceActivities>({
    taskQueue: serviceQueue(spec.scope, spec.service),
    // timeout_sec bounds the work, every attempt included; retry_limit is the number of retries after the first attempt.
    scheduleToCloseTimeout: `${spec.timeoutSec} seconds`,
    startToCloseTimeout: `${spec.timeoutSec} seconds`,
    retry: { maximumAttempts: spec.retryLimit + 1, initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
  });
  try {
    const result = await service.runServiceJob({ jobId: spec.jobId, scope: spec.scope, service: spec.service, runId, trigger, params });
    await control.recordJobRunEnd({ runId, status: 'succeeded', summary: result.summary, nextDelaySec: result.nextDelaySec });
    return { runId, status: 'succeeded', slot, result };
  } catch (err) {
    if (isCancellation(err)) {
      // `temporal workflow cancel`: the row must not stay 'running'.
      await CancellationScope.nonCancellable(() => control.recordJobRunEnd({ runId, status: 'failed', error: 'cancelled' }));
      throw err;
    }
    if (!(err instanceof ActivityFailure)) throw err;
    const timedOut = err.cause instanceof TimeoutFailure;
    const error = timedOut ? `timed out after ${spec.timeoutSec} s (timeout_sec)` : failureMessage(err);
    await control.recordJobRunEnd({ runId, status: timedOut ? 'timed_out' : 'failed', error });
    throw ApplicationFailure.nonRetryable(`job ${spec.jobId} (${spec.scope}) run ${runId}: ${error}`, timedOut ? 'JobTimedOut' : 'JobFailed');
  }
}

/**
 * Runs the job in the first free slot of its max_parallel slots. Starting a workflow whose id is
 * running fails, so a slot is claimed atomically by the server; with all slots taken the run is
 * recorded as skipped and nothing runs.
 */
async function runInFreeSlot(spec: JobSpec, trigger: TriggerSource, params?: Record<string, unknown>): Promise<JobRunOutcome> {
  const busy: string[] = [];
  for (let slot = 0; slot < spec.maxParallel; slot++) {
    try {
      const child = await startChild(runJob, { ...runSlotStartOptions(spec, trigger, slot), args: [{ spec, trigger, slot, params }] });
      return await child.result();
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) {
        busy.push(slotWorkflowId(spec.jobId, slot));
        continue;
      }
      throw err;
    }
  }
  const runId = uuid4();
  const error = `all ${spec.maxParallel} run slot(s) of ${spec.jobId} are taken (${busy.join(', ')}): max_parallel=${spec.maxParallel}`;
  const info = workflowInfo();
  await control.recordJobRunStart({ runId, jobId: spec.jobId, scope: spec.scope, trigger, params: { ...spec.params, ...(params ?? {}) }, workflowId: info.workflowId, workflowRunId: info.runId, skipped: error });
  log.warn(error, { jobId: spec.jobId, scope: spec.scope });
  return { runId, status: 'skipped', error };
}

/** Started by a scheduler-mode job's schedule on every slot time. */
export async function scheduledJob(spec: JobSpec): Promise<JobRunOutcome> {
  return runInFreeSlot(spec, 'scheduler');
}

/** Started by a queue-mode job's schedule (on creation and on each of its ticks): keeps the loop running. */
export async function queueJobBootstrap(spec: JobSpec): Promise<'started' | 'already running'> {
  try {
    await startChild(queueJob, {
      ...runStartOptions('queueJob'),
      workflowId: queueLoopWorkflowId(spec.jobId),
      args: [{ spec, runs: 0, trigger: 'scheduler' }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      memo: { job_id: spec.jobId, scope: spec.scope, description: spec.description },
      typedSearchAttributes: [{ key: CHAIN, value: spec.jobId }, { key: SCOPE, value: spec.scope }],
      staticSummary: `queue-mode loop of job ${spec.jobId} (${spec.scope})`,
    });
    return 'started';
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return 'already running';
    throw err;
  }
}

export interface QueueJobInput {
  spec: JobSpec;
  /** Runs so far, across continue-as-new. */
  runs: number;
  /** Trigger of the next run: 'scheduler' for the bootstrap's first, then 'auto-reschedule'. */
  trigger: TriggerSource;
  /** Continue-as-new after this many runs (default 100), so the history stays small. */
  runsPerExecution?: number;
}

export interface QueueJobStatus {
  runs: number;
  paused: boolean;
  nextDelaySec?: number;
  lastRun?: JobRunOutcome;
}

/** Wakes a queue-mode loop before its timer (resume, delete): it rereads its schedule at once. */
export const queueJobWake = defineSignal('queueJobWake');
export const queueJobStatus = defineQuery<QueueJobStatus>('queueJobStatus');

export async function queueJob(input: QueueJobInput): Promise<{ runs: number; ended: string }> {
  let { spec, runs, trigger } = input;
  const perExecution = input.runsPerExecution ?? 100;
  let executed = 0;
  let woken = false;
  const status: QueueJobStatus = { runs, paused: false };
  setHandler(queueJobWake, () => void (woken = true));
  setHandler(queueJobStatus, () => ({ ...status, runs }));
  for (;;) {
    // The schedule is the job store: a deleted schedule ends the loop, a paused one holds it, an edited one changes it.
    const state = await control.jobScheduleState(spec.jobId);
    if (!state.exists) return { runs, ended: 'the job schedule was deleted' };
    if (state.spec) spec = state.spec;
    if (spec.mode !== 'queue') return { runs, ended: 'the job is no longer in queue mode' };
    status.paused = state.paused;
    let delaySec = spec.intervalSeconds ?? 60;
    if (!state.paused) {
      try {
        status.lastRun = await runInFreeSlot(spec, trigger);
        if (status.lastRun.result?.nextDelaySec !== undefined) delaySec = status.lastRun.result.nextDelaySec;
      } catch (err) {
        // As in the seed's `finally`: a failed run still schedules the next one.
        if (!(err instanceof ChildWorkflowFailure)) throw err;
        log.warn('queue-mode run failed; rescheduling', { jobId: spec.jobId, error: failureMessage(err) });
      }
      runs++;
      executed++;
      trigger = 'auto-reschedule';
    }
    status.nextDelaySec = delaySec;
    woken = false;
    await condition(() => woken, `${delaySec} seconds`);
    if (executed >= perExecution || workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof queueJob>({ spec, runs, trigger, runsPerExecution: input.runsPerExecution });
    }
  }
}

export const priceMonitorStart = defineSignal<[{ runId: string }]>(PRICE_MONITOR.start);
export const priceMonitorStop = defineSignal<[{ runId: string }]>(PRICE_MONITOR.stop);
export const priceMonitorStatus = defineQuery<{ ticks: number; stopping: boolean; startedBy: string[]; last?: { quotes: number; moves: string[] } }>(PRICE_MONITOR.status);

/**
 * Seed 002's price monitor as one workflow: price-monitor-start starts it (or signals it when it
 * runs: no second monitor), price-monitor-stop signals it to end. Between those it looks at its
 * tickers every pollSec seconds.
 */
export async function priceMonitor(input: PriceMonitorInput): Promise<{ ticks: number; stoppedBy?: string }> {
  const sampler = proxyActivities<PriceMonitorActivities>({ startToCloseTimeout: '30 seconds', retry: { maximumAttempts: 3 } });
  let ticks = input.ticks ?? 0;
  let stoppedBy: string | undefined;
  const startedBy: string[] = [];
  let last: { quotes: number; moves: string[] } | undefined;
  setHandler(priceMonitorStart, ({ runId }) => void startedBy.push(runId));
  setHandler(priceMonitorStop, ({ runId }) => void (stoppedBy ??= runId));
  setHandler(priceMonitorStatus, () => ({ ticks, stopping: stoppedBy !== undefined, startedBy, last }));
  let inThisExecution = 0;
  while (stoppedBy === undefined) {
    last = await sampler.samplePrices({ tickers: input.tickers });
    ticks++;
    inThisExecution++;
    if (await condition(() => stoppedBy !== undefined, `${input.pollSec} seconds`)) break;
    if (inThisExecution >= 500 || workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof priceMonitor>({ ...input, ticks });
    }
  }
  return { ticks, stoppedBy };
}
