/**
 * The score of the latest trading date (on or before asOf) was computed after that date's
 * prices were last written (seed 001 Part 2.4: a score over stale prices is wrong), and covers
 * enough of the market.
 */
import { sql } from 'kysely';
import { fmt, numbers, percent } from './queries';
import type { CheckDefinition } from './types';

const latestDay = (asOf: string) => sql`(SELECT max(trade_date) FROM stock_price_daily WHERE trade_date <= ${asOf}::date)`;

export const scoreChecks: CheckDefinition[] = [
  {
    name: 'score-after-prices',
    severity: 'critical',
    tables: ['stock_price_daily', 'compass_score_daily'],
    async run(db, { asOf }) {
      const r = await sql<{ day: string | null; priced: string; fresh: string; rows: string }>`
        WITH day AS (SELECT ${latestDay(asOf)} AS d),
             loaded AS (SELECT max(loaded_at) AS at, count(*) AS priced FROM stock_price_daily, day WHERE trade_date = day.d)
        SELECT day.d::text AS day, loaded.priced,
               (SELECT count(*) FROM compass_score_daily c WHERE c.score_date = day.d AND c.computed_at >= loaded.at) AS fresh,
               (SELECT count(*) FROM compass_score_daily c WHERE c.score_date = day.d) AS rows
          FROM day, loaded`.execute(db);
      const row = r.rows[0];
      const day = row?.day ?? null;
      const priced = Number(row?.priced ?? 0);
      const fresh = Number(row?.fresh ?? 0);
      const rows = Number(row?.rows ?? 0);
      return {
        ok: day !== null && priced > 0 && fresh >= priced,
        expected: day ? `a score row for each of the ${fmt(priced)} stocks priced on ${day}, computed after the prices were loaded` : `prices on or before ${asOf}`,
        found: day ? `${fmt(rows)} score rows for ${day}, ${fmt(fresh)} computed after the prices` : `no prices on or before ${asOf}`,
      };
    },
  },
  {
    name: 'score-coverage',
    severity: 'warning',
    tables: ['stock_price_daily', 'compass_score_daily'],
    async run(db, { asOf, settings }) {
      const { priced, scored } = await numbers(db, sql<{ priced: string; scored: string }>`
        SELECT (SELECT count(*) FROM stock_price_daily WHERE trade_date = ${latestDay(asOf)}) AS priced,
               (SELECT count(total_score) FROM compass_score_daily WHERE score_date = ${latestDay(asOf)}) AS scored`);
      const share = priced === 0 ? 0 : scored / priced;
      return {
        ok: priced > 0 && share >= settings.CHECK_SCORE_COVERAGE,
        expected: `a total score for at least ${percent(settings.CHECK_SCORE_COVERAGE)} of the stocks priced on the latest trading date`,
        found: `${fmt(scored)} scored of ${fmt(priced)} priced (${percent(share)})`,
      };
    },
  },
];
