/** The day's prices: loaded for nearly every active ticker, and the bellwether 005930 among them. */
import { fmt, numbers, percent } from './queries';
import type { CheckDefinition } from './types';

const BELLWETHER = '005930';

export const priceChecks: CheckDefinition[] = [
  {
    name: 'prices-coverage',
    severity: 'critical',
    tables: ['stock_price_daily', 'stocks'],
    async run(db, { asOf, settings }) {
      const { priced, active } = await numbers(db.selectNoFrom((eb) => [
        eb.selectFrom('stock_price_daily').select((c) => c.fn.countAll().as('n')).where('trade_date', '=', asOf).where('close_price', '>', '0').as('priced'),
        eb.selectFrom('stocks').select((c) => c.fn.countAll().as('n')).where('is_active', '=', true).as('active'),
      ]));
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
      const row = await db.selectFrom('stock_price_daily').select('close_price')
        .where('ticker', '=', BELLWETHER).where('trade_date', '=', asOf).executeTakeFirst();
      const close = row ? Number(row.close_price) : null;
      return {
        ok: close !== null && close > 0,
        expected: `${BELLWETHER} (Samsung Electronics) priced on ${asOf} with a close above 0`,
        found: close === null ? `no ${BELLWETHER} row on ${asOf}` : `${BELLWETHER} close ${fmt(close)}`,
      };
    },
  },
];
