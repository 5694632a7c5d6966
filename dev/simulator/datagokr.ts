/**
 * GetStockSecuritiesInfoService/getStockPriceInfo as apis.data.go.kr serves it, over the synthetic
 * market. Request parsing, publication timing and paging live here; faults and the gateway's
 * key check are layered on by the server.
 */
import { addDays, kstDate, parseIsoDate, type IsoDate } from '../../calendar/trading-calendar';
import { JSON_TYPE, RESULT_MESSAGES, XML_DECL, XML_TYPE, resultOnly, xmlEscape, type Format, type SimResponse } from './envelopes';
import { normalizeDate } from './faults';
import { isMarketDay, quotesForDate, rowsForDate, type PriceRow } from './market';
import { serializeDay, type SerializedDay } from './serialize';

export const DATAGOKR_PREFIX = '/1160100/';
export const STOCK_PRICE_PATH = '/1160100/service/GetStockSecuritiesInfoService/getStockPriceInfo';

export interface StockPriceQuery {
  /** Absent: the latest published day, which is what the real API's newest-first ordering puts on page 1. */
  basDt?: IsoDate;
  numOfRows: number;
  pageNo: number;
  likeSrtnCd?: string;
  mrktCls?: string;
  format: Format;
}

/** The real API answers XML unless resultType=json is given. */
export function requestFormat(params: URLSearchParams): Format {
  return params.get('resultType')?.toLowerCase() === 'json' ? 'json' : 'xml';
}

function positiveInt(text: string | null, fallback: number): number | undefined {
  if (text === null || text === '') return fallback;
  if (!/^\d{1,9}$/.test(text)) return undefined;
  const n = Number(text);
  return n >= 1 ? n : undefined;
}

/** Undefined when a parameter is malformed, which the service answers with resultCode 10. */
export function parseStockPriceQuery(params: URLSearchParams): StockPriceQuery | undefined {
  const page = parsePageRequest(params);
  if (!page) return undefined;
  const q: StockPriceQuery = { ...page, format: requestFormat(params) };
  const basDt = params.get('basDt');
  if (basDt !== null && basDt !== '') {
    const iso = /^\d{8}$/.test(basDt) ? normalizeDate(basDt) : undefined;
    if (!iso) return undefined;
    q.basDt = iso;
  }
  const like = params.get('likeSrtnCd');
  if (like) q.likeSrtnCd = like;
  const mrktCls = params.get('mrktCls');
  if (mrktCls) q.mrktCls = mrktCls.toUpperCase();
  return q;
}

const FIELDS: readonly (keyof PriceRow)[] = [
  'basDt', 'srtnCd', 'isinCd', 'itmsNm', 'mrktCtg', 'clpr', 'vs', 'fltRt', 'mkp', 'hipr', 'lopr', 'trqu', 'trPrc',
  'lstgStCnt', 'mrktTotAmt',
];

function rowXml(r: object, fields: readonly string[] = FIELDS): string {
  let out = '<item>';
  for (const f of fields) out += `<${f}>${xmlEscape((r as Record<string, string>)[f])}</${f}>`;
  return `${out}</item>`;
}

/**
 * One page of any FSC operation whose rows are plain objects of strings: the same envelope,
 * paging and `items: ""` as getStockPriceInfo. `rowAt` builds only the rows of the page, so a
 * 19,000-row listing costs one page's worth per request.
 */
export function rowsPage(format: Format, q: PageRequest, total: number, rowAt: (i: number) => Record<string, string>): SimResponse {
  const from = Math.min((q.pageNo - 1) * q.numOfRows, total);
  const to = Math.min(from + q.numOfRows, total);
  const rows: Record<string, string>[] = [];
  for (let i = from; i < to; i++) rows.push(rowAt(i));
  if (format === 'xml') return xmlPage(q, rows.map((r) => rowXml(r, Object.keys(r))).join(''), total);
  return jsonPage(q, rows.length ? [Buffer.from(rows.map((r) => JSON.stringify(r)).join(','))] : [], total);
}

/** numOfRows and pageNo as every FSC operation reads them; undefined means resultCode 10. */
export function parsePageRequest(params: URLSearchParams): PageRequest | undefined {
  const numOfRows = positiveInt(params.get('numOfRows'), 10);
  const pageNo = positiveInt(params.get('pageNo'), 1);
  return numOfRows === undefined || pageNo === undefined ? undefined : { numOfRows, pageNo };
}

const COMMA = Buffer.from(',');

export interface StockPriceServiceOptions {
  /** Minutes after KST midnight of basDt when that day's data appears. */
  publishMinuteKst: number;
  now: () => number;
  /** Dates whose serialized rows are kept (each ~0.8 MB). */
  cacheDays?: number;
}

export class StockPriceService {
  private readonly cache = new Map<IsoDate, SerializedDay>();
  private closed: ReadonlySet<IsoDate> = new Set();
  private closedKey = '';

