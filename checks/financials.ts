/**
 * Annual statements of the latest fiscal year whose filing deadline has passed: annual reports
 * are due 90 days after the year end, so before April the year before last is the latest
 * complete one, and a March run does not fail on reports that are not due yet.
 */
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
      const { covered, listed } = await numbers(db.selectNoFrom((eb) => [
        eb.selectFrom('financial_statement as f')
          .leftJoin('dart_corp_code as dc', 'dc.corp_code', 'f.corp_code')
          .innerJoin('stocks as s', (j) => j.on((c) => c.and([c('s.ticker', '=', c.fn.coalesce('f.ticker', 'dc.stock_code')), c.ref('s.is_active')])))
          .select((c) => c.fn.count('s.ticker').distinct().as('n'))
          .where('f.fiscal_year', '=', fy)
          .where('f.report_code', '=', ANNUAL_REPORT)
          .as('covered'),
        eb.selectFrom('stocks').select((c) => c.fn.countAll().as('n')).where('is_active', '=', true).as('listed'),
      ]));
      const share = listed === 0 ? 0 : covered / listed;
      return {
        ok: listed > 0 && share >= settings.CHECK_FINANCIALS_COVERAGE,
        expected: `annual statements of fiscal year ${fy} for at least ${percent(settings.CHECK_FINANCIALS_COVERAGE)} of the active stocks`,
        found: `${fmt(covered)} of ${fmt(listed)} active stocks (${percent(share)})`,
      };
    },
  },
];
