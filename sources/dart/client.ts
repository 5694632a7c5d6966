/**
 * The DART OpenAPI client: one place that knows the base URL, the key, the pacing, the timeout
 * and the maintenance window; the endpoint modules only turn rows into types.
 *
 * Every call: refuse inside the maintenance window → wait for the pacer → the optional
 * `beforeRequest` gate (where a shared daily quota plugs in) → GET → classify. The key goes
 * into the URL only; anything logged or thrown shows the URL through redactUrl, and a last
 * guard scrubs the key from any message that a lower layer might have built from it.
 */
import { httpRequestBytes, RequestPacer, type Pacer } from '../http';
import { withoutSecrets } from '../redaction';
import { hookedRequest, type BeforeRequest, type OnRequest, type RequestEvent } from '../request-hooks';
import { CORP_CODE_ENDPOINT, parseCorpCodeZip, type CorpCode } from './corp-code';
import {
  MAJOR_EVENTS,
  majorEventEndpoint,
  toBonusIssues,
  toMajorEventRows,
  toPaidInCapitalIncreases,
  type BonusIssue,
  type MajorEventKind,
  type MajorEventRow,
  type PaidInCapitalIncrease,
} from './corporate-actions';
import { DIVIDEND_ENDPOINT, toDividendRows, type DividendRow } from './dividends';
import { decodeEnvelope, decodeList, httpError, malformed, SOURCE, type RawAnswer } from './envelope';
import {
  ALL_ACCOUNTS_ENDPOINT,
  chunkCorpCodes,
  MAX_CORPS_PER_CALL,
  MULTI_ACCOUNT_ENDPOINT,
  SINGLE_ACCOUNT_ENDPOINT,
  toFullAccountRows,
  toMainAccountRows,
  type AllAccountsRequest,
  type FullAccountRow,
  type MainAccountRow,
  type MultiAccountRequest,
} from './financial-statements';
import { DART_MAINTENANCE, refuseDuringMaintenance, type MaintenanceWindow } from './maintenance';
import { badRequest, filingRangeParams, periodicParams, type FilingRangeRequest, type PeriodicReportRequest } from './requests';
import { isZip } from './zip';

export const DART_BASE_URL = 'https://opendart.fss.or.kr/';
/** Seed 001: one request per second. DART's own stated limit is ~1,000 a minute (korean-apis.md §1.2). */
export const DART_DEFAULT_RPS = 1;

/** crtfc_key appears in `url` as ***. */
export type DartRequestEvent = RequestEvent;

export interface DartClientOptions {
  /** The key (crtfc_key), read from the worker's environment by the caller; never from workflow input. */
  apiKey: string;
  /** Default https://opendart.fss.or.kr/; a path prefix (a simulator mounted under /dart/) is kept. */
  baseUrl?: string;
  timeoutMs: number;
  /** corpCode.xml is a ~3 MB download; default: timeoutMs. */
  corpCodeTimeoutMs?: number;
  /** Share one pacer per process across DART clients; default: a private one at DART_DEFAULT_RPS. */
  pacer?: Pacer;
  /** Companies per fnlttMultiAcnt call, 1..100; default 100. */
  multiBatchSize?: number;
  /** Default DART's 01:00–02:00 KST; null: none (tests that must not depend on the hour). */
  maintenance?: MaintenanceWindow | null;
  now?: () => number;
  /** Called right before each request; may throw (e.g. a rate-limited SourceError when the daily quota is spent). */
  beforeRequest?: BeforeRequest;
  /** Called after each request, for logs and counters. */
  onRequest?: OnRequest;
}

export class DartClient {
  private readonly pacer: Pacer;
  private readonly now: () => number;
  private readonly base: string;

  constructor(private readonly opts: DartClientOptions) {
    if (!opts.apiKey) throw new TypeError('DartClient: apiKey is empty');
    this.pacer = opts.pacer ?? new RequestPacer(DART_DEFAULT_RPS);
    this.now = opts.now ?? Date.now;
    const base = opts.baseUrl ?? DART_BASE_URL;
    this.base = base.endsWith('/') ? base : `${base}/`;
    chunkCorpCodes([], opts.multiBatchSize ?? MAX_CORPS_PER_CALL); // validates the batch size early
  }

  /** Every company DART knows (about 120,000; some 4,000 listed). */
  corpCodes(signal?: AbortSignal): Promise<CorpCode[]> {
    return this.guarded(async () => {
      const answer = await this.call(CORP_CODE_ENDPOINT, {}, signal, this.opts.corpCodeTimeoutMs ?? this.opts.timeoutMs);
      const fromHttp = httpError(CORP_CODE_ENDPOINT, answer, this.now());
      if (fromHttp) throw fromHttp;
      if (isZip(answer.bytes)) return parseCorpCodeZip(answer.bytes);
      // Not a ZIP: DART's status answer (key errors and the like), or garbage.
      const env = decodeEnvelope(CORP_CODE_ENDPOINT, answer, this.now());
      throw malformed(CORP_CODE_ENDPOINT, `status ${env.status} instead of a ZIP archive`);
    });
  }

