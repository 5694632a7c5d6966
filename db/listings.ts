/**
 * The KRX listing snapshot (`fdr_stock_listing`, one row per trade date and ticker), the stock
 * master refreshed from it (`stocks`: upsert, deactivation, DART corp_code and FSC crno links),
 * and the ETF master (`etfs`). Writes are bulk upserts on natural keys (db/bulk-upsert.ts).
 */
import { sql } from 'kysely';
import type { IsoDate } from '../calendar/trading-calendar';
import { bulkUpsert, type UpsertCounts } from './bulk-upsert';
import type { Db } from './database';

export type ListingMarket = 'KOSPI' | 'KOSDAQ' | 'KONEX';

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
    await sql`DELETE FROM fdr_stock_listing WHERE trade_date = ${tradeDate} AND ticker <> ALL(${rows.map((r) => r.ticker)}::text[])`.execute(tx);
    return bulkUpsert(tx, LISTING, rows.map((r) => ({ ...r, trade_date: tradeDate, source })));
  });
}

export async function latestListingDate(db: Db): Promise<IsoDate | null> {
  const r = await sql<{ d: string | null }>`SELECT max(trade_date)::text AS d FROM fdr_stock_listing`.execute(db);
  return r.rows[0]?.d ?? null;
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
    const up = await sql<{ inserted: boolean }>`
      INSERT INTO stocks AS s (ticker, name, market, isin, listed_shares, dept, listed_date, listing_date, is_active)
      SELECT ticker, name, market, isin, listed_shares, dept, listed_date, trade_date, true FROM fdr_stock_listing WHERE trade_date = ${tradeDate}
      ON CONFLICT (ticker) DO UPDATE SET
        name = EXCLUDED.name, market = EXCLUDED.market, isin = coalesce(EXCLUDED.isin, s.isin), listed_shares = EXCLUDED.listed_shares,
        dept = EXCLUDED.dept, listed_date = coalesce(EXCLUDED.listed_date, s.listed_date),
        listing_date = greatest(s.listing_date, EXCLUDED.listing_date), is_active = true, updated_at = now()
      WHERE (s.name, s.market, s.isin, s.listed_shares, s.dept, s.listed_date, s.listing_date, s.is_active)
            IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.market, coalesce(EXCLUDED.isin, s.isin), EXCLUDED.listed_shares, EXCLUDED.dept,
                              coalesce(EXCLUDED.listed_date, s.listed_date), greatest(s.listing_date, EXCLUDED.listing_date), true)
      RETURNING (xmax = 0) AS inserted`.execute(tx);
    const gone = await sql`
      UPDATE stocks s SET is_active = false, updated_at = now()
       WHERE s.is_active AND NOT EXISTS (SELECT 1 FROM fdr_stock_listing l WHERE l.trade_date = ${tradeDate} AND l.ticker = s.ticker)`.execute(tx);
    const n = await sql<{ n: number }>`SELECT count(*)::int AS n FROM fdr_stock_listing WHERE trade_date = ${tradeDate}`.execute(tx);
    const inserted = up.rows.filter((r) => r.inserted).length;
    return { stocks: n.rows[0]!.n, inserted, updated: up.rows.length - inserted, deactivated: Number(gone.numAffectedRows ?? 0) };
  });
}

export async function activeStockCount(db: Db): Promise<number> {
  return (await sql<{ n: number }>`SELECT count(*)::int AS n FROM stocks WHERE is_active`.execute(db)).rows[0]!.n;
}

export async function listingSize(db: Db, tradeDate: IsoDate): Promise<number> {
  return (await sql<{ n: number }>`SELECT count(*)::int AS n FROM fdr_stock_listing WHERE trade_date = ${tradeDate}`.execute(db)).rows[0]!.n;
}

/**
 * corp_code from dart_corp_code, whose stock_code is the company's common share. Other share
 * classes (005935 삼성전자우, 00104K) carry the common share's first five characters and end in
 * something else than 0 (KRX's code scheme), so they take the corp_code of that common share.
 * A ticker DART no longer lists loses its corp_code.
 */
export async function linkCorpCodes(db: Db): Promise<void> {
  await sql`
    UPDATE stocks s SET corp_code = d.corp_code, updated_at = now()
      FROM (SELECT s2.ticker, coalesce(exact.corp_code, common.corp_code) AS corp_code
              FROM stocks s2
              LEFT JOIN dart_corp_code exact ON exact.stock_code = s2.ticker
              LEFT JOIN dart_corp_code common ON s2.ticker !~ '0$' AND common.stock_code = left(s2.ticker, 5) || '0') d
     WHERE d.ticker = s.ticker AND s.corp_code IS DISTINCT FROM d.corp_code`.execute(db);
  // A company's crno, once known for one of its share classes, holds for the others.
  await sql`
    UPDATE stocks s SET crno = o.crno, updated_at = now()
      FROM (SELECT DISTINCT ON (corp_code) corp_code, crno FROM stocks WHERE crno IS NOT NULL ORDER BY corp_code, ticker) o
     WHERE s.corp_code = o.corp_code AND s.crno IS NULL`.execute(db);
}

export interface CrnoCandidate {
  corp_code: string;
  corp_name: string;
}

/** Companies of active stocks with no crno, not asked about within `recheckDays`: one per corp_code. */
export async function companiesMissingCrno(db: Db, recheckDays: number): Promise<CrnoCandidate[]> {
  const r = await sql<CrnoCandidate>`
    SELECT DISTINCT c.corp_code, c.corp_name
      FROM stocks s JOIN dart_corp_code c ON c.corp_code = s.corp_code
     WHERE s.is_active AND s.crno IS NULL
       AND (s.crno_checked_at IS NULL OR s.crno_checked_at < now() - ${recheckDays} * interval '1 day')
     ORDER BY c.corp_code`.execute(db);
  return r.rows;
}

/** Records the answer for one company, on all its share classes: its crno, or that the FSC outline has none (checked now). */
export async function recordCrno(db: Db, corpCode: string, crno: string | null): Promise<void> {
  await sql`UPDATE stocks SET crno = coalesce(${crno}, crno), crno_checked_at = now(), updated_at = now() WHERE corp_code = ${corpCode}`.execute(db);
}

export async function stockLinkCounts(db: Db): Promise<{ withCorpCode: number; withCrno: number }> {
  const r = await sql<{ with_corp_code: number; with_crno: number }>`
    SELECT count(corp_code)::int AS with_corp_code, count(crno)::int AS with_crno FROM stocks WHERE is_active`.execute(db);
  return { withCorpCode: r.rows[0]!.with_corp_code, withCrno: r.rows[0]!.with_crno };
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
    const gone = await sql`
      UPDATE etfs SET is_active = false, updated_at = now()
       WHERE is_active AND trade_date < ${tradeDate} AND ticker <> ALL(${rows.map((r) => r.ticker)}::text[])`.execute(tx);
    return { ...counts, deactivated: Number(gone.numAffectedRows ?? 0) };
  });
}
