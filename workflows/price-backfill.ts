/**
 * Loads many trading dates of prices: batches of dates, a few in flight at once, and
 * continue-as-new every MAX_BATCHES_PER_RUN batches so that no history nears Temporal's
 * event limits however long the range. Used by the daily chain when it has to catch up
 * (an empty table means five years).
 */
import {
  ActivityCancellationType,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  proxyActivities,
  workflowInfo,
} from '@temporalio/workflow';
import type { IsoDate } from '../calendar/trading-calendar';
import type { Activities } from '../activities';
import type { LoadPriceBatchResult } from '../activities/prices';
import { withWorkerLossAttempts } from '../shared/crash-retries';
import { type ChainPolicy, resolvePolicy } from './policy';
import { childProgressSignal } from '../shared/progress';
import { trackProgress, quotaWaitNotes, stepOf } from './progress';
import { inPool } from './pool';
import { untilQuotaAllows } from './quota-wait';

const MAX_BATCHES_PER_RUN = 100;

export interface PriceBackfillInput {
  chain: string;
  dates: IsoDate[];
  target: IsoDate;
  policy?: Partial<ChainPolicy>;
  /** Workflow to keep informed of progress (the chain that started this one). */
  notifyWorkflowId?: string;
  /** Carried over continue-as-new. */
  carry?: PriceBackfillResult & { totalDates: number };
}

export interface PriceBackfillResult {
  loaded: number;
  rows: number;
  written: number;
  noData: IsoDate[];
  unpublished: IsoDate[];
}

export async function priceBackfill(input: PriceBackfillInput): Promise<PriceBackfillResult> {
  const policy = resolvePolicy(input.policy);
  const acts = proxyActivities<Activities>({
    startToCloseTimeout: '15 minutes',
    // Crash-tolerant (policy.ts): a killed worker costs a batch one heartbeat timeout, not one of its attempts.
    heartbeatTimeout: policy.heartbeatTimeout,
    retry: withWorkerLossAttempts(policy.sourceRetry),
    // A stopped backfill ends only once its batches in flight have stopped too (they learn of it at their
    // next heartbeat), so that "cancelled" means nothing is still writing and a resume sees the final ledger.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  });
  const totalDates = input.carry?.totalDates ?? input.dates.length;
  const acc: PriceBackfillResult = input.carry
    ? { loaded: input.carry.loaded, rows: input.carry.rows, written: input.carry.written, noData: input.carry.noData, unpublished: input.carry.unpublished }
    : { loaded: 0, rows: 0, written: 0, noData: [], unpublished: [] };
  let done = totalDates - input.dates.length;

  const progress = trackProgress(input.chain, ['prices']);
  progress.tradingDate = input.target;
  const step = stepOf(progress, 'prices');
  Object.assign(step, { state: 'running', done, total: totalDates });

  const batches: IsoDate[][] = [];
  for (let i = 0; i < input.dates.length; i += policy.batchDates) batches.push(input.dates.slice(i, i + policy.batchDates));
  const thisRun = batches.slice(0, MAX_BATCHES_PER_RUN);
  const later = batches.slice(MAX_BATCHES_PER_RUN).flat();
  const parent = input.notifyWorkflowId ? getExternalWorkflowHandle(input.notifyWorkflowId) : undefined;

  const merge = async (dates: IsoDate[], r: LoadPriceBatchResult) => {
    acc.loaded += r.loaded.length;
    acc.rows += r.rows;
    acc.written += r.written;
    acc.noData.push(...r.noData);
    acc.unpublished.push(...r.unpublished);
    done += dates.length;
    step.done = done;
    if (done % (policy.batchDates * 10) < policy.batchDates || done === totalDates) {
      log.info('price backfill progress', { done, total: totalDates, rows: acc.rows });
    }
    if (parent) await parent.signal(childProgressSignal, { step: 'prices', done, total: totalDates });
  };

  // A small pool: at most `parallelism` batches in flight; the source budget paces the calls.
  await inPool(thisRun, policy.parallelism, async (dates) => {
    const r = await untilQuotaAllows(() => acts.loadPriceBatch({ chain: input.chain, dates, target: input.target, failureRetry: policy.sourceRetry }), quotaWaitNotes(step, policy.quotaRecheck));
    await merge(dates, r);
  });

  if (later.length > 0) {
    log.info('continuing as new to keep the history short', { remaining: later.length, historyLength: workflowInfo().historyLength });
    await continueAsNew<typeof priceBackfill>({ ...input, dates: later, carry: { ...acc, totalDates } });
  }
  step.state = 'done';
  return acc;
}
