/**
 * Bulk, idempotent writes of daily prices and the partition ledger. One statement per date
 * (unnest of column arrays), with the natural key (ticker, trade_date): loading a date twice
 * rewrites nothing, because the update only fires when a value really differs.
 */
import { sql } from 'kysely';
import type { IsoDate } from '../calendar/trading-calendar';
import type { PriceRow } from '../sources/datagokr/stock-price-info';
import { type RawStatementColumns, unnestTable } from './bulk-upsert';
import type { Db } from './database';
import type { LedgerStatus } from './schema';

/** The columns upsertDailyPrices names in its SQL text, so that the compiler checks them. */
export type DailyPriceUpsertColumns = RawStatementColumns<{
  stock_price_daily: 'ticker' | 'trade_date' | 'market' | 'open_price' | 'high_price' | 'low_price' | 'close_price' | 'change_amount'
    | 'change_rate' | 'volume' | 'trading_value' | 'market_cap' | 'listed_shares' | 'source' | 'loaded_at';
}>;

export async function upsertDailyPrices(db: Db, source: string, rows: PriceRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  // Kept raw for speed: column arrays + unnest measured faster end to end than one JSON parameter
  // (json_to_recordset), because PostgreSQL shares the same two cores as the worker
  // (`npm run bench -- daily`). Its columns are declared in DailyPriceUpsertColumns above.
  const col = <K extends keyof PriceRow>(k: K) => rows.map((r) => r[k]);
  const result = await sql`
    INSERT INTO stock_price_daily AS p
      (ticker, trade_date, market, open_price, high_price, low_price, close_price, change_amount,
       change_rate, volume, trading_value, market_cap, listed_shares, source)
    SELECT t.*, ${source}
      FROM unnest(${col('ticker')}::text[], ${col('tradeDate')}::date[], ${col('market')}::text[],
                  ${col('open')}::bigint[], ${col('high')}::bigint[], ${col('low')}::bigint[], ${col('close')}::bigint[],
                  ${col('change')}::bigint[], ${col('changeRate')}::numeric[], ${col('volume')}::bigint[],
                  ${col('tradingValue')}::bigint[], ${col('marketCap')}::bigint[], ${col('listedShares')}::bigint[]) AS t
    ON CONFLICT (ticker, trade_date) DO UPDATE SET
      market = excluded.market, open_price = excluded.open_price, high_price = excluded.high_price,
      low_price = excluded.low_price, close_price = excluded.close_price, change_amount = excluded.change_amount,
      change_rate = excluded.change_rate, volume = excluded.volume, trading_value = excluded.trading_value,
      market_cap = excluded.market_cap, listed_shares = excluded.listed_shares, source = excluded.source,
      loaded_at = now()
    WHERE (p.market, p.open_price, p.high_price, p.low_price, p.close_price, p.change_amount, p.change_rate,
           p.volume, p.trading_value, p.market_cap, p.listed_shares)
      IS DISTINCT FROM
          (excluded.market, excluded.open_price, excluded.high_price, excluded.low_price, excluded.close_price,
           excluded.change_amount, excluded.change_rate, excluded.volume, excluded.trading_value,
           excluded.market_cap, excluded.listed_shares)`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

/** Keeps the stock master in step with what the price source lists; each ticker's newest row wins. */
export async function upsertStocksFromPrices(db: Db, rows: PriceRow[]): Promise<number> {
  const latest = new Map<string, PriceRow>();
  for (const r of rows) {
    const seen = latest.get(r.ticker);
    if (!seen || seen.tradeDate < r.tradeDate) latest.set(r.ticker, r);
  }
  if (latest.size === 0) return 0;
  const list = [...latest.values()];
  const listed = unnestTable('t', {
    ticker: ['text', list.map((r) => r.ticker)],
    name: ['text', list.map((r) => r.name)],
    market: ['text', list.map((r) => r.market)],
    isin: ['text', list.map((r) => r.isin)],
    listed_shares: ['bigint', list.map((r) => r.listedShares)],
    last_trade_date: ['date', list.map((r) => r.tradeDate)],
  });
  const result = await db
    .insertInto('stocks')
    .columns(['ticker', 'name', 'market', 'isin', 'listed_shares', 'last_trade_date', 'is_active'])
    .expression((eb) =>
      eb.selectFrom(listed).select(['t.ticker', 't.name', 't.market', 't.isin', 't.listed_shares', 't.last_trade_date', eb.lit(true).as('is_active')]),
    )
    .onConflict((oc) =>
      oc
        .column('ticker')
        .doUpdateSet({
          name: (eb) => eb.ref('excluded.name'),
          market: (eb) => eb.ref('excluded.market'),
          isin: (eb) => eb.fn.coalesce('excluded.isin', 'stocks.isin'),
          listed_shares: (eb) => eb.ref('excluded.listed_shares'),
          last_trade_date: (eb) => eb.ref('excluded.last_trade_date'),
          updated_at: (eb) => eb.fn<Date>('now'),
        })
        .where((eb) => eb.or([eb('stocks.last_trade_date', 'is', null), eb('stocks.last_trade_date', '<', eb.ref('excluded.last_trade_date'))])),
    )
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0);
}

