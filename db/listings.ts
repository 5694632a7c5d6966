/**
 * The KRX listing snapshot (`fdr_stock_listing`, one row per trade date and ticker), the stock
 * master refreshed from it (`stocks`: upsert, deactivation, DART corp_code and FSC crno links),
 * and the ETF master (`etfs`). Writes are bulk upserts on natural keys (db/bulk-upsert.ts).
 */
import { type ExpressionBuilder, sql } from 'kysely';
import type { IsoDate } from '../calendar/trading-calendar';
import { bulkUpsert, type UpsertCounts } from './bulk-upsert';
import type { Db } from './database';
import type { Database } from './schema';

/** The markets fdr_stock_listing's CHECK constraint allows. */
export type ListingMarket = Database['fdr_stock_listing']['market'];

/**
 * `ALL($1)` for `col <> allOf(…)`: true for a value in none of `values`, and for every value when
 * the list is empty, where `not in ()` would be a syntax error. One parameter however long the list.
 */
function allOf<DB, TB extends keyof DB>(eb: ExpressionBuilder<DB, TB>, values: readonly string[]) {
  return eb.fn<string>('all', [eb.val(values)]);
}

/** The columns a stock row and an ETF row share: the issue and its day's close, volume and size. */
interface IssueDayColumns {
  ticker: string;
  isin: string | null;
  name: string;
  close_price: number;
  volume: number | null;
  trading_value: number | null;
  market_cap: number | null;
  listed_shares: number | null;
}

export interface ListingRow extends IssueDayColumns {
  market: ListingMarket;
  /** MKT_NM as KRX spells it (KOSDAQ GLOBAL included). */
  market_name: string | null;
  dept: string | null;
  listed_date: IsoDate | null;
  change_amount: number | null;
  change_rate: number | null;
  open_price: number | null;
  high_price: number | null;
  low_price: number | null;
}

/** IssueDayColumns' types, plus the day and the source every snapshot row carries. */
const ISSUE_DAY_TYPES = {
  trade_date: 'date', ticker: 'text', isin: 'text', name: 'text', close_price: 'bigint', volume: 'bigint', trading_value: 'bigint',
  market_cap: 'bigint', listed_shares: 'bigint', source: 'text',
} as const;

const LISTING = {
  table: 'fdr_stock_listing',
  columns: {
    ...ISSUE_DAY_TYPES, market: 'text', market_name: 'text', dept: 'text', listed_date: 'date',
    change_amount: 'bigint', change_rate: 'numeric', open_price: 'bigint', high_price: 'bigint', low_price: 'bigint',
  },
  key: ['trade_date', 'ticker'],
  touch: 'loaded_at',
} as const;

/** One trade date's snapshot, replacing what an earlier load of the same date held. */
export async function saveListing(db: Db, tradeDate: IsoDate, source: string, rows: readonly ListingRow[]): Promise<UpsertCounts> {
  return db.transaction().execute(async (tx) => {
    await tx
      .deleteFrom('fdr_stock_listing')
      .where('trade_date', '=', tradeDate)
      .where((eb) => eb('ticker', '<>', allOf(eb, rows.map((r) => r.ticker))))
      .execute();
    return bulkUpsert(tx, LISTING, rows.map((r) => ({ ...r, trade_date: tradeDate, source })));
  });
}

export async function latestListingDate(db: Db): Promise<IsoDate | null> {
  const r = await db.selectFrom('fdr_stock_listing').select((eb) => eb.fn.max<string | null>('trade_date').as('d')).executeTakeFirst();
  return r?.d ?? null;
}

export interface StockRefreshCounts {
  stocks: number;
  inserted: number;
  updated: number;
  deactivated: number;
}

/**
 * `stocks` from one snapshot: every listed ticker upserted and active, every active ticker the
 * snapshot lacks deactivated. Price columns (last_trade_date) stay the price chain's.
 */
