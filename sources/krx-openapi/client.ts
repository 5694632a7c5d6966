/**
 * The official KRX Open API client (data-dbg.krx.co.kr, korean-apis.md §4.5): one GET per
 * market and day, the key in the AUTH_KEY header. The terms allow 10,000 calls per key per day;
 * counting them across workers is the caller's, through `beforeRequest` or a counting pacer.
 *
 * The key travels in a header only, never in a URL; a last guard scrubs it from anything thrown
 * all the same, in case a server ever echoes it back.
 */
import { compactDate, type IsoDate } from '../../calendar/trading-calendar';
import { SourceError } from '../errors';
import { httpRequest, RequestPacer, type Pacer } from '../http';
import { redactBody, withoutSecrets } from '../redaction';
import type { KrxListingRow } from '../krx/listings';
import { hookedRequest, type BeforeRequest, type OnRequest, type RequestHooks } from '../request-hooks';
import { baseInfoEndpoint, baseInfoPath, toBaseInfoRows } from './base-info';
import { dailyTradesEndpoint, dailyTradesPath, MARKET_SERVICES, toDailyTradeRows, type KrxOpenApiDailyRow, type KrxOpenApiMarket } from './daily-trades';
import { decodeOutBlock, SOURCE } from './envelope';
import { ETF_TRADES_ENDPOINT, ETF_TRADES_PATH, toEtfTradeRows, type KrxOpenApiEtfRow } from './etf-trades';

export const KRX_OPENAPI_BASE_URL = 'https://data-dbg.krx.co.kr';
export const KRX_OPENAPI_DEFAULT_RPS = 1;
/** KRX OPEN API 이용약관 제8조: per key, 00:00–24:00. */
export const KRX_OPENAPI_DAILY_LIMIT = 10_000;

export interface KrxOpenApiClientOptions {
  /** AUTH_KEY (KRX_OPENAPI_KEY), from the worker's environment. */
  apiKey: string;
  /** Default https://data-dbg.krx.co.kr (KRX_OPENAPI_BASE_URL); a path prefix is kept. */
  baseUrl?: string;
  timeoutMs: number;
  /** Default: a private pacer at KRX_OPENAPI_DEFAULT_RPS. */
  pacer?: Pacer;
  now?: () => number;
  /** Called right before each request; the daily quota guard plugs in here (it may throw a rate-limited SourceError). */
  beforeRequest?: BeforeRequest;
  onRequest?: OnRequest;
}

export class KrxOpenApiClient {
  private readonly hooks: RequestHooks;
  private readonly now: () => number;
  private readonly base: string;

  constructor(private readonly opts: KrxOpenApiClientOptions) {
    if (!opts.apiKey) throw new TypeError('KrxOpenApiClient: apiKey is empty');
    this.hooks = { pacer: opts.pacer ?? new RequestPacer(KRX_OPENAPI_DEFAULT_RPS), beforeRequest: opts.beforeRequest, onRequest: opts.onRequest };
    this.now = opts.now ?? Date.now;
    const base = opts.baseUrl ?? KRX_OPENAPI_BASE_URL;
    this.base = base.endsWith('/') ? base : `${base}/`;
  }

  /** One market's daily trading (stk/ksq/knx_bydd_trd); [] when nothing traded that day. */
  dailyTrades(market: KrxOpenApiMarket, date: IsoDate, signal?: AbortSignal): Promise<KrxOpenApiDailyRow[]> {
    return this.guarded(async () => {
      checkMarket(market);
      const rows = await this.get(dailyTradesEndpoint(market), dailyTradesPath(market), date, signal);
      return toDailyTradeRows(market, rows, date);
    });
  }

  /** One market's issue master data as of `date` (stk/ksq/knx_isu_base_info). */
  baseInfo(market: KrxOpenApiMarket, date: IsoDate, signal?: AbortSignal): Promise<KrxListingRow[]> {
    return this.guarded(async () => {
      checkMarket(market);
      return toBaseInfoRows(market, await this.get(baseInfoEndpoint(market), baseInfoPath(market), date, signal));
    });
  }

  /** Every ETF's daily trading (etf_bydd_trd); [] when nothing traded that day. */
  etfTrades(date: IsoDate, signal?: AbortSignal): Promise<KrxOpenApiEtfRow[]> {
    return this.guarded(async () => toEtfTradeRows(await this.get(ETF_TRADES_ENDPOINT, ETF_TRADES_PATH, date, signal), date));
  }

  private async get(endpoint: string, path: string, date: IsoDate, signal?: AbortSignal): Promise<unknown[]> {
    // Relative to the base, so a base with a path (a simulator under /krx-openapi/) keeps it.
    const url = new URL(path.replace(/^\//, ''), this.base);
    url.searchParams.set('basDd', compactDate(date));
    const headers = { AUTH_KEY: this.opts.apiKey, accept: 'application/json' };
    const answer = await hookedRequest(this.hooks, endpoint, () => url, () => httpRequest(SOURCE, url, { headers }, this.opts.timeoutMs, signal));
    return decodeOutBlock(endpoint, redactBody(answer, [this.opts.apiKey]), this.now());
  }

  private guarded<T>(fn: () => Promise<T>): Promise<T> {
    return withoutSecrets([this.opts.apiKey], fn);
  }
}

function checkMarket(market: string): void {
  if (!Object.hasOwn(MARKET_SERVICES, market)) {
    throw new SourceError(SOURCE, 'non-retryable', `bad request: market must be one of ${Object.keys(MARKET_SERVICES).join(', ')}, got ${JSON.stringify(market)}`, 'BAD_REQUEST');
  }
}
