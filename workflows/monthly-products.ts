/**
 * The monthly chain of seed 001 (Part 2.3, first Saturday 13:00 KST): bonds, the six FSS
 * product types, and the DART and FSC dividends. They depend on nothing of each other, so
 * they run side by side; each source's budget (db/source-budget.ts) keeps them inside its
 * own rate and quota, and a failed branch does not stop the others.
 */
import { log, proxyActivities, upsertMemo, workflowInfo } from '@temporalio/workflow';
import { type IsoDate, kstDate } from '../calendar/trading-calendar';
import type { Activities } from '../activities';
import { latestDueFiscalYear } from '../shared/fiscal-year';
import { FINLIFE_PRODUCT_TYPES } from '../shared/finlife';
import { settleBranches } from './branches';
import { requireData } from './data-gate';
import { type ChainPolicy, resolvePolicy } from './policy';
import { inPool } from './pool';
import { trackProgress, quotaWaitNotes, stepOf } from './progress';
import { untilQuotaAllows } from './quota-wait';

export const MONTHLY_PRODUCTS = 'monthly-products';

export interface MonthlyProductsInput {
  asOf?: IsoDate;
  /** DART dividends of this fiscal year; default the latest filed one. */
  fiscalYear?: number;
  policy?: Partial<ChainPolicy>;
}

export interface MonthlyProductsResult {
  asOf: IsoDate;
  bonds?: number;
  products: Record<string, { products: number; options: number }>;
  dartDividends?: { companies: number; withData: number };
  fscDividends?: number;
}

export async function monthlyProducts(input: MonthlyProductsInput = {}): Promise<MonthlyProductsResult> {
  const policy = resolvePolicy(input.policy);
  const asOf = input.asOf ?? kstDate(workflowInfo().startTime);
  const fiscalYear = input.fiscalYear ?? latestDueFiscalYear(asOf);
  const chain = MONTHLY_PRODUCTS;
  upsertMemo({ asOf, fiscalYear });
  const progress = trackProgress(chain, ['bonds', 'products', 'dart-dividends', 'fsc-dividends']);
  const source = proxyActivities<Activities>({ startToCloseTimeout: '30 minutes', heartbeatTimeout: '2 minutes', retry: policy.sourceRetry });
  const db = proxyActivities<Activities>({ startToCloseTimeout: '2 minutes', retry: policy.dbRetry });
  const result: MonthlyProductsResult = { asOf, products: {} };

  const branches = await settleBranches({
    bonds: async () => {
      const step = stepOf(progress, 'bonds');
      step.state = 'running';
      const r = await untilQuotaAllows(() => source.loadBonds({ chain }), quotaWaitNotes(step, policy.quotaRecheck));
      await requireData(chain, 'bonds', asOf, step);
      Object.assign(step, { state: 'done', done: r.rows, total: r.rows });
      result.bonds = r.rows;
    },
    products: async () => {
      const step = stepOf(progress, 'products');
      Object.assign(step, { state: 'running', total: FINLIFE_PRODUCT_TYPES.length });
      for (const productType of FINLIFE_PRODUCT_TYPES) {
        const r = await untilQuotaAllows(() => source.loadFinlifeProducts({ chain, productType }), quotaWaitNotes(step, policy.quotaRecheck));
        result.products[productType] = { products: r.products, options: r.options };
        step.done += 1;
      }
      await requireData(chain, 'products', asOf, step);
      step.state = 'done';
    },
    dartDividends: async () => {
      const step = stepOf(progress, 'dart-dividends');
      step.state = 'running';
      const plan = await db.planDartDividends({ chain, fiscalYear });
      Object.assign(step, { total: plan.listed, done: plan.alreadyLoaded });
      const acc = { companies: 0, withData: 0 };
      await inPool(plan.batches, 2, async (corpCodes) => {
        const r = await untilQuotaAllows(() => source.loadDartDividendBatch({ chain, fiscalYear, corpCodes }), quotaWaitNotes(step, policy.quotaRecheck));
        acc.companies += r.companies;
        acc.withData += r.withData;
        step.done += r.companies;
      });
      step.state = 'done';
      result.dartDividends = acc;
    },
    fscDividends: async () => {
      const step = stepOf(progress, 'fsc-dividends');
      step.state = 'running';
      const r = await untilQuotaAllows(() => source.loadFscDividends({ chain, asOf }), quotaWaitNotes(step, policy.quotaRecheck));
      Object.assign(step, { state: 'done', done: r.rows, total: r.rows });
      result.fscDividends = r.rows;
    },
  });
  // Dividends of both sources land in one table; it is checked once both have run.
  if (!branches.failed.dartDividends && !branches.failed.fscDividends) await requireData(chain, 'dividends', asOf);
  branches.throwIfAnyFailed();
  log.info('monthly products done', { ...result });
  return result;
}
