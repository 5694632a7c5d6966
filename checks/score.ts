/**
 * The score of the latest trading date (on or before asOf) was computed after that date's
 * prices were last written (seed 001 Part 2.4: a score over stale prices is wrong), and covers
 * enough of the market.
 */
import { expressionBuilder } from 'kysely';
import type { Database } from '../db/schema';
import { fmt, numbers, percent } from './queries';
import type { CheckDefinition } from './types';

/** The latest trading date on or before asOf, as a subquery. */
const latestDay = (asOf: string) =>
  expressionBuilder<Database, never>().selectFrom('stock_price_daily').select((eb) => eb.fn.max('trade_date').as('d')).where('trade_date', '<=', asOf);

export const scoreChecks: CheckDefinition[] = [
  {
    name: 'score-after-prices',
    severity: 'critical',
    tables: ['stock_price_daily', 'compass_score_daily'],
    async run(db, { asOf }) {
      const row = await db
        .with('day', (q) => q.selectNoFrom(latestDay(asOf).as('d')))
        .with('loaded', (q) => q.selectFrom(['stock_price_daily', 'day'])
          .select((eb) => [eb.fn.max('loaded_at').as('at'), eb.fn.countAll().as('priced')])
          .whereRef('trade_date', '=', 'day.d'))
        .selectFrom(['day', 'loaded'])
        .select((eb) => [
          eb.cast<string | null>('day.d', 'text').as('day'),
          'loaded.priced',
          eb.selectFrom('compass_score_daily as c').select((c) => c.fn.countAll().as('n'))
            .whereRef('c.score_date', '=', 'day.d').whereRef('c.computed_at', '>=', 'loaded.at').as('fresh'),
          eb.selectFrom('compass_score_daily as c').select((c) => c.fn.countAll().as('n'))
            .whereRef('c.score_date', '=', 'day.d').as('rows'),
        ])
        .executeTakeFirst();
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
      const { priced, scored } = await numbers(db.selectNoFrom((eb) => [
        eb.selectFrom('stock_price_daily').select((c) => c.fn.countAll().as('n')).where('trade_date', '=', latestDay(asOf)).as('priced'),
        eb.selectFrom('compass_score_daily').select((c) => c.fn.count('total_score').as('n')).where('score_date', '=', latestDay(asOf)).as('scored'),
      ]));
      const share = priced === 0 ? 0 : scored / priced;
      return {
        ok: priced > 0 && share >= settings.CHECK_SCORE_COVERAGE,
        expected: `a total score for at least ${percent(settings.CHECK_SCORE_COVERAGE)} of the stocks priced on the latest trading date`,
        found: `${fmt(scored)} scored of ${fmt(priced)} priced (${percent(share)})`,
      };
    },
  },
];
