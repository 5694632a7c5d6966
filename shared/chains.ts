/**
 * The collection chains of seed 001 and the workflow id each run of a chain gets. One id per
 * chain and period is the lock of seed 003: a scheduled firing, an operator's rerun and an
 * initial load that reach the same chain and period meet at the same id, so Temporal lets
 * exactly one of them run (the others join it or are refused with its name).
 * Pure: used by workflows and by the ops CLI.
 */
import { type IsoDate, kstDate } from '../calendar/trading-calendar';

export const CHAINS = {
  'daily-collection': { workflowType: 'dailyCollection', period: 'day' },
  'weekly-refresh': { workflowType: 'weeklyRefresh', period: 'day' },
  'monthly-products': { workflowType: 'monthlyProducts', period: 'month' },
  'quarterly-corporate-actions': { workflowType: 'quarterlyCorporateActions', period: 'quarter' },
} as const;

export type ChainName = keyof typeof CHAINS;

export function isChainName(s: string): s is ChainName {
  return Object.hasOwn(CHAINS, s);
}

/** "2026-11-20", "2026-11" or "2026-Q4", by the chain's period. */
export function chainPeriodKey(chain: ChainName, date: IsoDate): string {
  const [y, m] = date.split('-') as [string, string];
  switch (CHAINS[chain].period) {
    case 'day':
      return date;
    case 'month':
      return `${y}-${m}`;
    case 'quarter':
      return `${y}-Q${Math.ceil(Number(m) / 3)}`;
  }
}

export function chainRunId(chain: ChainName, date: IsoDate): string {
  return `${chain}-${chainPeriodKey(chain, date)}`;
}

/** The KST date of an instant, for ids of runs started now. */
export function kstToday(nowMs: number): IsoDate {
  return kstDate(nowMs);
}
