/**
 * The monthly chain's bonds and financial products (seed 001 Part 2.3, sources 8–14): the FSC
 * bond master of one basDt (about 19,000 bonds, paged by 1,000) and the six finlife product
 * types, every sector and every page.
 */
import { cancellationSignal, heartbeat, log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { addDays, type IsoDate, isTradingDay, kstDate, kstMinuteOfDay, tradingDayOnOrBefore } from '../calendar/trading-calendar';
import { saveBonds, saveFinlifeProducts, type SectorProducts } from '../db/products';
import { PRODUCT_TYPES, TOP_FIN_GRP, type FinlifeProductType } from '../sources/fss/products';
import { sourceStep, whileHeartbeating } from './collect';
import type { ActivityDeps } from './deps';

/** data.go.kr publishes a basDt after 13:00 KST of the next business day (korean-apis.md §3.0). */
const PUBLISH_MINUTE_KST = 13 * 60;
/** Business days a default basDt may walk back over empty answers. */
const MAX_FALLBACK_DAYS = 10;

function nextTradingDay(date: IsoDate): IsoDate {
  let d = addDays(date, 1);
  while (!isTradingDay(d)) d = addDays(d, 1);
  return d;
}

/** The latest business day whose FSC data should be published at `nowMs`. */
export function latestPublishedBasDt(nowMs: number): IsoDate {
  const today = kstDate(nowMs);
  const last = tradingDayOnOrBefore(addDays(today, -1));
  const published = nextTradingDay(last);
  const ready = published < today || (published === today && kstMinuteOfDay(nowMs) >= PUBLISH_MINUTE_KST);
  return ready ? last : tradingDayOnOrBefore(addDays(last, -1));
}

/**
 * `fetch` for `basDt` when given (its no-data is 0 rows); otherwise for the latest published
 * business day, walking back a business day at a time while the answer is empty.
 */
export async function fscLatestNonEmpty<T>(basDt: IsoDate | undefined, nowMs: number, fetch: (d: IsoDate) => Promise<T[]>): Promise<{ basDt: IsoDate; rows: T[]; emptyDays: IsoDate[] }> {
  if (basDt) return { basDt, rows: await fetch(basDt), emptyDays: [] };
  const emptyDays: IsoDate[] = [];
  let d = latestPublishedBasDt(nowMs);
  for (let i = 0; i < MAX_FALLBACK_DAYS; i++) {
    const rows = await fetch(d);
    if (rows.length > 0) return { basDt: d, rows, emptyDays };
    emptyDays.push(d);
    d = tradingDayOnOrBefore(addDays(d, -1));
  }
  throw ApplicationFailure.create({ type: 'FscNoData', message: `no rows for any of the business days ${emptyDays.join(', ')}` });
}

export function productActivities(deps: ActivityDeps) {
  return {
    /** FSC bond basic info of one basDt → bonds (one row per ISIN, its newest basDt). */
    async loadBonds(input: { chain: string; basDt?: IsoDate }): Promise<{ basDt: IsoDate; rows: number }> {
      return sourceStep(deps, { chain: input.chain, step: 'bonds', tradingDate: input.basDt }, async () => {
        const signal = cancellationSignal();
        let asking: IsoDate | undefined = input.basDt;
        const found = await fscLatestNonEmpty(input.basDt, deps.now(), (d) => {
          asking = d;
          return whileHeartbeating(() => ({ basDt: asking }), () => deps.sources.bonds.bonds({ basDt: d }, signal));
        });
        heartbeat({ basDt: found.basDt, rows: found.rows.length, phase: 'writing' });
        const written = await saveBonds(deps.db, found.basDt, found.rows);
        return {
          result: { basDt: found.basDt, rows: found.rows.length },
          rowsIn: found.rows.length,
          rowsWritten: written.inserted + written.updated,
          skipped: found.rows.length === 0,
          details: { basDt: found.basDt, emptyDays: found.emptyDays, inserted: written.inserted, updated: written.updated },
        };
      });
    },

    /**
     * One finlife product type, every sector (권역) and every page. Sectors without the type
     * answer empty, so all five are asked rather than a list that could go stale.
     */
    async loadFinlifeProducts(input: { chain: string; productType: FinlifeProductType }): Promise<{ productType: FinlifeProductType; products: number; options: number }> {
      const type = input.productType;
      if (!Object.hasOwn(PRODUCT_TYPES, type)) {
        throw ApplicationFailure.create({ type: 'BadInput', nonRetryable: true, message: `productType must be one of ${Object.keys(PRODUCT_TYPES).join(', ')}` });
      }
      return sourceStep(deps, { chain: input.chain, step: `finlife ${type}` }, async () => {
        const signal = cancellationSignal();
        const sectors: SectorProducts<typeof type>[] = [];
        const bySector: Record<string, number> = {};
        let orphans = 0;
        for (const topFinGrpNo of Object.values(TOP_FIN_GRP)) {
          // Up to 60 pages a sector at one call a second: keep heartbeating through the paging.
          const r = await whileHeartbeating(() => ({ productType: type, topFinGrpNo }), () => deps.sources.finlife.products(type, { topFinGrpNo }, signal));
          sectors.push({ topFinGrpNo, products: r.products });
          bySector[topFinGrpNo] = r.products.length;
          orphans += r.orphanOptions.length;
        }
        if (orphans > 0) log.warn('finlife options without a product were left out', { productType: type, orphans });
        const saved = await saveFinlifeProducts(deps.db, type, sectors);
        return {
          result: { productType: type, products: saved.products, options: saved.options },
          rowsIn: saved.products + saved.options,
          rowsWritten: saved.written,
          details: { bySector, orphanOptions: orphans, deactivated: saved.deactivated },
        };
      });
    },
  };
}
