/**
 * The simulated companies' financial statements: a pure function of company, statement basis
 * (CFS/OFS), year and quarter. Stocks (balance sheet) and flows (income statement) are drawn so
 * that the identities hold exactly in every answer: assets = liabilities + equity, assets =
 * current + non-current, and a year's flow is the sum of its four rounded quarters, so the
 * year-to-date figures of the quarterly reports add up to the annual one.
 */
import type { Company } from './companies';
import { bell, unit } from './hash';

export type FsDiv = 'CFS' | 'OFS';
export type Quarter = 1 | 2 | 3 | 4;

export interface BalanceSheet {
  currentAssets: number;
  noncurrentAssets: number;
  assets: number;
  currentLiabilities: number;
  noncurrentLiabilities: number;
  liabilities: number;
  capital: number;
  retainedEarnings: number;
  equity: number;
}

export interface IncomeFlows {
  revenue: number;
  operatingIncome: number;
  preTaxIncome: number;
  netIncome: number;
  comprehensiveIncome: number;
  operatingCashFlow: number;
  investingCashFlow: number;
  financingCashFlow: number;
}

const UNIT = 1_000_000; // DART amounts are won, but filers round to millions
const r = (x: number): number => Math.round(x / UNIT) * UNIT;

function scale(c: Company, fs: FsDiv): number {
  const t = c.ticker;
  const cap = t ? t.lstgStCnt * t.basePrice : 5e10 * (1 + unit(c.seed, 9));
  return cap * (0.6 + 2 * unit(c.seed, 10)) * (fs === 'OFS' ? 0.8 : 1);
}

export function balanceSheet(c: Company, fs: FsDiv, year: number, q: Quarter): BalanceSheet {
  const k = year * 4 + q;
  const growth = 0.02 + 0.08 * unit(c.seed, 11);
  const assets = r(scale(c, fs) * Math.exp(growth * (year + q / 4 - 2020) + 0.03 * bell(c.seed, 12, k)));
  const equity = r(assets * (0.3 + 0.4 * unit(c.seed, 13) + 0.02 * bell(c.seed, 14, k)));
  const liabilities = assets - equity;
  const currentAssets = r(assets * (0.3 + 0.3 * unit(c.seed, 15) + 0.02 * bell(c.seed, 16, k)));
  const currentLiabilities = r(liabilities * (0.4 + 0.3 * unit(c.seed, 17)));
  const par = unit(c.seed, 18) < 0.5 ? 500 : 5000;
  const capital = Math.min(r((c.ticker?.lstgStCnt ?? 1e7) * par), r(equity * 0.2));
  const retainedEarnings = r(equity * (0.5 + 0.3 * unit(c.seed, 19)));
  return {
    currentAssets,
    noncurrentAssets: assets - currentAssets,
    assets,
    currentLiabilities,
    noncurrentLiabilities: liabilities - currentLiabilities,
    liabilities,
    capital,
    retainedEarnings,
    equity,
  };
}

/** The three-month flows of quarter q (q 4 is October–December), each rounded on its own. */
export function quarterFlows(c: Company, fs: FsDiv, year: number, q: Quarter): IncomeFlows {
  const weights = [1, 2, 3, 4].map((i) => 0.2 + 0.1 * unit(c.seed, 20 + i, year));
  const share = weights[q - 1] / weights.reduce((a, b) => a + b, 0);
  const annualRevenue = balanceSheet(c, fs, year, 4).assets * (0.5 + 0.8 * unit(c.seed, 25)) * Math.exp(0.05 * bell(c.seed, 26, year));
  const revenue = r(annualRevenue * share);
  const margin = -0.03 + 0.18 * unit(c.seed, 30) + 0.03 * bell(c.seed, 31, year * 4 + q);
  const operatingIncome = r(revenue * margin);
  const preTaxIncome = r(operatingIncome * (0.95 + 0.1 * unit(c.seed, 32, year * 4 + q)));
  const netIncome = r(preTaxIncome > 0 ? preTaxIncome * 0.78 : preTaxIncome * 0.95);
  const comprehensiveIncome = r(netIncome * (0.97 + 0.06 * unit(c.seed, 33, year * 4 + q)));
  const operatingCashFlow = r(netIncome * 1.2 + revenue * 0.03);
  const investingCashFlow = -r(revenue * (0.02 + 0.06 * unit(c.seed, 34, year * 4 + q)));
  const financingCashFlow = r(revenue * 0.02 * bell(c.seed, 35, year * 4 + q));
  return { revenue, operatingIncome, preTaxIncome, netIncome, comprehensiveIncome, operatingCashFlow, investingCashFlow, financingCashFlow };
}

/** Flows from January to the end of quarter q: what quarterly reports call 누적 (add_amount). */
export function yearToDate(c: Company, fs: FsDiv, year: number, q: Quarter): IncomeFlows {
  const sum = quarterFlows(c, fs, year, 1);
  for (let i = 2; i <= q; i++) {
    const f = quarterFlows(c, fs, year, i as Quarter);
    for (const key of Object.keys(sum) as (keyof IncomeFlows)[]) sum[key] += f[key];
  }
  return sum;
}
