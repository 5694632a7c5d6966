/**
 * GetStockSecuritiesInfoService/getStockPriceInfo: the whole market's daily prices for one
 * date in one call (korean-apis.md §3.1), paged to the end. Prices are unadjusted.
 */
import { z } from 'zod';
import { compactDate, fromCompactDate, type IsoDate } from '../../calendar/trading-calendar';
import { MALFORMED_CLASS, SourceError } from '../errors';
import { httpGet, type Pacer } from '../http';
import { parseNumber, parseText, requireNumber } from '../parse';
import { decodePage, SOURCE } from './envelope';
import { hookedRequest, type OnRequest } from '../request-hooks';

export const PRICE_SOURCE_ID = 'datagokr.getStockPriceInfo';
export const PRICE_OPERATION = 'getStockPriceInfo';
const PATH = `/1160100/service/GetStockSecuritiesInfoService/${PRICE_OPERATION}`;

const itemSchema = z.object({
  basDt: z.string().regex(/^\d{8}$/),
  srtnCd: z.string().min(1),
  isinCd: z.string().optional(),
  itmsNm: z.string(),
  mrktCtg: z.string(),
  clpr: z.string(),
  vs: z.string(),
  fltRt: z.string(),
  mkp: z.string(),
  hipr: z.string(),
  lopr: z.string(),
  trqu: z.string(),
  trPrc: z.string(),
  lstgStCnt: z.string().optional(),
  mrktTotAmt: z.string().optional(),
});

export interface PriceRow {
  ticker: string;
  tradeDate: IsoDate;
  name: string;
  market: string;
  isin: string | null;
  open: number;
  high: number;
  low: number;
  close: number;
  change: number;
  changeRate: number | null;
  volume: number;
  tradingValue: number;
  marketCap: number | null;
  listedShares: number | null;
}

export interface StockPriceClientOptions {
  baseUrl: string;
  /** Read from the worker's environment only; never passed through workflows. */
  serviceKey: string;
  pageSize: number;
  timeoutMs: number;
  pacer: Pacer;
  now?: () => number;
  onRequest?: OnRequest;
}

export class StockPriceInfoClient {
  constructor(private readonly opts: StockPriceClientOptions) {}

  /** Every listed stock's prices for `date`; [] when the market was closed or nothing is published yet. */
  async dailyPrices(date: IsoDate, signal?: AbortSignal): Promise<PriceRow[]> {
    const rows: PriceRow[] = [];
    let totalCount = Infinity;
    // The page guard stops an endless loop if the source keeps answering with a stale totalCount.
    for (let pageNo = 1; rows.length < totalCount; pageNo++) {
      if (pageNo > 1 && pageNo > Math.ceil(totalCount / this.opts.pageSize) + 1) {
        throw new SourceError(SOURCE, 'retryable', `paging did not converge for ${date}: ${rows.length}/${totalCount} rows after ${pageNo - 1} pages`, 'PAGING');
      }
      const page = await this.fetchPage(date, pageNo, signal);
      totalCount = page.totalCount;
      if (page.items.length === 0) {
        if (rows.length < totalCount) {
          throw new SourceError(SOURCE, 'retryable', `page ${pageNo} for ${date} was empty with ${rows.length}/${totalCount} rows read`, 'PAGING');
        }
        break;
      }
      for (const item of page.items) rows.push(toPriceRow(item, date));
    }
    return rows;
  }

  private async fetchPage(date: IsoDate, pageNo: number, signal?: AbortSignal) {
    const url = new URL(PATH, this.opts.baseUrl);
    url.searchParams.set('serviceKey', this.opts.serviceKey);
    url.searchParams.set('resultType', 'json');
    url.searchParams.set('numOfRows', String(this.opts.pageSize));
    url.searchParams.set('pageNo', String(pageNo));
    url.searchParams.set('basDt', compactDate(date));
    const answer = await hookedRequest(this.opts, PRICE_OPERATION, () => url, () => httpGet(SOURCE, url, this.opts.timeoutMs, signal));
    return decodePage<unknown>(answer, (this.opts.now ?? Date.now)());
  }
}

export function toPriceRow(raw: unknown, requestedDate: IsoDate): PriceRow {
  const parsed = itemSchema.safeParse(raw);
  if (!parsed.success) {
    throw new SourceError(SOURCE, MALFORMED_CLASS, `row does not match getStockPriceInfo: ${parsed.error.issues[0]?.message}`, 'MALFORMED');
  }
  const it = parsed.data;
  const tradeDate = fromCompactDate(it.basDt);
  if (tradeDate !== requestedDate) {
    throw new SourceError(SOURCE, MALFORMED_CLASS, `asked for ${requestedDate}, got a row for ${tradeDate}`, 'MALFORMED');
  }
  try {
    return {
      ticker: it.srtnCd.replace(/^A(?=\w{6}$)/, ''),
      tradeDate,
      name: it.itmsNm,
      market: it.mrktCtg,
      isin: parseText(it.isinCd),
      open: requireNumber(it.mkp, 'mkp'),
      high: requireNumber(it.hipr, 'hipr'),
      low: requireNumber(it.lopr, 'lopr'),
      close: requireNumber(it.clpr, 'clpr'),
      change: requireNumber(it.vs, 'vs'),
      changeRate: parseNumber(it.fltRt),
      volume: requireNumber(it.trqu, 'trqu'),
      tradingValue: requireNumber(it.trPrc, 'trPrc'),
      marketCap: parseNumber(it.mrktTotAmt),
      listedShares: parseNumber(it.lstgStCnt),
    };
  } catch (err) {
    throw new SourceError(SOURCE, MALFORMED_CLASS, `row ${it.srtnCd} of ${tradeDate}: ${(err as Error).message}`, 'MALFORMED');
  }
}
