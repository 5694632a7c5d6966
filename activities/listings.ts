/**
 * The weekly chain's stock master (seed 001 Part 2.2, sources 1–3): the KRX listing snapshot of
 * one trade date, `stocks` refreshed from it (with DART corp_code and FSC crno), and the ETFs.
 *
 * KRX_LISTING_SOURCE picks the source: `openapi` (data-dbg.krx.co.kr, {stk,ksq,knx}_bydd_trd +
 * _isu_base_info, etf_bydd_trd) or `portal` (data.krx.co.kr MDCSTAT01501 ALL + MDCSTAT01901,
 * MDCSTAT04301). Unset: openapi when KRX_OPENAPI_KEY is set or in mock scope, else portal.
 * An empty answer (a holiday's "-" rows, or a date not published yet) moves to the previous
 * trading day, as the seed does ("전 영업일로 재시도").
 */
import { cancellationSignal, heartbeat, log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { addDays, type IsoDate, kstDate, tradingDayOnOrBefore } from '../calendar/trading-calendar';
import {
  activeStockCount, type EtfRow, latestListingDate, linkCorpCodes, type ListingMarket, type ListingRow, listingSize, recordCrno,
  refreshStocksFromListing, saveEtfs, saveListing, stockLinkCounts, companiesMissingCrno,
} from '../db/listings';
import type { KrxDailyRow } from '../sources/krx/daily-stocks';
import type { KrxListingRow } from '../sources/krx/listings';
import type { KrxOpenApiMarket } from '../sources/krx-openapi/daily-trades';
import { sourceStep } from './collect';
import type { ActivityDeps } from './deps';

export type ListingSource = 'portal' | 'openapi';

/** How many earlier trading days an empty answer may fall back through before the load fails. */
const MAX_FALLBACK_DAYS = 7;
/** A company whose FSC outline had no match is asked again after this many days. */
const CRNO_RECHECK_DAYS = 30;
/** refreshStocks refuses a snapshot this much smaller than the active stocks it would deactivate. */
const MIN_SNAPSHOT_SHARE = 0.5;

const MARKETS: Record<KrxOpenApiMarket, ListingMarket> = { STK: 'KOSPI', KSQ: 'KOSDAQ', KNX: 'KONEX' };

export function listingSource(deps: ActivityDeps): ListingSource {
  const c = deps.cfg;
  return c.KRX_LISTING_SOURCE ?? (c.KRX_OPENAPI_KEY || c.scope === 'mock' ? 'openapi' : 'portal');
}

function marketOf(r: { marketId: string | null; market: string | null }): ListingMarket | null {
  const byId = r.marketId ? MARKETS[r.marketId as KrxOpenApiMarket] : undefined;
  if (byId) return byId;
  const name = r.market?.toUpperCase() ?? '';
  return name.startsWith('KOSDAQ') ? 'KOSDAQ' : name === 'KOSPI' || name === 'KONEX' ? name : null;
}

function prices(r: Omit<KrxDailyRow, 'ticker' | 'isin' | 'name' | 'tradeDate' | 'market' | 'marketId' | 'department' | 'changeCode'>) {
  return {
    close_price: r.close, change_amount: r.change, change_rate: r.changeRate, open_price: r.open, high_price: r.high, low_price: r.low,
    volume: r.volume, trading_value: r.tradingValue, market_cap: r.marketCap, listed_shares: r.listedShares,
  };
}

async function fetchListing(deps: ActivityDeps, source: ListingSource, date: IsoDate, signal: AbortSignal): Promise<ListingRow[]> {
  const master = (rows: KrxListingRow[]) => new Map(rows.map((r) => [r.ticker, r]));
  if (source === 'portal') {
    const krx = deps.sources.krxData;
    const rows = await krx.dailyStocks(date, 'ALL', signal);
    if (rows.length === 0) return [];
    const info = master(await krx.listings('ALL', signal));
    return rows.flatMap((r): ListingRow[] => {
      const market = marketOf(r);
      if (!market) return [];
      return [{ ticker: r.ticker, isin: r.isin, name: r.name, market, market_name: r.market, dept: r.department, listed_date: info.get(r.ticker)?.listedOn ?? null, ...prices(r) }];
    });
  }
  const api = deps.sources.krxOpenApi;
  const out: ListingRow[] = [];
  for (const m of Object.keys(MARKETS) as KrxOpenApiMarket[]) {
    const rows = await api.dailyTrades(m, date, signal);
    if (rows.length === 0) continue;
    const info = master(await api.baseInfo(m, date, signal));
    for (const r of rows) {
      const base = info.get(r.ticker);
      out.push({ ticker: r.ticker, isin: base?.isin ?? null, name: r.name, market: MARKETS[m], market_name: r.market, dept: r.department, listed_date: base?.listedOn ?? null, ...prices(r) });
    }
  }
  return out;
}

async function fetchEtfs(deps: ActivityDeps, source: ListingSource, date: IsoDate, signal: AbortSignal): Promise<EtfRow[]> {
  const rows = source === 'portal' ? await deps.sources.krxData.dailyEtfs(date, signal) : await deps.sources.krxOpenApi.etfTrades(date, signal);
  return rows.map((r) => ({
    ticker: r.ticker, isin: (r as { isin?: string }).isin ?? null, name: r.name, close_price: r.close, nav: r.nav, market_cap: r.marketCap, net_assets: r.netAssets,
    listed_shares: r.listedShares, volume: r.volume, trading_value: r.tradingValue, index_name: r.indexName, index_close: r.indexClose,
  }));
}

/** The rows of the latest trading day on or before `asOf` that has any, walking back over empty answers. */
async function latestNonEmpty<T>(what: string, asOf: IsoDate, fetch: (date: IsoDate) => Promise<T[]>): Promise<{ tradeDate: IsoDate; rows: T[]; skipped: IsoDate[] }> {
  const skipped: IsoDate[] = [];
  let date = tradingDayOnOrBefore(asOf);
  for (let i = 0; i < MAX_FALLBACK_DAYS; i++) {
    heartbeat({ date });
    const rows = await fetch(date);
    if (rows.length > 0) return { tradeDate: date, rows, skipped };
    log.info(`${what}: no rows for ${date} (holiday or not published yet); trying the previous trading day`);
    skipped.push(date);
    date = tradingDayOnOrBefore(addDays(date, -1));
  }
  throw ApplicationFailure.create({ type: 'KrxNoData', message: `${what}: no rows for any of the trading days ${skipped.join(', ')}` });
}

export function listingActivities(deps: ActivityDeps) {
  return {
    /** KRX listing snapshot → fdr_stock_listing (seed source 1). `asOf` default: today in Korea. */
    async loadStockListing(input: { chain: string; asOf?: IsoDate }): Promise<{ tradeDate: IsoDate; rows: number; byMarket: Record<string, number> }> {
      const source = listingSource(deps);
      return sourceStep(deps, { chain: input.chain, step: 'stock-listing' }, async () => {
        const signal = cancellationSignal();
        const found = await latestNonEmpty('stock listing', input.asOf ?? kstDate(deps.now()), (d) => fetchListing(deps, source, d, signal));
        const written = await saveListing(deps.db, found.tradeDate, `krx-${source}`, found.rows);
        const byMarket: Record<string, number> = {};
        for (const r of found.rows) byMarket[r.market] = (byMarket[r.market] ?? 0) + 1;
        return {
          result: { tradeDate: found.tradeDate, rows: found.rows.length, byMarket },
          rowsIn: found.rows.length,
          rowsWritten: written.inserted + written.updated,
          details: { source, tradeDate: found.tradeDate, emptyDays: found.skipped, byMarket },
        };
      });
    },

    /** stocks from the latest snapshot: upsert, deactivate the unlisted, link corp_code and crno (seed source 2). */
    async refreshStocks(input: { chain: string }): Promise<{ stocks: number; inserted: number; updated: number; deactivated: number; withCorpCode: number; withCrno: number }> {
      return sourceStep(deps, { chain: input.chain, step: 'stocks-refresh' }, async () => {
        const tradeDate = await latestListingDate(deps.db);
        if (!tradeDate) throw ApplicationFailure.create({ type: 'NoListingSnapshot', nonRetryable: true, message: 'fdr_stock_listing is empty: run loadStockListing first' });
        const [size, active] = [await listingSize(deps.db, tradeDate), await activeStockCount(deps.db)];
        if (size < active * MIN_SNAPSHOT_SHARE) {
          throw ApplicationFailure.create({
            type: 'ListingTooSmall', nonRetryable: true,
            message: `the ${tradeDate} listing has ${size} stocks against ${active} active ones; refusing to deactivate that many`,
          });
        }
        const counts = await refreshStocksFromListing(deps.db, tradeDate);
        await linkCorpCodes(deps.db);

        // crno: the FSC outline searched by the DART company name; its fssCorpUnqNo is the corp_code.
        // Each answer is written at once, so a retry (or a quota wait) picks up where this stopped.
        const todo = await companiesMissingCrno(deps.db, CRNO_RECHECK_DAYS);
        const signal = cancellationSignal();
        let found = 0;
        for (let i = 0; i < todo.length; i++) {
          const s = todo[i]!;
          const outlines = await deps.sources.corpOutline.outlines({ corpNm: s.corp_name }, signal);
          const crno = outlines.find((o) => o.dartCorpCode === s.corp_code)?.crno ?? null;
          await recordCrno(deps.db, s.corp_code, crno);
          if (crno) found++;
          heartbeat({ done: i + 1, of: todo.length });
        }
        const links = await stockLinkCounts(deps.db);
        return {
          result: { ...counts, ...links },
          rowsIn: counts.stocks,
          rowsWritten: counts.inserted + counts.updated + counts.deactivated,
          details: { tradeDate, crnoAsked: todo.length, crnoFound: found },
        };
      });
    },

    /** Every ETF of one trade date → etfs (seed source 3). */
    async loadEtfs(input: { chain: string; asOf?: IsoDate }): Promise<{ tradeDate: IsoDate; rows: number }> {
      const source = listingSource(deps);
      return sourceStep(deps, { chain: input.chain, step: 'etfs' }, async () => {
        const signal = cancellationSignal();
        const found = await latestNonEmpty('ETFs', input.asOf ?? kstDate(deps.now()), (d) => fetchEtfs(deps, source, d, signal));
        const written = await saveEtfs(deps.db, found.tradeDate, `krx-${source}`, found.rows);
        return {
          result: { tradeDate: found.tradeDate, rows: found.rows.length },
          rowsIn: found.rows.length,
          rowsWritten: written.inserted + written.updated + written.deactivated,
          details: { source, tradeDate: found.tradeDate, emptyDays: found.skipped, deactivated: written.deactivated },
        };
      });
    },
  };
}

