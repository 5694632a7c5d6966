/**
 * The KRX data portal client (data.krx.co.kr, as pykrx uses it): one place that knows the base
 * URL, the pacing, the session and the LOGOUT rule; the bld modules only turn rows into types.
 *
 * Every query: log in if there is no session or its assumed lifetime is nearly over → wait for
 * the pacer → `beforeRequest` → POST getJsonData → on `LOGOUT`, one fresh login and one resend,
 * after which a second `LOGOUT` is for an operator (non-retryable). The password never appears in
 * a message: it travels only in the login form, and a last guard scrubs it from anything thrown.
 */
import type { IsoDate } from '../../calendar/trading-calendar';
import { SourceError } from '../errors';
import { type HttpAnswer, RequestPacer, type Pacer } from '../http';
import { withoutSecrets } from '../redaction';
import type { BeforeRequest, OnRequest } from '../request-hooks';
import { BUSINESS_DAY_ENDPOINT, BUSINESS_DAY_QUERY, toBusinessDay } from './business-day';
import {
  DAILY_STOCKS_BLD,
  DAILY_STOCKS_ENDPOINT,
  DAILY_STOCKS_WRAPPER,
  dailyStocksParams,
  KRX_MARKETS,
  toDailyRows,
  type KrxDailyRow,
  type KrxMarket,
} from './daily-stocks';
import { ETFS_BLD, ETFS_ENDPOINT, ETFS_WRAPPER, etfsParams, toEtfRows, type KrxEtfRow } from './etfs';
import { LISTINGS_BLD, LISTINGS_ENDPOINT, LISTINGS_WRAPPER, listingsParams, toListingRows, type KrxListingRow } from './listings';
import { DEFAULT_SESSION_TTL_MS, KrxSession, type KrxCredentials } from './session';
import { FINDER_BLD, FINDER_ENDPOINT, FINDER_WRAPPER, finderParams, toTickers, type KrxFinderMarket, type KrxTicker } from './tickers';
import { KrxTransport } from './transport';
import { decodeBlock, decodeJson, isLogout, JSON_DATA_PATH, RESOURCE_BUNDLE_PATH, SOURCE } from './wire';

export const KRX_BASE_URL = 'https://data.krx.co.kr';
/** No published limit; KRX walled the portal off over bot load (§4.3), so one call a second. */
export const KRX_DEFAULT_RPS = 1;

export interface KrxClientOptions {
  /** Default https://data.krx.co.kr (KRX_DATA_BASE_URL). */
  baseUrl?: string;
  /** KRX_ID / KRX_PW, from the worker's environment. Without them no login is tried, and a LOGOUT answer fails at once. */
  credentials?: KrxCredentials;
  timeoutMs: number;
  /** Default: a private pacer at KRX_DEFAULT_RPS. Login requests are paced too. */
  pacer?: Pacer;
  /** How long a login is trusted; default 55 minutes (pykrx: 1 h, renewed 5 min early). */
  sessionTtlMs?: number;
  now?: () => number;
  /** Called right before every request (login steps included); may throw to refuse it. */
  beforeRequest?: BeforeRequest;
  onRequest?: OnRequest;
}

export class KrxClient {
  private readonly transport: KrxTransport;
  private readonly session: KrxSession;
  private readonly now: () => number;

  constructor(private readonly opts: KrxClientOptions) {
    if (opts.credentials && (!opts.credentials.id || !opts.credentials.password)) throw new TypeError('KrxClient: credentials need both id and password');
    this.now = opts.now ?? Date.now;
    this.transport = new KrxTransport({
      base: opts.baseUrl ?? KRX_BASE_URL,
      timeoutMs: opts.timeoutMs,
      pacer: opts.pacer ?? new RequestPacer(KRX_DEFAULT_RPS),
      now: this.now,
      beforeRequest: opts.beforeRequest,
      onRequest: opts.onRequest,
      secrets: this.secrets(),
    });
    this.session = new KrxSession(this.transport, opts.credentials, opts.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS, this.now);
  }

  /** Every stock's OHLCV for one day (MDCSTAT01501); [] when the market was closed. */
  dailyStocks(date: IsoDate, market: KrxMarket = 'ALL', signal?: AbortSignal): Promise<KrxDailyRow[]> {
    return this.guarded(async () => {
      if (!KRX_MARKETS.includes(market)) throw badRequest(DAILY_STOCKS_ENDPOINT, `mktId must be one of ${KRX_MARKETS.join(', ')}`);
      const rows = await this.block(DAILY_STOCKS_ENDPOINT, DAILY_STOCKS_BLD, dailyStocksParams(date, market), DAILY_STOCKS_WRAPPER, signal);
      return toDailyRows(rows, date);
    });
  }

