/**
 * One client per source for the worker process, built on first use from the worker's own
 * environment (config/sources.ts). In mock scope every client points at the simulator with
 * the simulator's keys; in real scope at the vendor with the configured key, and a source
 * whose key is missing fails its own activities (non-retryable, with an alert) without
 * stopping the worker or the other sources.
 *
 * Every client draws from a SourceBudget: the per-second spacing and the daily quota are
 * shared through PostgreSQL by all workers, whatever process or machine they run in.
 */
import type { AppConfig } from '../config/env';
import type { Db } from '../db/database';
import { SourceBudget } from '../db/source-budget';
import { type Clock, systemClock } from '../shared/clock';
import {
  SIMULATOR_ALPHAVANTAGE_KEY,
  SIMULATOR_DART_KEY,
  SIMULATOR_DATAGOKR_KEY,
  SIMULATOR_FINLIFE_KEY,
  SIMULATOR_KRX_LOGIN,
  SIMULATOR_KRX_OPENAPI_KEY,
  simulatorBaseUrls,
  type SimulatorBaseUrls,
} from '../config/simulator-endpoints';
import { AlphaVantageClient } from '../sources/alphavantage/client';
import { DartClient } from '../sources/dart/client';
import { BondBasicInfoClient, BONDS_OPERATION } from '../sources/datagokr/bond-basic-info';
import { CORP_OUTLINE_OPERATION, CorpOutlineClient } from '../sources/datagokr/corp-outline';
import type { DatagokrClientOptions } from '../sources/datagokr/paged-query';
import { DIVIDENDS_OPERATION, StockDividendsClient } from '../sources/datagokr/stock-dividends';
import { PRICE_OPERATION, StockPriceInfoClient } from '../sources/datagokr/stock-price-info';
import { SourceError } from '../sources/errors';
import { FinlifeClient } from '../sources/fss/client';
import { KrxClient } from '../sources/krx/client';
import { KrxOpenApiClient } from '../sources/krx-openapi/client';
import type { OnRequest, RequestEvent } from '../sources/request-hooks';
import { YahooChartClient } from '../sources/yahoo/client';

export interface SourceClientsOptions {
  /**
   * Told of each request every client made (the collection worker's metrics).
   */
  onRequest?: (source: string, event: RequestEvent) => void;
}

export class SourceClients {
  private readonly cache = new Map<string, unknown>();
  private readonly sim: SimulatorBaseUrls | undefined;

  constructor(
    private readonly cfg: AppConfig,
    private readonly db: Db,
    private readonly now: Clock = systemClock,
    private readonly opts: SourceClientsOptions = {},
  ) {
    if (cfg.scope === 'mock') {
      if (!cfg.SIMULATOR_URL) throw new Error('mock scope needs SIMULATOR_URL (npm run dev sets it): no source key is configured');
      this.sim = simulatorBaseUrls(cfg.SIMULATOR_URL);
    }
  }

  get prices(): StockPriceInfoClient {
    return this.once('datagokr-prices', () => new StockPriceInfoClient({ ...this.datagokr(PRICE_OPERATION), pageSize: this.cfg.DATAGOKR_PAGE_SIZE }));
  }

  get dividends(): StockDividendsClient {
    return this.once('datagokr-dividends', () => new StockDividendsClient(this.datagokr(DIVIDENDS_OPERATION)));
  }

  get bonds(): BondBasicInfoClient {
    return this.once('datagokr-bonds', () => new BondBasicInfoClient(this.datagokr(BONDS_OPERATION)));
  }

  get corpOutline(): CorpOutlineClient {
    return this.once('datagokr-corp-outline', () => new CorpOutlineClient(this.datagokr(CORP_OUTLINE_OPERATION)));
  }

  get dart(): DartClient {
    return this.once('dart', () => {
      const c = this.cfg;
      return new DartClient({
        apiKey: this.sim ? SIMULATOR_DART_KEY : this.key('dart', 'DART_API_KEY', c.DART_API_KEY),
        baseUrl: this.sim?.dart ?? c.DART_BASE_URL,
        timeoutMs: c.SOURCE_TIMEOUT_MS,
        corpCodeTimeoutMs: Math.max(c.SOURCE_TIMEOUT_MS, 120_000),
        pacer: this.budget('dart', 'dart', c.DART_DAILY_QUOTA, c.DART_RPS),
        onRequest: this.reporter('dart'),
        now: this.now,
      });
    });
  }

  get finlife(): FinlifeClient {
    return this.once('finlife', () => {
      const c = this.cfg;
      return new FinlifeClient({
        auth: this.sim ? SIMULATOR_FINLIFE_KEY : this.key('finlife', 'FSS_API_KEY', c.FSS_API_KEY),
        baseUrl: this.sim?.finlife ?? c.FINLIFE_BASE_URL,
        timeoutMs: c.SOURCE_TIMEOUT_MS,
        pacer: this.budget('finlife', 'finlife', c.FSS_DAILY_QUOTA, c.FSS_RPS),
        onRequest: this.reporter('finlife'),
        now: this.now,
      });
    });
  }