/**
 * A loaded date's prices and its ledger entry, in one transaction: the ledger never says
 * "loaded" for prices that are not there. The commit does not wait for the WAL flush: a
 * crash can lose only the last few commits, and since the WAL is replayed in order, a lost
 * ledger entry means its date is simply loaded again by the next run.
 */
export async function savePartition(db: Db, source: string, date: IsoDate, rows: PriceRow[], workflowId: string | null): Promise<number> {
  return db.transaction().execute(async (trx) => {
    // A setting, not a query: no builder writes SET.
    await sql`SET LOCAL synchronous_commit = off`.execute(trx);
    const written = await upsertDailyPrices(trx, source, rows);
    await recordPartition(trx, { source, tradeDate: date, status: 'loaded', rowCount: rows.length, workflowId });
    return written;
  });
}

export interface LedgerEntry {
  source: string;
  tradeDate: IsoDate;
  status: LedgerStatus;
  rowCount: number;
  workflowId: string | null;
  error?: string | null;
}

export async function recordPartition(db: Db, e: LedgerEntry): Promise<void> {
  await db
    .insertInto('price_load_ledger')
    .values({
      source: e.source,
      trade_date: e.tradeDate,
      status: e.status,
      row_count: e.rowCount,
      workflow_id: e.workflowId,
      error: e.error ?? null,
    })
    .onConflict((oc) =>
      oc.columns(['source', 'trade_date']).doUpdateSet({
        status: (eb) => eb.ref('excluded.status'),
        row_count: (eb) => eb.ref('excluded.row_count'),
        workflow_id: (eb) => eb.ref('excluded.workflow_id'),
        error: (eb) => eb.ref('excluded.error'),
        attempts: (eb) => eb('price_load_ledger.attempts', '+', eb.lit(1)),
        updated_at: (eb) => eb.fn<Date>('now'),
      }),
    )
    .execute();
}

/** Dates of `source` that are settled: loaded, or answered "no data" by the source. */
export async function settledDates(db: Db, source: string, from: IsoDate, to: IsoDate): Promise<Set<IsoDate>> {
  const rows = await db
    .selectFrom('price_load_ledger')
    .select('trade_date')
    .where('source', '=', source)
    .where('status', 'in', ['loaded', 'no-data'])
    .where('trade_date', '>=', from)
    .where('trade_date', '<=', to)
    .execute();
  return new Set(rows.map((r) => r.trade_date));
}

export async function lastSettledDate(db: Db, source: string): Promise<IsoDate | null> {
  const row = await db
    .selectFrom('price_load_ledger')
    .select((eb) => eb.fn.max('trade_date').as('last'))
    .where('source', '=', source)
    .where('status', 'in', ['loaded', 'no-data'])
    .executeTakeFirst();
  return (row?.last as string | null | undefined) ?? null;
}