  /**
   * Main accounts (CFS and OFS) of many companies for one report. More than a batch is split
   * into several calls, made one after the other; a failure of any fails the whole, so callers
   * that want per-batch retries split with chunkCorpCodes and call once per batch.
   */
  multiAccounts(req: MultiAccountRequest, signal?: AbortSignal): Promise<MainAccountRow[]> {
    return this.guarded(async () => {
      const batches = chunkCorpCodes(req.corpCodes, this.opts.multiBatchSize ?? MAX_CORPS_PER_CALL);
      if (batches.length === 0) throw badRequest(MULTI_ACCOUNT_ENDPOINT, 'no corp_code given');
      const checked = batches.map((b) => periodicParams(MULTI_ACCOUNT_ENDPOINT, b, req.bsnsYear, req.reprtCode));
      const rows: MainAccountRow[] = [];
      for (const params of checked) rows.push(...toMainAccountRows(MULTI_ACCOUNT_ENDPOINT, await this.list(MULTI_ACCOUNT_ENDPOINT, params, signal)));
      return rows;
    });
  }

  /** Main accounts of one company (the same rows as multiAccounts). */
  singleAccounts(req: PeriodicReportRequest, signal?: AbortSignal): Promise<MainAccountRow[]> {
    return this.guarded(async () => {
      const params = periodicParams(SINGLE_ACCOUNT_ENDPOINT, [req.corpCode], req.bsnsYear, req.reprtCode);
      return toMainAccountRows(SINGLE_ACCOUNT_ENDPOINT, await this.list(SINGLE_ACCOUNT_ENDPOINT, params, signal));
    });
  }

  /** Every XBRL account of one company's consolidated (CFS) or separate (OFS) statements. */
  allAccounts(req: AllAccountsRequest, signal?: AbortSignal): Promise<FullAccountRow[]> {
    return this.guarded(async () => {
      if (req.fsDiv !== 'CFS' && req.fsDiv !== 'OFS') throw badRequest(ALL_ACCOUNTS_ENDPOINT, `fs_div must be CFS or OFS, got ${JSON.stringify(req.fsDiv)}`);
      const params = { ...periodicParams(ALL_ACCOUNTS_ENDPOINT, [req.corpCode], req.bsnsYear, req.reprtCode), fs_div: req.fsDiv };
      return toFullAccountRows(await this.list(ALL_ACCOUNTS_ENDPOINT, params, signal), req.fsDiv);
    });
  }

  dividends(req: PeriodicReportRequest, signal?: AbortSignal): Promise<DividendRow[]> {
    return this.guarded(async () => {
      const params = periodicParams(DIVIDEND_ENDPOINT, [req.corpCode], req.bsnsYear, req.reprtCode);
      return toDividendRows(await this.list(DIVIDEND_ENDPOINT, params, signal));
    });
  }

  /** Any major-event endpoint, rows with their raw fields. */
  majorEvents(kind: MajorEventKind, req: FilingRangeRequest, signal?: AbortSignal): Promise<MajorEventRow[]> {
    return this.guarded(async () => {
      if (!Object.hasOwn(MAJOR_EVENTS, kind)) throw badRequest(String(kind), 'not a major-event endpoint');
      const endpoint = majorEventEndpoint(kind);
      return toMajorEventRows(kind, await this.list(endpoint, filingRangeParams(endpoint, req), signal));
    });
  }

  /** 유상증자 결정 (piicDecsn), typed. */
  paidInCapitalIncreases(req: FilingRangeRequest, signal?: AbortSignal): Promise<PaidInCapitalIncrease[]> {
    return this.guarded(async () => {
      const endpoint = majorEventEndpoint('piicDecsn');
      return toPaidInCapitalIncreases(await this.list(endpoint, filingRangeParams(endpoint, req), signal));
    });
  }

  /** 무상증자 결정 (fricDecsn), typed. */
  bonusIssues(req: FilingRangeRequest, signal?: AbortSignal): Promise<BonusIssue[]> {
    return this.guarded(async () => {
      const endpoint = majorEventEndpoint('fricDecsn');
      return toBonusIssues(await this.list(endpoint, filingRangeParams(endpoint, req), signal));
    });
  }

  private async list(endpoint: string, params: Record<string, string>, signal?: AbortSignal): Promise<unknown[]> {
    const answer = await this.call(endpoint, params, signal, this.opts.timeoutMs);
    return decodeList(endpoint, answer, this.now());
  }

  private call(endpoint: string, params: Record<string, string>, signal: AbortSignal | undefined, timeoutMs: number): Promise<RawAnswer> {
    const window = this.opts.maintenance === null ? undefined : (this.opts.maintenance ?? DART_MAINTENANCE);
    if (window) refuseDuringMaintenance(endpoint, this.now(), window);
    const pacer: Pacer = {
      wait: async () => {
        await this.pacer.wait();
        // The pacer may have held us into the window.
        if (window) refuseDuringMaintenance(endpoint, this.now(), window);
      },
    };
    const url = new URL(`api/${endpoint}`, this.base);
    url.searchParams.set('crtfc_key', this.opts.apiKey);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    const hooks = { pacer, beforeRequest: this.opts.beforeRequest, onRequest: this.opts.onRequest };
    // Bytes, not text: corpCode.xml answers a ZIP.
    const init = { headers: { accept: 'application/json, application/zip;q=0.9, text/xml;q=0.8' }, endpoint };
    return hookedRequest(hooks, endpoint, () => url, () => httpRequestBytes(SOURCE, url, init, timeoutMs, signal));
  }

  /** The last guard: whatever a lower layer built from the URL, the key does not leave. */
  private guarded<T>(fn: () => Promise<T>): Promise<T> {
    return withoutSecrets([this.opts.apiKey], fn);
  }
}
