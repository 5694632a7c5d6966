/**
 * DART financial statements for one report of every listed company (seed 001 Part 2.2 step 4):
 * the company-code master first, then batches of up to 100 companies, a few in flight. The
 * per-second rate and the daily quota are held by the shared source budget, whatever else
 * calls DART at the same time; a spent quota parks the run on a durable timer until midnight
 * KST. A rerun loads only the companies still missing for that report.
 */
import { log, proxyActivities, upsertMemo } from '@temporalio/workflow';
import { kstDate } from '../calendar/trading-calendar';
import type { Activities } from '../activities';
import { latestDueFiscalYear } from '../shared/fiscal-year';
import type { ReportCode } from '../sources/dart/requests';
import { type ChainPolicy, resolvePolicy } from './policy';
import { inPool } from './pool';
import { trackProgress, quotaWaitNotes, stepOf } from './progress';
import { untilQuotaAllows } from './quota-wait';

export const DART_FINANCIALS = 'dart-financials';
const ANNUAL_REPORT: ReportCode = '11011';

export interface DartFinancialsInput {
  /** Default: the latest year whose annual reports are filed (they are due by the end of March). */
  fiscalYear?: number;
  /** 11011 annual (default), 11012 half-year, 11013 Q1, 11014 Q3. */
  reportCode?: ReportCode;
  /** Load every company again, not only the missing ones. */
  reload?: boolean;
  /** Skip the corpCode.xml download when the master is known to be fresh. */
  skipCorpCodes?: boolean;
  /** Batches in flight; the budget spaces the calls anyway, this only overlaps their latency. */
  parallelism?: number;
  chain?: string;
  policy?: Partial<ChainPolicy>;
}

export interface DartFinancialsResult {
  fiscalYear: number;
  reportCode: ReportCode;
  listed: number;
  alreadyLoaded: number;
  requested: number;
  withData: number;
  rowsWritten: number;
  calls: number;
}


export async function dartFinancials(input: DartFinancialsInput = {}): Promise<DartFinancialsResult> {
  const policy = resolvePolicy(input.policy);
  const chain = input.chain ?? DART_FINANCIALS;
  const fiscalYear = input.fiscalYear ?? latestDueFiscalYear(kstDate(Date.now()));
  const reportCode = input.reportCode ?? ANNUAL_REPORT;
  const ref = { chain, fiscalYear, reportCode };
  upsertMemo({ fiscalYear, reportCode });

  const progress = trackProgress(chain, ['corp-codes', 'financials']);
  const db = proxyActivities<Activities>({ startToCloseTimeout: '2 minutes', retry: policy.dbRetry });
  const dart = proxyActivities<Activities>({ startToCloseTimeout: '5 minutes', retry: policy.sourceRetry });

  const codes = stepOf(progress, 'corp-codes');
  if (input.skipCorpCodes) codes.state = 'skipped';
  else {
    codes.state = 'running';
    const r = await untilQuotaAllows(() => dart.syncDartCorpCodes({ chain }), quotaWaitNotes(codes, policy.quotaRecheck));
    Object.assign(codes, { state: 'done', done: r.listed, total: r.listed });
  }

  const fin = stepOf(progress, 'financials');
  fin.state = 'running';
  const plan = await db.planDartFinancials({ ...ref, reload: input.reload });
  const requested = plan.batches.reduce((n, b) => n + b.length, 0);
  Object.assign(fin, { total: plan.listed, done: plan.alreadyLoaded });
  log.info('DART financial statements', { fiscalYear, reportCode, listed: plan.listed, alreadyLoaded: plan.alreadyLoaded, batches: plan.batches.length });

  const result: DartFinancialsResult = { fiscalYear, reportCode, listed: plan.listed, alreadyLoaded: plan.alreadyLoaded, requested, withData: 0, rowsWritten: 0, calls: 0 };
  await inPool(plan.batches, input.parallelism ?? 2, async (corpCodes) => {
    const r = await untilQuotaAllows(() => dart.loadDartFinancialBatch({ ...ref, corpCodes }), quotaWaitNotes(fin, policy.quotaRecheck));
    result.withData += r.withData;
    result.rowsWritten += r.rowsWritten;
    result.calls += 1;
    fin.done += r.companies;
  });
  fin.state = 'done';
  log.info('DART financial statements loaded', { ...result });
  return result;
}