export async function refreshStocksFromListing(db: Db, tradeDate: IsoDate): Promise<StockRefreshCounts> {
  return db.transaction().execute(async (tx) => {
    const up = await tx
      .insertInto('stocks')
      .columns(['ticker', 'name', 'market', 'isin', 'listed_shares', 'dept', 'listed_date', 'listing_date', 'is_active'])
      .expression((eb) =>
        eb
          .selectFrom('fdr_stock_listing')
          .select(['ticker', 'name', 'market', 'isin', 'listed_shares', 'dept', 'listed_date', 'trade_date', eb.lit(true).as('is_active')])
          .where('trade_date', '=', tradeDate),
      )
      .onConflict((oc) =>
        oc
          .column('ticker')
          .doUpdateSet({
            name: (eb) => eb.ref('excluded.name'),
            market: (eb) => eb.ref('excluded.market'),
            isin: (eb) => eb.fn.coalesce('excluded.isin', 'stocks.isin'),
            listed_shares: (eb) => eb.ref('excluded.listed_shares'),
            dept: (eb) => eb.ref('excluded.dept'),
            listed_date: (eb) => eb.fn.coalesce('excluded.listed_date', 'stocks.listed_date'),
            listing_date: (eb) => eb.fn<string | null>('greatest', ['stocks.listing_date', 'excluded.listing_date']),
            is_active: true,
            updated_at: (eb) => eb.fn<Date>('now'),
          })
          // Only a row whose values change is rewritten (and counted as updated).
          .where((eb) =>
            eb.or([
              eb('stocks.name', 'is distinct from', eb.ref('excluded.name')),
              eb('stocks.market', 'is distinct from', eb.ref('excluded.market')),
              eb('stocks.isin', 'is distinct from', eb.fn.coalesce('excluded.isin', 'stocks.isin')),
              eb('stocks.listed_shares', 'is distinct from', eb.ref('excluded.listed_shares')),
              eb('stocks.dept', 'is distinct from', eb.ref('excluded.dept')),
              eb('stocks.listed_date', 'is distinct from', eb.fn.coalesce('excluded.listed_date', 'stocks.listed_date')),
              eb('stocks.listing_date', 'is distinct from', eb.fn<string | null>('greatest', ['stocks.listing_date', 'excluded.listing_date'])),
              eb('stocks.is_active', 'is distinct from', true),
            ]),
          ),
      )
      // xmax is a system column, outside the schema's types: 0 on a row this statement inserted.
      .returning(sql<boolean>`xmax = 0`.as('inserted'))
      .execute();
    const gone = await tx
      .updateTable('stocks as s')
      .set({ is_active: false, updated_at: (eb) => eb.fn<Date>('now') })
      .where('s.is_active', '=', true)
      .where((eb) =>
        eb.not(eb.exists(eb.selectFrom('fdr_stock_listing as l').select(eb.lit(1).as('one')).where('l.trade_date', '=', tradeDate).whereRef('l.ticker', '=', 's.ticker'))),
      )
      .executeTakeFirst();
    const inserted = up.filter((r) => r.inserted).length;
    return { stocks: await listingSize(tx, tradeDate), inserted, updated: up.length - inserted, deactivated: Number(gone.numUpdatedRows) };
  });
}

