/**
 * Yahoo Finance's chart endpoint as an IndexQuoteSource: daily bars for the indices of the
 * morning email. Yahoo needs no key; it throttles by IP with HTTP 429, hence the pacer.
 */
import { addDays, parseIsoDate, type IsoDate } from '../../calendar/trading-calendar';
import { httpGet, type Pacer } from '../http';
import { decodeChart, SOURCE, type ChartSeries } from './chart';
import type { IndexBar, IndexQuoteSource } from './index-quotes';
import { hookedRequest, type OnRequest } from '../request-hooks';

export const YAHOO_BASE_URL = 'https://query1.finance.yahoo.com';

export interface YahooChartClientOptions {
  /** Scheme and host, e.g. YAHOO_BASE_URL or a test server's URL. */
  baseUrl: string;
  timeoutMs: number;
  pacer: Pacer;
  now?: () => number;
  onRequest?: OnRequest;
}

export class YahooChartClient implements IndexQuoteSource {
  readonly name = SOURCE;
  constructor(private readonly opts: YahooChartClientOptions) {}

  async dailyBars(symbol: string, from: IsoDate, to: IsoDate, signal?: AbortSignal): Promise<IndexBar[]> {
    const series = await this.chart(symbol, from, to, signal);
    return series.bars.filter((b) => b.tradeDate >= from && b.tradeDate <= to);
  }

  /**
   * The raw series for [from, to] in exchange dates. The window asked of Yahoo is a day wider
   * on each side, because its period bounds are UTC instants and exchanges are not in UTC.
   */
  async chart(symbol: string, from: IsoDate, to: IsoDate, signal?: AbortSignal): Promise<ChartSeries> {
    const url = new URL(`/v8/finance/chart/${encodeURIComponent(symbol)}`, this.opts.baseUrl);
    url.searchParams.set('period1', String(parseIsoDate(addDays(from, -1)) / 1000));
    url.searchParams.set('period2', String(parseIsoDate(addDays(to, 2)) / 1000));
    url.searchParams.set('interval', '1d');
    url.searchParams.set('includePrePost', 'false');
    const answer = await hookedRequest(this.opts, 'chart', () => url, () => httpGet(SOURCE, url, this.opts.timeoutMs, signal));
    return decodeChart(answer, (this.opts.now ?? Date.now)(), `chart ${symbol}`);
  }
}
