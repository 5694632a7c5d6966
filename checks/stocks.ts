/** The stock master: about 2,900 rows (seed 001 Part 1.1 row 2); far fewer or more means a broken load. */
import { fmt, numbers } from './queries';
import type { CheckDefinition } from './types';

export const stockChecks: CheckDefinition[] = [
  {
    name: 'stocks-count',
    severity: 'warning',
    tables: ['stocks'],
    async run(db, { settings }) {
      const { n, active } = await numbers(db.selectFrom('stocks').select((eb) => [
        eb.fn.countAll().as('n'),
        eb.fn.countAll().filterWhere('is_active', '=', true).as('active'),
      ]));
      return {
        ok: n >= settings.CHECK_STOCKS_MIN && n <= settings.CHECK_STOCKS_MAX,
        expected: `between ${fmt(settings.CHECK_STOCKS_MIN)} and ${fmt(settings.CHECK_STOCKS_MAX)} stocks`,
        found: `${fmt(n)} stocks (${fmt(active)} active)`,
      };
    },
  },
];
