/**
 * Seed 001 Part 2.3: DART corporate actions (major-event filings: capital increases, bonus
 * issues, splits, mergers …) of the past quarter, once a quarter. A rerun of the same quarter
 * upserts the same filings by their receipt numbers.
 */
import { log, proxyActivities, upsertMemo, workflowInfo } from '@temporalio/workflow';
import { addDays, type IsoDate, kstDate } from '../calendar/trading-calendar';
import type { Activities } from '../activities';
import { QUARTERLY_ACTION_KINDS } from '../shared/corporate-actions';
import type { MajorEventKind } from '../sources/dart/corporate-actions';
import { type ChainPolicy, resolvePolicy } from './policy';
import { inPool } from './pool';
import { trackProgress, quotaWaitNotes, stepOf } from './progress';
import { untilQuotaAllows } from './quota-wait';

export const QUARTERLY_CORPORATE_ACTIONS = 'quarterly-corporate-actions';

export interface QuarterlyCorporateActionsInput {
  asOf?: IsoDate;
  /** Explicit range instead of the quarter before `asOf`. */
  from?: IsoDate;
  to?: IsoDate;
  /** Major-event kinds; default QUARTERLY_ACTION_KINDS (splits, mergers, share exchanges). */
  kinds?: MajorEventKind[];
  policy?: Partial<ChainPolicy>;
}

/** The calendar quarter before the one that holds `date`. */
export function previousQuarter(date: IsoDate): { from: IsoDate; to: IsoDate } {
  const [y, m] = date.split('-').map(Number) as [number, number];
  const startMonth = Math.floor((m - 1) / 3) * 3 + 1; // this quarter's first month
  const thisStart = `${y}-${String(startMonth).padStart(2, '0')}-01`;
  const to = addDays(thisStart, -1);
  const [py, pm] = to.split('-').map(Number) as [number, number];
  const from = `${py}-${String(pm - 2).padStart(2, '0')}-01`;
  return { from, to };
}

export async function quarterlyCorporateActions(input: QuarterlyCorporateActionsInput = {}): Promise<{ from: IsoDate; to: IsoDate; rows: number; byKind: Record<string, number> }> {
  const policy = resolvePolicy(input.policy);
  const asOf = input.asOf ?? kstDate(workflowInfo().startTime);
  const range = input.from && input.to ? { from: input.from, to: input.to } : previousQuarter(asOf);
  const chain = QUARTERLY_CORPORATE_ACTIONS;
  upsertMemo({ ...range });
  const progress = trackProgress(chain, ['corporate-actions']);
  const step = stepOf(progress, 'corporate-actions');
  step.state = 'running';
  const kinds = input.kinds ?? QUARTERLY_ACTION_KINDS;
  const db = proxyActivities<Activities>({ startToCloseTimeout: '2 minutes', retry: policy.dbRetry });
  const source = proxyActivities<Activities>({ startToCloseTimeout: '30 minutes', heartbeatTimeout: '2 minutes', retry: policy.sourceRetry });
  const plan = await db.planCorporateActions({ chain, ...range, kinds });
  Object.assign(step, { total: plan.listed, done: plan.alreadyLoaded });
  const r = { rows: 0, byKind: {} as Record<string, number> };
  // Every company × kind is one DART call: batches of companies, two in flight, inside DART's budget.
  await inPool(plan.batches, 2, async (corpCodes) => {
    const b = await untilQuotaAllows(() => source.loadCorporateActions({ chain, ...range, kinds, corpCodes }), quotaWaitNotes(step, policy.quotaRecheck));
    r.rows += b.rows;
    for (const [k, v] of Object.entries(b.byKind)) r.byKind[k] = (r.byKind[k] ?? 0) + v;
    step.done += corpCodes.length;
  });
  step.state = 'done';
  log.info('corporate actions loaded', { ...range, rows: r.rows });
  return { ...range, rows: r.rows, byKind: r.byKind };
}
