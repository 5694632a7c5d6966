/**
 * The daily collection chain of seed 001 (Parts 2.1 and 2.4) as one workflow: prices for
 * every trading date missing up to the target date → the Compass Score → post-processing.
 * The order is enforced here, not by the clock: the score never runs after a failed or
 * partial load, and post-processing never runs after a failed score.
 */
import {
  ApplicationFailure,
  executeChild,
  log,
  patched,
  proxyActivities,
  setHandler,
  sleep,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { isTradingDay, type IsoDate, kstDate, tradingDayOnOrBefore } from '../calendar/trading-calendar';
import type { Activities } from '../activities';
import type { InvalidateCachesResult } from '../activities/post-processing';
import type { ScoreRunResult } from '../scoring/compass-score';
import { withWorkerLossAttempts } from '../shared/crash-retries';
import { SCHEDULED_START, TRADING_DATE } from '../shared/search-attributes';
import { priceBackfill, type PriceBackfillResult } from './price-backfill';
import { requireData } from './data-gate';
import { type ChainPolicy, resolvePolicy, runStartOptions } from './policy';
import { childProgressSignal } from '../shared/progress';
import { trackProgress, quotaWaitNotes, stepOf } from './progress';
import { untilQuotaAllows } from './quota-wait';

export const DAILY_COLLECTION = 'daily-collection';

export interface DailyCollectionInput {
  /** The day the run is for (KST). Default: the schedule slot's date, or today for a manual start. */
  asOf?: IsoDate;
  /** How far back an empty table is filled. Default: the worker's PRICE_BACKFILL_DAYS (seed 001: default_days 1825). */
  backfillDays?: number;
  policy?: Partial<ChainPolicy>;
}

export interface DailyCollectionResult {
  status: 'completed' | 'skipped';
  reason?: string;
  asOf: IsoDate;
  target: IsoDate;
  prices: { dates: number; rows: number; written: number; noData: IsoDate[] };
  score?: ScoreRunResult;
  caches?: InvalidateCachesResult;
  views?: string[];
}

export async function dailyCollection(input: DailyCollectionInput = {}): Promise<DailyCollectionResult> {
  const policy = resolvePolicy(input.policy);
  const info = workflowInfo();
  const scheduledAt = info.typedSearchAttributes.get(SCHEDULED_START);
  const asOf = input.asOf ?? kstDate(scheduledAt ?? info.startTime);
  const target = tradingDayOnOrBefore(asOf);
  const holiday = !isTradingDay(asOf);

  const progress = trackProgress(DAILY_COLLECTION, ['prices', 'score', 'post-processing']);
  progress.tradingDate = target;
  setHandler(childProgressSignal, ({ step, done, total }) => {
    Object.assign(stepOf(progress, step), { done, total });
  });
  upsertSearchAttributes([{ key: TRADING_DATE, value: target }]);
  upsertMemo({ asOf, target, holiday });
  log.info('=== 일별 시세 증분 적재 시작 ===', { asOf, target, holiday });

  const db = proxyActivities<Activities>({ startToCloseTimeout: '2 minutes', retry: policy.dbRetry });
  // The price batches and the score are crash-tolerant (policy.ts): a killed worker costs them one heartbeat timeout, not an attempt.
  const load = proxyActivities<Activities>({ startToCloseTimeout: '15 minutes', heartbeatTimeout: policy.heartbeatTimeout, retry: withWorkerLossAttempts(policy.sourceRetry) });
  const scorer = proxyActivities<Activities>({ startToCloseTimeout: '15 minutes', heartbeatTimeout: policy.heartbeatTimeout, retry: withWorkerLossAttempts(policy.dbRetry) });
  const heavy = proxyActivities<Activities>({ startToCloseTimeout: '15 minutes', heartbeatTimeout: '5 minutes', retry: policy.dbRetry });

  // 1. Prices.
  const prices = stepOf(progress, 'prices');
  prices.state = 'running';
  const plan = await db.planPriceLoad({ chain: DAILY_COLLECTION, target, backfillDays: input.backfillDays });
  const result: DailyCollectionResult = {
    status: 'completed', asOf, target,
    prices: { dates: 0, rows: 0, written: 0, noData: [] },
  };
  if (plan.missing.length === 0 && holiday) {
    for (const s of progress.steps) s.state = 'skipped';
    const reason = `${asOf} is not a KRX trading day and prices through ${target} are already loaded`;
    log.info('[SKIP] KRX 휴장일', { asOf, target });
    return { ...result, status: 'skipped', reason };
  }
  prices.total = plan.missing.length;

  let loaded: PriceBackfillResult = { loaded: 0, rows: 0, written: 0, noData: [], unpublished: [] };
  if (plan.missing.length > policy.batchDates) {
    log.info('catching up on missing trading dates', { from: plan.missing[0], to: target, dates: plan.missing.length });
    loaded = await executeChild(priceBackfill, {
      ...runStartOptions('priceBackfill'),
      workflowId: `${info.workflowId}/prices`,
      args: [{ chain: DAILY_COLLECTION, dates: plan.missing, target, policy: input.policy, notifyWorkflowId: info.workflowId }],
      staticSummary: `prices for ${plan.missing.length} trading dates, ${plan.missing[0]} → ${target}`,
    });
  } else if (plan.missing.length > 0) {
    const r = await untilQuotaAllows(() => load.loadPriceBatch({ chain: DAILY_COLLECTION, dates: plan.missing, target, failureRetry: policy.sourceRetry }), quotaWaitNotes(prices, policy.quotaRecheck));
    loaded = { loaded: r.loaded.length, rows: r.rows, written: r.written, noData: r.noData, unpublished: r.unpublished };
  }
  prices.done = plan.missing.length - loaded.unpublished.length;

  // The source publishes a day's prices some time after the close; ask again before giving up.
  for (let wait = 1; loaded.unpublished.includes(target); wait++) {
    if (wait > policy.publishWaitMax) {
      prices.state = 'failed';
      throw ApplicationFailure.nonRetryable(
        `prices for ${target} were still not published after ${policy.publishWaitMax} waits of ${policy.publishWaitInterval}; the score was not computed`,
        'PricesNotPublished',
      );
    }
    prices.note = `waiting for ${target} to be published (${wait}/${policy.publishWaitMax})`;
    log.warn('prices not published yet; waiting', { target, wait, interval: policy.publishWaitInterval });
    await sleep(policy.publishWaitInterval);
    const r = await untilQuotaAllows(() => load.loadPriceBatch({ chain: DAILY_COLLECTION, dates: [target], target, failureRetry: policy.sourceRetry }), quotaWaitNotes(prices, policy.quotaRecheck));
    loaded = { ...loaded, loaded: loaded.loaded + r.loaded.length, rows: loaded.rows + r.rows, written: loaded.written + r.written, unpublished: r.unpublished };
  }
  prices.done = prices.total;
  prices.state = 'done';
  prices.note = undefined;
  result.prices = { dates: loaded.loaded, rows: loaded.rows, written: loaded.written, noData: loaded.noData };
  log.info('일별 시세 적재 완료', { ...result.prices });

  // Runs started before the data checks existed replay without them.
  const checked = patched('data-checks');
  if (checked) await requireData(DAILY_COLLECTION, 'prices', target, prices);

  // 2. Compass Score, only on a complete load (a failed batch has thrown above).
  const score = stepOf(progress, 'score');
  score.state = 'running';
  result.score = await scorer.computeCompassScores({ chain: DAILY_COLLECTION, scoreDate: target, failureRetry: policy.dbRetry });
  Object.assign(score, { state: 'done', done: result.score.scored, total: result.score.universe });
  log.info('Compass Score 일괄 계산 완료', { ...result.score });
  if (checked) await requireData(DAILY_COLLECTION, 'score', target, score);

  // 3. Post-processing.
  const post = stepOf(progress, 'post-processing');
  Object.assign(post, { state: 'running', total: 2 });
  result.caches = await db.invalidateCaches({ chain: DAILY_COLLECTION, tradingDate: target });
  post.done = 1;
  result.views = (await heavy.refreshMaterializedViews({ chain: DAILY_COLLECTION, tradingDate: target })).refreshed;
  Object.assign(post, { state: 'done', done: 2 });
  log.info('=== 일별 수집 완료 ===', { target, dates: result.prices.dates, scored: result.score.scored });
  return result;
}