  constructor(private readonly opts: StockPriceServiceOptions) {}

  /** Extra closures change which day is "previous", so cached days computed without them are dropped. */
  setClosedDates(dates: ReadonlySet<IsoDate>): void {
    const key = [...dates].sort().join(',');
    if (key === this.closedKey) return;
    this.closed = dates;
    this.closedKey = key;
    this.cache.clear();
  }

  isPublished(date: IsoDate): boolean {
    if (!isMarketDay(date, { closedDates: this.closed })) return false;
    const publishAt = parseIsoDate(date) - 9 * 3_600_000 + this.opts.publishMinuteKst * 60_000;
    return this.opts.now() >= publishAt;
  }

  /** The normal answer: rows of a published market day, otherwise an empty page like a holiday. */
  answer(q: StockPriceQuery): SimResponse {
    const date = q.basDt ?? this.latestPublished();
    if (!date || !this.isPublished(date)) return this.closedAnswer(q);
    const start = (q.pageNo - 1) * q.numOfRows;
    const end = start + q.numOfRows;
    if (q.format === 'xml') {
      const rows = rowsForDate(date, { closedDates: this.closed }).filter((r) => matches(r.srtnCd, r.mrktCtg, q));
      return xmlPage(q, rows.slice(start, end).map((r) => rowXml(r)).join(''), rows.length);
    }
    const day = this.day(date);
    const rowBytes = (i: number, j = i + 1): Buffer => day.json.subarray(day.offsets[i], day.offsets[j] - 1);
    if (!q.likeSrtnCd && !q.mrktCls) {
      const from = Math.min(start, day.count);
      const to = Math.min(end, day.count);
      return jsonPage(q, from < to ? [rowBytes(from, to)] : [], day.count);
    }
    const keep: number[] = [];
    for (let i = 0; i < day.count; i++) if (matches(day.codes[i], day.markets[i], q)) keep.push(i);
    const parts = keep.slice(start, end).flatMap((i, k) => (k ? [COMMA, rowBytes(i)] : [rowBytes(i)]));
    return jsonPage(q, parts, keep.length);
  }

  /** What a market closure looks like: a normal header and `items: ""`. */
  closedAnswer(q: StockPriceQuery): SimResponse {
    return q.format === 'json' ? jsonPage(q, [], 0) : xmlPage(q, '', 0);
  }

  /** Computes (or recalls) a date's serialized rows; the server calls it at start-up to warm the JIT. */
  day(date: IsoDate): SerializedDay {
    let data = this.cache.get(date);
    if (data) {
      this.cache.delete(date); // re-insert: Map order doubles as the LRU order
    } else {
      data = serializeDay(quotesForDate(date, { closedDates: this.closed }));
    }
    this.cache.set(date, data);
    while (this.cache.size > (this.opts.cacheDays ?? 16)) this.cache.delete(this.cache.keys().next().value!);
    return data;
  }

  private latestPublished(): IsoDate | undefined {
    let d = kstDate(this.opts.now());
    for (let i = 0; i < 30; i++, d = addDays(d, -1)) if (this.isPublished(d)) return d;
    return undefined;
  }
}

export interface PageRequest {
  numOfRows: number;
  pageNo: number;
}

/** `items` holds the page's serialized rows, comma-separated; none gives the API's `"items":""`. */
function jsonPage(q: PageRequest, items: Buffer[], totalCount: number): SimResponse {
  const head =
    `{"response":{"header":{"resultCode":"00","resultMsg":"${RESULT_MESSAGES['00']}"},` +
    `"body":{"numOfRows":${q.numOfRows},"pageNo":${q.pageNo},"totalCount":${totalCount},"items":`;
  const body = items.length
    ? Buffer.concat([Buffer.from(`${head}{"item":[`), ...items, Buffer.from(']}}}}')])
    : `${head}""}}}`;
  return { status: 200, headers: { 'content-type': JSON_TYPE }, body };
}

function xmlPage(q: PageRequest, items: string, totalCount: number): SimResponse {
  return {
    status: 200,
    headers: { 'content-type': XML_TYPE },
    body:
      `${XML_DECL}<response><header><resultCode>00</resultCode><resultMsg>${RESULT_MESSAGES['00']}</resultMsg></header>` +
      `<body><numOfRows>${q.numOfRows}</numOfRows><pageNo>${q.pageNo}</pageNo><totalCount>${totalCount}</totalCount>` +
      `<items>${items}</items></body></response>`,
  };
}

function matches(srtnCd: string, mrktCtg: string, q: StockPriceQuery): boolean {
  if (q.likeSrtnCd && !srtnCd.startsWith(q.likeSrtnCd)) return false;
  if (q.mrktCls && mrktCtg !== q.mrktCls) return false;
  return true;
}

/** The service's answer to a request it cannot parse. */
export function invalidRequest(format: Format): SimResponse {
  return resultOnly('10', format);
}
