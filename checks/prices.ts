/** The day's prices: loaded for nearly every active ticker, and the bellwether 005930 among them. */
import { sql } from 'kysely';
import { fmt, numbers, percent } from './queries';
import type { CheckDefinition } from './types';

const BELLWETHER = '005930';

export const priceChecks: CheckDefinition[] = [
  {
    name: 'prices-coverage',
    severity: 'critical',
    tables: ['stock_price_daily', 'stocks'],
    async run(db, { asOf, settings }) {
      const { priced, active } = await numbers(db, sql<{ priced: string; active: string }>`
        SELECT (SELECT count(*) FROM stock_price_daily WHERE trade_date = ${asOf}::date AND close_price > 0) AS priced,
               (SELECT count(*) FROM stocks WHERE is_active) AS active`);
      const share = active === 0 ? 0 : priced / active;
      return {
        ok: active > 0 && share >= settings.CHECK_PRICE_COVERAGE,
        expected: `prices on ${asOf} for at least ${percent(settings.CHECK_PRICE_COVERAGE)} of the active tickers`,
        found: `${fmt(priced)} priced of ${fmt(active)} active tickers (${percent(share)})`,
      };
    },
  },
  {
    name: 'prices-005930',
    severity: 'critical',
    tables: ['stock_price_daily'],
    async run(db, { asOf }) {
      const r = await sql<{ close_price: string }>`
        SELECT close_price FROM stock_price_daily WHERE ticker = ${BELLWETHER} AND trade_date = ${asOf}::date`.execute(db);
      const close = r.rows[0] ? Number(r.rows[0].close_price) : null;
      return {
        ok: close !== null && close > 0,
        expected: `${BELLWETHER} (Samsung Electronics) priced on ${asOf} with a close above 0`,
        found: close === null ? `no ${BELLWETHER} row on ${asOf}` : `${BELLWETHER} close ${fmt(close)}`,
      };
    },
  },
];