  /** Every ETF's prices, NAV and index for one day (MDCSTAT04301); [] when the market was closed. */
  dailyEtfs(date: IsoDate, signal?: AbortSignal): Promise<KrxEtfRow[]> {
    return this.guarded(async () => toEtfRows(await this.block(ETFS_ENDPOINT, ETFS_BLD, etfsParams(date), ETFS_WRAPPER, signal), date));
  }

  /** Every listed stock's master data (MDCSTAT01901), as of now. */
  listings(market: KrxMarket = 'ALL', signal?: AbortSignal): Promise<KrxListingRow[]> {
    return this.guarded(async () => {
      if (!KRX_MARKETS.includes(market)) throw badRequest(LISTINGS_ENDPOINT, `mktId must be one of ${KRX_MARKETS.join(', ')}`);
      return toListingRows(await this.block(LISTINGS_ENDPOINT, LISTINGS_BLD, listingsParams(market), LISTINGS_WRAPPER, signal));
    });
  }

  /** Listed issues whose name or code matches `searchText` (finder_stkisu); "" lists them all. */
  findTickers(searchText = '', market: KrxFinderMarket = 'ALL', signal?: AbortSignal): Promise<KrxTicker[]> {
    return this.guarded(async () => toTickers(await this.block(FINDER_ENDPOINT, FINDER_BLD, finderParams(market, searchText), FINDER_WRAPPER, signal)));
  }

  /** The portal's latest business day (B128.bld max_work_dt). */
  latestBusinessDay(signal?: AbortSignal): Promise<IsoDate> {
    return this.guarded(async () => {
      const answer = await this.withSession(BUSINESS_DAY_ENDPOINT, () => this.transport.send({ endpoint: BUSINESS_DAY_ENDPOINT, path: RESOURCE_BUNDLE_PATH, query: BUSINESS_DAY_QUERY, xhr: true }, signal), signal);
      return toBusinessDay(decodeJson(BUSINESS_DAY_ENDPOINT, answer, this.now()));
    });
  }

  /**
   * Any getJsonData bld, its rows under `wrapper` unparsed: for the blds not wrapped above
   * (korean-apis.md §4.3). Range blds refuse more than two years per request (HTTP 400,
   * non-retryable); split longer ranges before calling.
   */
  query(bld: string, params: Record<string, string>, wrapper: string, signal?: AbortSignal): Promise<unknown[]> {
    return this.guarded(() => this.block(bld.split('/').pop() ?? bld, bld, params, wrapper, signal));
  }

  private async block(endpoint: string, bld: string, params: Record<string, string>, wrapper: string, signal?: AbortSignal): Promise<unknown[]> {
    const form = { bld, locale: 'ko_KR', ...params };
    const answer = await this.withSession(endpoint, () => this.transport.send({ endpoint, path: JSON_DATA_PATH, form, xhr: true }, signal), signal);
    return decodeBlock(endpoint, answer, wrapper, this.now());
  }

  /** The LOGOUT rule: one fresh login and one resend; a second LOGOUT is for an operator. */
  private async withSession(endpoint: string, send: () => Promise<HttpAnswer>, signal?: AbortSignal): Promise<HttpAnswer> {
    await this.session.ensure(signal);
    const first = await send();
    if (!isLogout(first)) return first;
    if (!this.session.canLogIn) {
      throw new SourceError(SOURCE, 'non-retryable', `${endpoint}: KRX answered LOGOUT (HTTP ${first.status}): the portal needs a member login; set KRX_ID and KRX_PW`, 'LOGOUT');
    }
    await this.session.login(signal);
    const second = await send();
    if (!isLogout(second)) return second;
    throw new SourceError(SOURCE, 'non-retryable', `${endpoint}: KRX answered LOGOUT (HTTP ${second.status}) again right after a fresh login`, 'LOGOUT');
  }

  private guarded<T>(fn: () => Promise<T>): Promise<T> {
    return withoutSecrets(this.secrets(), fn);
  }

  /** The member id is not a secret, and blanking a short one would mangle messages. */
  private secrets(): string[] {
    return this.opts.credentials ? [this.opts.credentials.password] : [];
  }
}

function badRequest(endpoint: string, why: string): SourceError {
  return new SourceError(SOURCE, 'non-retryable', `${endpoint}: bad request: ${why}`, 'BAD_REQUEST');
}
