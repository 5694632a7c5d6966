/** Building blocks for small markets with known prices and statements (score and check tests). */
import { sql } from 'kysely';
import type { Db } from '../../db/database';

/**
 * `days` consecutive daily rows ending on `lastDate`, close given by a SQL expression of the
 * row index `i` (0 = oldest), with the stock's master row.
 */
export async function priceSeries(db: Db, o: { ticker: string; lastDate: string; days: number; close: string; shares?: number | null; loadedAt?: string }): Promise<void> {
  await sql`
    INSERT INTO stocks (ticker, name, market, listed_shares, last_trade_date, is_active)
    VALUES (${o.ticker}, ${`stock ${o.ticker}`}, 'KOSPI', ${o.shares ?? null}, ${o.lastDate}::date, true)
    ON CONFLICT (ticker) DO UPDATE SET last_trade_date = greatest(stocks.last_trade_date, excluded.last_trade_date), is_active = true`.execute(db);
  await sql`
    INSERT INTO stock_price_daily (ticker, trade_date, market, open_price, high_price, low_price, close_price, change_amount,
                                   change_rate, volume, trading_value, market_cap, listed_shares, source, loaded_at)
    SELECT ${o.ticker}, ${o.lastDate}::date - (${o.days} - 1 - i), 'KOSPI', c, c, c, c, 0, 0, 1000, 1000 * c, NULL, ${o.shares ?? null}::bigint,
           'test', coalesce(${o.loadedAt ?? null}::timestamptz, now())
      FROM generate_series(0, ${o.days} - 1) AS i, LATERAL (SELECT (${sql.raw(o.close)})::bigint AS c) x
    ON CONFLICT (ticker, trade_date) DO UPDATE SET close_price = excluded.close_price, listed_shares = excluded.listed_shares`.execute(db);
}

export interface Statement {
  corpCode: string;
  ticker: string | null;
  fiscalYear: number;
  fsDiv?: 'CFS' | 'OFS';
  filed: string;
  revenue: number | null;
  operatingIncome: number | null;
  netIncome: number | null;
  liabilities: number | null;
  equity: number | null;
  prevRevenue: number | null;
}

export async function statement(db: Db, s: Statement): Promise<void> {
  await sql`
    INSERT INTO financial_statement (corp_code, ticker, fiscal_year, report_code, fs_div, rcept_no, revenue, operating_income,
                                     net_income, total_assets, total_liabilities, total_equity, prev_revenue, source)
    VALUES (${s.corpCode}, ${s.ticker}, ${s.fiscalYear}, '11011', ${s.fsDiv ?? 'CFS'}, ${`${s.filed.replaceAll('-', '')}000001`},
            ${s.revenue}, ${s.operatingIncome}, ${s.netIncome}, ${(s.liabilities ?? 0) + (s.equity ?? 0)}, ${s.liabilities}, ${s.equity},
            ${s.prevRevenue}, 'test')`.execute(db);
}
