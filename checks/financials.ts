/**
 * Annual statements of the latest fiscal year whose filing deadline has passed: annual reports
 * are due 90 days after the year end, so before April the year before last is the latest
 * complete one, and a March run does not fail on reports that are not due yet.
 */
import { sql } from 'kysely';
import { ANNUAL_REPORT } from '../scoring/score-statement';
import { latestDueFiscalYear } from '../shared/fiscal-year';
import { fmt, numbers, percent } from './queries';
import type { CheckDefinition } from './types';

export { latestDueFiscalYear };

export const financialChecks: CheckDefinition[] = [
  {
    name: 'financials-latest-year-coverage',
    severity: 'warning',
    tables: ['financial_statement', 'dart_corp_code', 'stocks'],
    async run(db, { asOf, settings }) {
      const fy = latestDueFiscalYear(asOf);
      const { covered, listed } = await numbers(db, sql<{ covered: string; listed: string }>`
        SELECT (SELECT count(DISTINCT s.ticker)
                  FROM financial_statement f
                  LEFT JOIN dart_corp_code dc ON dc.corp_code = f.corp_code
                  JOIN stocks s ON s.ticker = coalesce(f.ticker, dc.stock_code) AND s.is_active
                 WHERE f.fiscal_year = ${fy} AND f.report_code = ${ANNUAL_REPORT}) AS covered,
               (SELECT count(*) FROM stocks WHERE is_active) AS listed`);
      const share = listed === 0 ? 0 : covered / listed;
      return {
        ok: listed > 0 && share >= settings.CHECK_FINANCIALS_COVERAGE,
        expected: `annual statements of fiscal year ${fy} for at least ${percent(settings.CHECK_FINANCIALS_COVERAGE)} of the active stocks`,
        found: `${fmt(covered)} of ${fmt(listed)} active stocks (${percent(share)})`,
      };
    },
  },
];