export async function activeStockCount(db: Db): Promise<number> {
  const r = await db.selectFrom('stocks').select((eb) => eb.fn.countAll<string>().as('n')).where('is_active', '=', true).executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function listingSize(db: Db, tradeDate: IsoDate): Promise<number> {
  const r = await db.selectFrom('fdr_stock_listing').select((eb) => eb.fn.countAll<string>().as('n')).where('trade_date', '=', tradeDate).executeTakeFirstOrThrow();
  return Number(r.n);
}

/**
 * corp_code from dart_corp_code, whose stock_code is the company's common share. Other share
 * classes (005935 삼성전자우, 00104K) carry the common share's first five characters and end in
 * something else than 0 (KRX's code scheme), so they take the corp_code of that common share.
 * A ticker DART no longer lists loses its corp_code.
 */
export async function linkCorpCodes(db: Db): Promise<void> {
  const links = db
    .selectFrom('stocks as s2')
    .leftJoin('dart_corp_code as exact', 'exact.stock_code', 's2.ticker')
    .leftJoin('dart_corp_code as common', (join) =>
      join.on('s2.ticker', '!~', '0$').on((eb) => eb('common.stock_code', '=', eb(eb.fn<string>('left', ['s2.ticker', eb.val(5)]), '||', '0'))),
    )
    .select((eb) => ['s2.ticker', eb.fn.coalesce('exact.corp_code', 'common.corp_code').as('corp_code')])
    .as('d');
  await db
    .updateTable('stocks as s')
    .from(links)
    .set({ corp_code: (eb) => eb.ref('d.corp_code'), updated_at: (eb) => eb.fn<Date>('now') })
    .whereRef('d.ticker', '=', 's.ticker')
    .where((eb) => eb('s.corp_code', 'is distinct from', eb.ref('d.corp_code')))
    .execute();
  // A company's crno, once known for one of its share classes, holds for the others.
  const known = db
    .selectFrom('stocks')
    .distinctOn('corp_code')
    .select(['corp_code', 'crno'])
    .where('crno', 'is not', null)
    .orderBy('corp_code')
    .orderBy('ticker')
    .as('o');
  await db
    .updateTable('stocks as s')
    .from(known)
    .set({ crno: (eb) => eb.ref('o.crno'), updated_at: (eb) => eb.fn<Date>('now') })
    .whereRef('s.corp_code', '=', 'o.corp_code')
    .where('s.crno', 'is', null)
    .execute();
}

export interface CrnoCandidate {
  corp_code: string;
  corp_name: string;
}

/** Companies of active stocks with no crno, not asked about within `recheckDays`: one per corp_code. */
export async function companiesMissingCrno(db: Db, recheckDays: number): Promise<CrnoCandidate[]> {
  return db
    .selectFrom('stocks as s')
    .innerJoin('dart_corp_code as c', 'c.corp_code', 's.corp_code')
    .select(['c.corp_code', 'c.corp_name'])
    .distinct()
    .where('s.is_active', '=', true)
    .where('s.crno', 'is', null)
    .where((eb) => eb.or([eb('s.crno_checked_at', 'is', null), eb('s.crno_checked_at', '<', sql<Date>`now() - ${recheckDays} * interval '1 day'`)]))
    .orderBy('c.corp_code')
    .execute();
}

/** Records the answer for one company, on all its share classes: its crno, or that the FSC outline has none (checked now). */
export async function recordCrno(db: Db, corpCode: string, crno: string | null): Promise<void> {
  await db
    .updateTable('stocks')
    .set({ crno: (eb) => eb.fn.coalesce(eb.val(crno), 'crno'), crno_checked_at: (eb) => eb.fn<Date>('now'), updated_at: (eb) => eb.fn<Date>('now') })
    .where('corp_code', '=', corpCode)
    .execute();
}

export async function stockLinkCounts(db: Db): Promise<{ withCorpCode: number; withCrno: number }> {
  const r = await db
    .selectFrom('stocks')
    .select((eb) => [eb.fn.count<string>('corp_code').as('with_corp_code'), eb.fn.count<string>('crno').as('with_crno')])
    .where('is_active', '=', true)
    .executeTakeFirstOrThrow();
  return { withCorpCode: Number(r.with_corp_code), withCrno: Number(r.with_crno) };
}

export interface EtfRow extends IssueDayColumns {
  nav: number | null;
  net_assets: number | null;
  index_name: string | null;
  index_close: number | null;
}

const ETFS = {
  table: 'etfs',
  columns: { ...ISSUE_DAY_TYPES, nav: 'numeric', net_assets: 'bigint', index_name: 'text', index_close: 'numeric', is_active: 'boolean' },
  key: ['ticker'],
  // The Open API's rows have no ISIN: keep the one a portal load found.
  coalesce: ['isin'],
  touch: 'updated_at',
  // An older trade date never overwrites a newer one (a backfill of a past date).
  onlyIf: 't.trade_date <= EXCLUDED.trade_date',
} as const;

/** The ETF master as of `tradeDate`; ETFs missing from a snapshot of the newest date are marked inactive. */
export async function saveEtfs(db: Db, tradeDate: IsoDate, source: string, rows: readonly EtfRow[]): Promise<UpsertCounts & { deactivated: number }> {
  return db.transaction().execute(async (tx) => {
    const counts = await bulkUpsert(tx, ETFS, rows.map((r) => ({ ...r, trade_date: tradeDate, is_active: true, source })));
    const gone = await tx
      .updateTable('etfs')
      .set({ is_active: false, updated_at: (eb) => eb.fn<Date>('now') })
      .where('is_active', '=', true)
      .where('trade_date', '<', tradeDate)
      .where((eb) => eb('ticker', '<>', allOf(eb, rows.map((r) => r.ticker))))
      .executeTakeFirst();
    return { ...counts, deactivated: Number(gone.numUpdatedRows) };
  });
}
