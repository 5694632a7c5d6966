/**
 * The weekly chain of seed 001 (Part 2.2, Saturday 10:00 KST): stock listing → stocks → ETFs →
 * DART financial statements of the latest fiscal year → the full Compass Score. The dependency
 * graph of Part 1.4 is enforced here: stocks wait for the listing, the financials and ETFs wait
 * for stocks, the score waits for the financials and passes only after every check of the data
 * it reads. ETFs feed nothing downstream, so they run beside the financials; their failure
 * fails the run at the end without holding the score back.
 */
import { executeChild, log, proxyActivities, upsertMemo, workflowInfo } from '@temporalio/workflow';
import { type IsoDate, kstDate, tradingDayOnOrBefore } from '../calendar/trading-calendar';
import type { Activities } from '../activities';
import type { ScoreRunResult } from '../scoring/compass-score';
import { latestDueFiscalYear } from '../shared/fiscal-year';
import { requireData } from './data-gate';
import { dartFinancials, type DartFinancialsResult } from './dart-financials';
import { type ChainPolicy, resolvePolicy, runStartOptions } from './policy';
import { trackProgress, quotaWaitNotes, stepOf } from './progress';
import { untilQuotaAllows } from './quota-wait';
import { settleBranches } from './branches';

export const WEEKLY_REFRESH = 'weekly-refresh';

export interface WeeklyRefreshInput {
  asOf?: IsoDate;
  /** Default: the latest year whose annual reports are filed. */
  fiscalYear?: number;
  /** The initial load scores once, after the prices: it skips the score here. */
  skipScore?: boolean;
  policy?: Partial<ChainPolicy>;
}

export interface WeeklyRefreshResult {
  asOf: IsoDate;
  listing: { tradeDate: IsoDate; rows: number };
  stocks: { stocks: number; inserted: number; deactivated: number };
  etfs?: { tradeDate: IsoDate; rows: number };
  financials: DartFinancialsResult;
  score?: ScoreRunResult;
}

export async function weeklyRefresh(input: WeeklyRefreshInput = {}): Promise<WeeklyRefreshResult> {
  const policy = resolvePolicy(input.policy);
  const info = workflowInfo();
  const asOf = input.asOf ?? kstDate(info.startTime);
  const chain = WEEKLY_REFRESH;
  upsertMemo({ asOf });
  const progress = trackProgress(chain, ['listing', 'stocks', 'etfs', 'financials', 'score']);
  const source = proxyActivities<Activities>({ startToCloseTimeout: '30 minutes', heartbeatTimeout: '2 minutes', retry: policy.sourceRetry });
  const heavy = proxyActivities<Activities>({ startToCloseTimeout: '30 minutes', heartbeatTimeout: '5 minutes', retry: policy.dbRetry });

  const listingStep = stepOf(progress, 'listing');
  listingStep.state = 'running';
  const listing = await untilQuotaAllows(() => source.loadStockListing({ chain, asOf }), quotaWaitNotes(listingStep, policy.quotaRecheck));
  Object.assign(listingStep, { state: 'done', done: listing.rows, total: listing.rows });

  const stocksStep = stepOf(progress, 'stocks');
  stocksStep.state = 'running';
  // The DART master first: refreshStocks links each ticker to its corp_code.
  await untilQuotaAllows(() => source.syncDartCorpCodes({ chain }), quotaWaitNotes(stocksStep, policy.quotaRecheck));
  const stocks = await untilQuotaAllows(() => source.refreshStocks({ chain }), quotaWaitNotes(stocksStep, policy.quotaRecheck));
  await requireData(chain, 'stocks', asOf, stocksStep);
  Object.assign(stocksStep, { state: 'done', done: stocks.stocks, total: stocks.stocks });

  const result: Partial<WeeklyRefreshResult> = {
    asOf,
    listing: { tradeDate: listing.tradeDate, rows: listing.rows },
    stocks: { stocks: stocks.stocks, inserted: stocks.inserted, deactivated: stocks.deactivated },
  };

  const etfsStep = stepOf(progress, 'etfs');
  const finStep = stepOf(progress, 'financials');
  const branches = await settleBranches({
    etfs: async () => {
      etfsStep.state = 'running';
      const etfs = await untilQuotaAllows(() => source.loadEtfs({ chain, asOf }), quotaWaitNotes(etfsStep, policy.quotaRecheck));
      await requireData(chain, 'etfs', asOf, etfsStep);
      Object.assign(etfsStep, { state: 'done', done: etfs.rows, total: etfs.rows });
      result.etfs = { tradeDate: etfs.tradeDate, rows: etfs.rows };
    },
    financials: async () => {
      finStep.state = 'running';
      result.financials = await executeChild(dartFinancials, {
        ...runStartOptions('dartFinancials'),
        workflowId: `${info.workflowId}/financials`,
        args: [{ chain, fiscalYear: input.fiscalYear ?? latestDueFiscalYear(asOf), skipCorpCodes: true, policy: input.policy }],
        staticSummary: 'DART financial statements, latest fiscal year',
      });
      await requireData(chain, 'financials', asOf, finStep);
      Object.assign(finStep, { state: 'done', done: result.financials.listed, total: result.financials.listed });
    },
  });
  // The score reads the financials (and stocks); it must not run on a failed load of them.
  if (branches.failed.financials) throw branches.failed.financials;

  const scoreStep = stepOf(progress, 'score');
  if (input.skipScore) scoreStep.state = 'skipped';
  else {
    scoreStep.state = 'running';
    const scoreDate = tradingDayOnOrBefore(asOf);
    result.score = await heavy.computeCompassScores({ chain, scoreDate });
    await requireData(chain, 'score', scoreDate, scoreStep);
    Object.assign(scoreStep, { state: 'done', done: result.score.scored, total: result.score.universe });
  }
  branches.throwIfAnyFailed();
  log.info('weekly refresh done', { asOf, stocks: stocks.stocks, financials: result.financials?.withData, scored: result.score?.scored });
  return result as WeeklyRefreshResult;
}
