/**
 * Operator's price backfill over a date range (seed 001 Part 4.3 scenario 1): loads only the
 * trading dates the ledger does not hold as loaded (missing or failed ones), within the source's
 * budget, with progress through the `progress` query. Cancel it to stop; start it again to
 * resume: what was loaded stays in the ledger and is not asked again.
 * The ops CLI starts it under one fixed id, so a second backfill while one runs is refused
 * with the running one's name (seed 003's 409), whatever the ranges.
 */
import { ApplicationFailure, executeChild, log, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import { type IsoDate, tradingDaysBetween } from '../../calendar/trading-calendar';
import type { Activities } from '../../activities';
import { priceBackfill, type PriceBackfillResult } from '../price-backfill';
import { type ChainPolicy, resolvePolicy, runStartOptions } from '../policy';
import { childProgressSignal } from '../../shared/progress';
import { trackProgress, stepOf } from '../progress';

export const PRICE_RANGE_BACKFILL = 'price-range-backfill';

export interface PriceRangeBackfillInput {
  from: IsoDate;
  to: IsoDate;
  policy?: Partial<ChainPolicy>;
}

export interface PriceRangeBackfillResult extends PriceBackfillResult {
  from: IsoDate;
  to: IsoDate;
  alreadyLoaded: number;
}

export async function priceRangeBackfill(input: PriceRangeBackfillInput): Promise<PriceRangeBackfillResult> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(input.from) || !/^\d{4}-\d{2}-\d{2}$/.test(input.to) || input.from > input.to) {
    // Not a TypeError: a plain error fails the workflow task, which the server retries for ever.
    throw ApplicationFailure.nonRetryable(`a backfill needs from <= to as YYYY-MM-DD, got ${JSON.stringify(input.from)} → ${JSON.stringify(input.to)}`, 'InvalidInput');
  }
  const info = workflowInfo();
  const progress = trackProgress(PRICE_RANGE_BACKFILL, ['plan', 'prices']);
  setHandler(childProgressSignal, ({ step, done, total }) => {
    Object.assign(stepOf(progress, step), { done, total });
  });
  const policy = resolvePolicy(input.policy);
  const db = proxyActivities<Activities>({ startToCloseTimeout: '2 minutes', retry: policy.dbRetry });

  const plan = await db.planPriceLoad({ chain: PRICE_RANGE_BACKFILL, target: input.to, from: input.from });
  Object.assign(stepOf(progress, 'plan'), { state: 'done', done: 1, total: 1 });
  const prices = stepOf(progress, 'prices');
  const alreadyLoaded = tradingDaysBetween(input.from, input.to).length - plan.missing.length;
  log.info('price range backfill', { from: input.from, to: input.to, missing: plan.missing.length });
  const empty: PriceBackfillResult = { loaded: 0, rows: 0, written: 0, noData: [], unpublished: [] };
  if (plan.missing.length === 0) {
    prices.state = 'skipped';
    return { ...empty, from: input.from, to: input.to, alreadyLoaded };
  }
  Object.assign(prices, { state: 'running', total: plan.missing.length });
  const r = await executeChild(priceBackfill, {
    ...runStartOptions('priceBackfill'),
    workflowId: `${info.workflowId}/prices`,
    args: [{ chain: PRICE_RANGE_BACKFILL, dates: plan.missing, target: input.to, policy: input.policy, notifyWorkflowId: info.workflowId }],
    staticSummary: `prices for ${plan.missing.length} trading dates, ${plan.missing[0]} → ${input.to}`,
  });
  prices.state = 'done';
  return { ...r, from: input.from, to: input.to, alreadyLoaded };
}
