/** The stock master: about 2,900 rows (seed 001 Part 1.1 row 2); far fewer or more means a broken load. */
import { sql } from 'kysely';
import { fmt, numbers } from './queries';
import type { CheckDefinition } from './types';

export const stockChecks: CheckDefinition[] = [
  {
    name: 'stocks-count',
    severity: 'warning',
    tables: ['stocks'],
    async run(db, { settings }) {
      const { n, active } = await numbers(db, sql<{ n: string; active: string }>`
        SELECT count(*) AS n, count(*) FILTER (WHERE is_active) AS active FROM stocks`);
      return {
        ok: n >= settings.CHECK_STOCKS_MIN && n <= settings.CHECK_STOCKS_MAX,
        expected: `between ${fmt(settings.CHECK_STOCKS_MIN)} and ${fmt(settings.CHECK_STOCKS_MAX)} stocks`,
        found: `${fmt(n)} stocks (${fmt(active)} active)`,
      };
    },
  },
];