  get yahoo(): YahooChartClient {
    return this.once('yahoo', () => {
      const c = this.cfg;
      // Yahoo has no key and no published quota; only the spacing is shared.
      return new YahooChartClient({ baseUrl: this.sim?.yahoo ?? c.YAHOO_BASE_URL, timeoutMs: c.SOURCE_TIMEOUT_MS, pacer: this.budget('yahoo', undefined, undefined, c.YAHOO_RPS), onRequest: this.reporter('yahoo'), now: this.now });
    });
  }

  /** The KRX data portal: a member login (KRX_ID/KRX_PW) instead of a key, no published quota. */
  get krxData(): KrxClient {
    return this.once('krx-data', () => {
      const c = this.cfg;
      const credentials = this.sim
        ? { id: SIMULATOR_KRX_LOGIN.id, password: SIMULATOR_KRX_LOGIN.password }
        : { id: this.key('krx-data', 'KRX_ID', c.KRX_ID), password: this.key('krx-data', 'KRX_PW', c.KRX_PW) };
      return new KrxClient({ baseUrl: this.sim?.krxData ?? c.KRX_DATA_BASE_URL, credentials, timeoutMs: c.SOURCE_TIMEOUT_MS, pacer: this.budget('krx-data', undefined, undefined, c.KRX_RPS), onRequest: this.reporter('krx-data'), now: this.now });
    });
  }

  get krxOpenApi(): KrxOpenApiClient {
    return this.once('krx-openapi', () => {
      const c = this.cfg;
      return new KrxOpenApiClient({
        apiKey: this.sim ? SIMULATOR_KRX_OPENAPI_KEY : this.key('krx-openapi', 'KRX_OPENAPI_KEY', c.KRX_OPENAPI_KEY),
        baseUrl: this.sim?.krxOpenApi ?? c.KRX_OPENAPI_BASE_URL,
        timeoutMs: c.SOURCE_TIMEOUT_MS,
        pacer: this.budget('krx-openapi', 'krx-openapi', c.KRX_OPENAPI_DAILY_QUOTA, c.KRX_OPENAPI_RPS),
        onRequest: this.reporter('krx-openapi'),
        now: this.now,
      });
    });
  }

  /** Client only: seed 001 leaves US data for later, so nothing schedules it yet. */
  get alphaVantage(): AlphaVantageClient {
    return this.once('alphavantage', () => {
      const c = this.cfg;
      return new AlphaVantageClient({
        apiKey: this.sim ? SIMULATOR_ALPHAVANTAGE_KEY : this.key('alphavantage', 'ALPHAVANTAGE_API_KEY', c.ALPHAVANTAGE_API_KEY),
        baseUrl: this.sim?.alphaVantage ?? c.ALPHAVANTAGE_BASE_URL,
        timeoutMs: c.SOURCE_TIMEOUT_MS,
        pacer: this.budget('alphavantage', 'alphavantage', c.ALPHAVANTAGE_DAILY_QUOTA, c.ALPHAVANTAGE_RPS),
        onRequest: this.reporter('alphavantage'),
        now: this.now,
      });
    });
  }

  /** data.go.kr counts its quota per API, and its TPS limit per API too. */
  private datagokr(operation: string): DatagokrClientOptions {
    const c = this.cfg;
    return {
      baseUrl: this.sim?.datagokr ?? c.DATAGOKR_BASE_URL,
      serviceKey: this.sim ? SIMULATOR_DATAGOKR_KEY : this.key('datagokr', 'DATAGOKR_API_KEY', c.DATAGOKR_API_KEY),
      timeoutMs: c.DATAGOKR_TIMEOUT_MS,
      pacer: this.budget('datagokr', `datagokr:${operation}`, c.DATAGOKR_DAILY_QUOTA, c.DATAGOKR_RPS),
      onRequest: this.reporter('datagokr'),
      now: this.now,
    };
  }

  private budget(source: string, quotaKey: string | undefined, dailyLimit: number | undefined, rps: number): SourceBudget {
    return new SourceBudget(this.db, { source, quotaKey, dailyLimit, rateKey: quotaKey ?? source, rps }, this.now);
  }

  private reporter(source: string): OnRequest | undefined {
    const onRequest = this.opts.onRequest;
    return onRequest && ((event) => onRequest(source, event));
  }

  private key(source: string, env: string, value: string | undefined): string {
    if (value) return value;
    throw new SourceError(source, 'non-retryable', `${env} is not set in the worker's environment (scope real); set it, or run in mock scope against the simulator`, 'CONFIG');
  }

  private once<T>(name: string, build: () => T): T {
    if (!this.cache.has(name)) this.cache.set(name, build());
    return this.cache.get(name) as T;
  }
}
