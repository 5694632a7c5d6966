/**
 * The Alpha Vantage client (not scheduled yet): daily bars and the latest quote of one symbol
 * per call, the key in the `apikey` query parameter. The free key allows 25 requests a day and
 * about one a second; over either, Alpha Vantage still answers HTTP 200 and says so in the body
 * (answer.ts). Counting the daily 25 across workers is the caller's, through `beforeRequest` or a
 * counting pacer; the key is logged as *** (redactUrl) and scrubbed from anything thrown.
 */
import { SourceError } from '../errors';
import { httpGet, RequestPacer, type Pacer } from '../http';
import { redactBody, withoutSecrets } from '../redaction';
import { hookedRequest, type BeforeRequest, type OnRequest, type RequestHooks } from '../request-hooks';
import { decodeAnswer, SOURCE } from './answer';
import { DAILY_FUNCTION, toDailySeries, type AlphaVantageDailySeries } from './daily-series';
import { QUOTE_FUNCTION, toQuote, type AlphaVantageQuote } from './global-quote';

export const ALPHAVANTAGE_BASE_URL = 'https://www.alphavantage.co';
/** The free tier's burst limit (about one a second since late 2025). */
export const ALPHAVANTAGE_DEFAULT_RPS = 1;
export const ALPHAVANTAGE_FREE_DAILY_LIMIT = 25;
/** Alpha Vantage gives no Retry-After with its rate-limit bodies; a minute covers the per-minute and burst limits. */
const DEFAULT_RATE_LIMIT_WAIT_MS = 60_000;

export interface AlphaVantageClientOptions {
  /** ALPHAVANTAGE_API_KEY, from the worker's environment. */
  apiKey: string;
  /** Default https://www.alphavantage.co (ALPHAVANTAGE_BASE_URL). */
  baseUrl?: string;
  timeoutMs: number;
  /** Default: a private pacer at ALPHAVANTAGE_DEFAULT_RPS. */
  pacer?: Pacer;
  now?: () => number;
  /** How long a rate-limit body ("Note"/"Information") waits before a retry; default 60 s. */
  rateLimitWaitMs?: number;
  /** Called right before each request; the daily quota guard plugs in here. */
  beforeRequest?: BeforeRequest;
  onRequest?: OnRequest;
}

export interface DailySeriesOptions {
  /** compact: the last 100 bars (default); full: 20+ years, a premium option on free keys. */
  outputSize?: 'compact' | 'full';
}

export class AlphaVantageClient {
  private readonly hooks: RequestHooks;
  private readonly now: () => number;

  constructor(private readonly opts: AlphaVantageClientOptions) {
    if (!opts.apiKey) throw new TypeError('AlphaVantageClient: apiKey is empty');
    this.hooks = { pacer: opts.pacer ?? new RequestPacer(ALPHAVANTAGE_DEFAULT_RPS), beforeRequest: opts.beforeRequest, onRequest: opts.onRequest };
    this.now = opts.now ?? Date.now;
  }

  /** TIME_SERIES_DAILY, oldest bar first. */
  dailySeries(symbol: string, options: DailySeriesOptions = {}, signal?: AbortSignal): Promise<AlphaVantageDailySeries> {
    return this.guarded(async () => {
      const json = await this.call(DAILY_FUNCTION, { symbol: checkSymbol(DAILY_FUNCTION, symbol), outputsize: options.outputSize ?? 'compact' }, signal);
      return toDailySeries(json);
    });
  }

  /** GLOBAL_QUOTE; null when Alpha Vantage has no quote for the symbol. */
  globalQuote(symbol: string, signal?: AbortSignal): Promise<AlphaVantageQuote | null> {
    return this.guarded(async () => toQuote(await this.call(QUOTE_FUNCTION, { symbol: checkSymbol(QUOTE_FUNCTION, symbol) }, signal)));
  }

  private async call(fn: string, params: Record<string, string>, signal?: AbortSignal): Promise<Record<string, unknown>> {
    const url = new URL('/query', this.opts.baseUrl ?? ALPHAVANTAGE_BASE_URL);
    url.searchParams.set('function', fn);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    url.searchParams.set('datatype', 'json');
    url.searchParams.set('apikey', this.opts.apiKey);
    const answer = await hookedRequest(this.hooks, fn, () => url, () => httpGet(SOURCE, url, this.opts.timeoutMs, signal));
    return decodeAnswer(fn, redactBody(answer, [this.opts.apiKey]), { nowMs: this.now(), rateLimitWaitMs: this.opts.rateLimitWaitMs ?? DEFAULT_RATE_LIMIT_WAIT_MS });
  }

  private guarded<T>(fn: () => Promise<T>): Promise<T> {
    return withoutSecrets([this.opts.apiKey], fn);
  }
}

function checkSymbol(fn: string, symbol: string): string {
  const s = symbol.trim();
  if (!/^[A-Za-z0-9.^=:-]{1,20}$/.test(s)) {
    throw new SourceError(SOURCE, 'non-retryable', `${fn}: bad request: not a symbol: ${JSON.stringify(symbol)}`, 'BAD_REQUEST');
  }
  return s;
}
