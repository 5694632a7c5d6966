/**
 * HTTP front of the source simulator: stand-ins for data.go.kr, OpenDART, finlife, Yahoo's chart,
 * the KRX data portal and Open API, and Alpha Vantage, which the project's real clients talk to
 * unchanged (only base URL and key differ; config/simulator-endpoints.ts), plus /__sim control
 * endpoints for tests and benchmarks.
 *
 * Every API request goes the same way: the source's key (or session) check → DART's maintenance
 * stop → the per-source, per-key limits (quota.ts) → the first matching fault rule → the normal
 * answer. Stats count each step per source.
 *
 * `npm run simulator` reads: SIM_PORT (8787), SIM_HOST (127.0.0.1), SIM_DATAGOKR_KEY
 * (sim-datagokr-key), SIM_PUBLISH_TIME_KST (15:45), SIM_LATENCY_MS, SIM_RPS, SIM_FAULTS (a FaultPlan
 * as JSON; SIM_LATENCY_MS / SIM_RPS override its fields), SIM_LIMITS (LimitsBySource as JSON) and
 * SIM_NOW (a fixed ISO instant, for demos).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { kstDate, type IsoDate } from '../../calendar/trading-calendar';
import { logger } from '../../config/logger';
import { alphaVantageHandler } from './alphavantage';
import {
  DART_MOUNT,
  SIMULATOR_ALPHAVANTAGE_KEY,
  SIMULATOR_DART_KEY,
  SIMULATOR_DATAGOKR_KEY,
  SIMULATOR_FINLIFE_KEY,
  SIMULATOR_KRX_LOGIN,
  SIMULATOR_KRX_OPENAPI_KEY,
} from '../../config/simulator-endpoints';
import { dartHandler } from './dart';
import { DATAGOKR_PREFIX, STOCK_PRICE_PATH, StockPriceService } from './datagokr';
import { datagokrHandler } from './datagokr-source';
import type { SimResponse } from './envelopes';
import {
  FaultInjector,
  FaultPlanError,
  SOURCES,
  applyFault,
  parseFaultPlan,
  type FaultOutcome,
  type FaultPlan,
  type SourceName,
} from './faults';
import { finlifeHandler } from './finlife';
import { krxDataHandler, krxOpenApiHandler } from './krx';
import { SourceLimiter, type LimitsBySource } from './quota';
import { NOT_FOUND, json, type SimRequest, type SourceHandler } from './source';
import { yahooHandler } from './yahoo';

export type { FaultPlan, FaultRule, FaultKind, SourceName } from './faults';
export type { LimitsBySource, SourceLimits } from './quota';

export const DEFAULT_DATAGOKR_KEY = SIMULATOR_DATAGOKR_KEY;
export const DEFAULT_PORT = 8787;

export interface SimulatorOptions {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  datagokrKey?: string;
  /** Keys accepted besides each source's default (config/simulator-endpoints.ts); limits count per key. */
  extraKeys?: Partial<Record<SourceName, string[]>>;
  /** Per-second rates and daily counts per source and key; none by default. */
  limits?: LimitsBySource;
  /** 'HH:MM' in KST on basDt after which that day's data is served. */
  publishTimeKst?: string;
  /** The simulated wall clock (ms since epoch): publication, DART's maintenance window, the quota day, "today" everywhere. */
  now?: () => number;
  /** DART's 01:00–02:00 KST stop on `now`; default on. */
  dartMaintenance?: boolean;
  faults?: FaultPlan;
}

export interface SourceStats {
  requests: number;
  byStatus: Record<string, number>;
  faultsServed: number;
  /** Requests that arrived faster than the source's configured rps (quota.ts says exactly how it is counted); 0 without an rps. */
  rate_violations: number;
  /** Answered with the source's rate answer because of the rps limit (rate_violations minus those only counted). */
  rateRefused: number;
  /** Answered with the source's quota answer because the key's daily count was spent. */
  dailyRefused: number;
}

export interface Stats {
  /** Requests to the API paths of every source; control endpoints are not counted. */
  requests: number;
  /** By HTTP status, e.g. { "200": 12, "401": 1 }. */
  byStatus: Record<string, number>;
  /** data.go.kr requests by basDt exactly as sent (YYYYMMDD). */
  byDate: Record<string, number>;
  /** Answers shaped by a fault rule or by the data.go.kr token bucket. */
  faultsServed: number;
  /** The same, by fault kind ('rps' for the token bucket). */
  faultsByKind: Record<string, number>;
  /** Sum of bySource[*].rate_violations. */
  rate_violations: number;
  bySource: Record<SourceName, SourceStats>;
}

export interface Simulator {
  url: string;
  port: number;
  setFaults(plan: FaultPlan): void;
  faults(): FaultPlan;
  stats(): Stats;
  /** Clears the fault plan (back to no faults at all), every counter and every quota used. */
  reset(): void;
  close(): Promise<void>;
}

const DEFAULT_KEYS: Record<SourceName, string | undefined> = {
  datagokr: SIMULATOR_DATAGOKR_KEY,
  dart: SIMULATOR_DART_KEY,
  finlife: SIMULATOR_FINLIFE_KEY,
  yahoo: undefined,
  krxData: undefined,
  krxOpenApi: SIMULATOR_KRX_OPENAPI_KEY,
  alphaVantage: SIMULATOR_ALPHAVANTAGE_KEY,
};

function parseHhmm(text: string): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(text);
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) throw new Error(`publish time must be HH:MM, got ${JSON.stringify(text)}`);
  return Number(m[1]) * 60 + Number(m[2]);
}

function emptySourceStats(): SourceStats {
  return { requests: 0, byStatus: {}, faultsServed: 0, rate_violations: 0, rateRefused: 0, dailyRefused: 0 };
}

function emptyStats(): Stats {
  const bySource = Object.fromEntries(SOURCES.map((s) => [s, emptySourceStats()])) as Record<SourceName, SourceStats>;
  return { requests: 0, byStatus: {}, byDate: {}, faultsServed: 0, faultsByKind: {}, rate_violations: 0, bySource };
}

function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

function readBody(req: IncomingMessage, limit = 1 << 20): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) reject(new Error('body too large'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function safeJson(text: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Which source a path belongs to, and the path below its mount point. */
function mountOf(path: string): { source: SourceName; sub: string } | undefined {
  if (path.startsWith(DATAGOKR_PREFIX)) return { source: 'datagokr', sub: path };
  if (path.startsWith(DART_MOUNT)) return { source: 'dart', sub: path.slice(DART_MOUNT.length) };
  if (path.startsWith('/finlifeapi/')) return { source: 'finlife', sub: path.slice('/finlifeapi/'.length) };
  if (path.startsWith('/v8/finance/chart/')) return { source: 'yahoo', sub: path.slice('/v8/finance/chart/'.length) };
  if (path.startsWith('/comm/bldAttendant/') || path.startsWith('/contents/MDC/')) return { source: 'krxData', sub: path };
  if (path.startsWith('/svc/apis/')) return { source: 'krxOpenApi', sub: path.slice('/svc/apis/'.length) };
  if (path === '/query') return { source: 'alphaVantage', sub: path };
  return undefined;
}

export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const now = opts.now ?? Date.now;
  const injector = new FaultInjector(opts.faults ?? {});
  const service = new StockPriceService({ publishMinuteKst: parseHhmm(opts.publishTimeKst ?? '15:45'), now });
  service.setClosedDates(injector.closedDates);
  // The first cold date costs several times a warm one (JIT, per-issue constants); pay it before listening.
  service.day('2024-01-05');
  let stats = emptyStats();
  const pending = new Set<NodeJS.Timeout>();

  const keys = (source: SourceName): ReadonlySet<string> => {
    const own = source === 'datagokr' ? (opts.datagokrKey ?? DEFAULT_KEYS.datagokr) : DEFAULT_KEYS[source];
    return new Set([...(own ? [own] : []), ...(opts.extraKeys?.[source] ?? [])]);
  };
  const newLimiters = () =>
    Object.fromEntries(SOURCES.map((s) => [s, new SourceLimiter(opts.limits?.[s] ?? {}, now)])) as Record<SourceName, SourceLimiter>;
  let limiters = newLimiters();

  function countFault(kind: string, source: SourceName): void {
    stats.faultsServed++;
    stats.bySource[source].faultsServed++;
    bump(stats.faultsByKind, kind);
  }

  const handlers: Record<SourceName, SourceHandler> = {
    datagokr: datagokrHandler({
      keys: keys('datagokr'),
      service,
      today: () => kstDate(now()),
      bucket: () => injector.admit(),
      onBucketRefusal: () => countFault('rps', 'datagokr'),
    }),
    dart: dartHandler({ keys: keys('dart'), now, maintenance: opts.dartMaintenance ?? true }),
    finlife: finlifeHandler({ keys: keys('finlife') }),
    yahoo: yahooHandler({ now }),
    krxData: krxDataHandler({ login: SIMULATOR_KRX_LOGIN, now }),
    krxOpenApi: krxOpenApiHandler({ keys: keys('krxOpenApi'), now }),
    alphaVantage: alphaVantageHandler({ keys: keys('alphaVantage'), now }),
  };

  function serve(source: SourceName, req: SimRequest): FaultOutcome {
    const handler = handlers[source];
    const admission = handler.admit(req);
    if ('refuse' in admission) return { response: admission.refuse, delayMs: 0 };
    const preempted = handler.preempt?.(req);
    if (preempted) return { response: preempted, delayMs: 0 };
    const answers = handler.answers(req);
    const verdict = limiters[source].admit(admission.key);
    if (verdict === 'rate') return { response: answers.tps(), delayMs: 0 };
    if (verdict === 'daily') return { response: answers.quota(), delayMs: 0 };
    const date: IsoDate | undefined = handler.date?.(req);
    const rule = injector.pick(date, source, req.url.pathname);
    if (!rule) return { response: answers.normal(), delayMs: 0 };
    countFault(rule.kind, source);
    return applyFault(rule, answers);
  }

  async function api(req: IncomingMessage, url: URL, mount: { source: SourceName; sub: string }): Promise<FaultOutcome> {
    const method = req.method ?? 'GET';
    const params = new URLSearchParams(url.searchParams);
    if (method === 'POST') {
      const body = await readBody(req);
      // Form fields (the KRX portal) or a JSON object of strings (the KRX Open API's POST form).
      const fields = body.trimStart().startsWith('{') ? Object.entries(safeJson(body)) : new URLSearchParams(body);
      for (const [k, v] of fields) params.append(k, String(v));
    }
    stats.requests++;
    const per = stats.bySource[mount.source];
    per.requests++;
    if (mount.source === 'datagokr') {
      const basDt = url.searchParams.get('basDt');
      if (basDt) bump(stats.byDate, basDt);
    }
    const outcome = serve(mount.source, { method, url, path: mount.sub, headers: req.headers, params });
    outcome.delayMs += injector.latencyMs;
    bump(stats.byStatus, String(outcome.response.status));
    bump(per.byStatus, String(outcome.response.status));
    return outcome;
  }

  function currentStats(): Stats {
    const out = structuredClone(stats);
    out.rate_violations = 0;
    for (const s of SOURCES) {
      const c = limiters[s].counters;
      Object.assign(out.bySource[s], { rate_violations: c.rateViolations, rateRefused: c.rateRefused, dailyRefused: c.dailyRefused });
      out.rate_violations += c.rateViolations;
    }
    return out;
  }

  async function control(req: IncomingMessage, path: string): Promise<SimResponse> {
    const method = req.method ?? 'GET';
    if (path === '/__sim/faults' && method === 'GET') return json(200, injector.plan);
    if (path === '/__sim/faults' && method === 'POST') {
      try {
        setFaults(JSON.parse((await readBody(req)) || '{}'));
        return json(200, { ok: true, plan: injector.plan });
      } catch (err) {
        const message = err instanceof FaultPlanError || err instanceof SyntaxError ? err.message : String(err);
        return json(400, { ok: false, error: message });
      }
    }
    if (path === '/__sim/reset' && method === 'POST') {
      reset();
      return json(200, { ok: true });
    }
    if (path === '/__sim/stats' && method === 'GET') return json(200, currentStats());
    return json(404, { ok: false, error: `no control endpoint ${method} ${path}` });
  }

  function send(res: ServerResponse, r: SimResponse, delayMs: number): void {
    const write = (): void => {
      if (res.destroyed || res.headersSent) return;
      res.statusCode = r.status;
      for (const [name, value] of Object.entries(r.headers)) res.setHeader(name, value);
      res.end(r.body); // a single end() lets Node set Content-Length instead of chunking
    };
    if (delayMs <= 0) return write();
    // Unref'd and tracked so neither a hang fault nor latency keeps the process alive after close().
    const timer = setTimeout(() => {
      pending.delete(timer);
      write();
    }, delayMs);
    timer.unref();
    pending.add(timer);
    res.on('close', () => {
      clearTimeout(timer);
      pending.delete(timer);
    });
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const url = new URL(req.url ?? '/', 'http://simulator');
    const path = url.pathname;
    const mount = mountOf(path);
    let outcome: FaultOutcome;
    if (path === '/healthz') outcome = { response: json(200, { ok: true }), delayMs: 0 };
    else if (path.startsWith('/__sim/')) outcome = { response: await control(req, path), delayMs: 0 };
    else if (mount) outcome = await api(req, url, mount);
    else outcome = { response: NOT_FOUND, delayMs: 0 };
    send(res, outcome.response, outcome.delayMs);
    if (logger.isLevelEnabled('debug')) {
      logger.debug(
        { path, source: mount?.source, status: outcome.response.status, delayMs: outcome.delayMs, ms: performance.now() - started },
        'simulator request',
      );
    }
  }

  function setFaults(plan: FaultPlan): void {
    injector.setPlan(parseFaultPlan(plan));
    service.setClosedDates(injector.closedDates);
  }

  function reset(): void {
    setFaults({});
    stats = emptyStats();
    limiters = newLimiters();
  }

  const server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      logger.error({ err }, 'simulator request failed');
      if (!res.headersSent) send(res, json(500, { ok: false, error: 'simulator bug' }), 0);
    });
  });
  server.on('clientError', (_err, socket) => socket.destroy());

  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${port}`,
    port,
    setFaults,
    faults: () => injector.plan,
    stats: currentStats,
    reset,
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const timer of pending) clearTimeout(timer);
        pending.clear();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function envNumber(name: string): number | undefined {
  const text = process.env[name];
  if (text === undefined || text === '') return undefined;
  const n = Number(text);
  if (!Number.isFinite(n)) throw new Error(`${name} must be a number, got ${JSON.stringify(text)}`);
  return n;
}

async function main(): Promise<void> {
  const env = process.env;
  const plan: FaultPlan = env.SIM_FAULTS ? parseFaultPlan(JSON.parse(env.SIM_FAULTS)) : {};
  const latencyMs = envNumber('SIM_LATENCY_MS');
  const rps = envNumber('SIM_RPS');
  if (latencyMs !== undefined) plan.latencyMs = latencyMs;
  if (rps !== undefined) plan.rps = rps;
  const limits = env.SIM_LIMITS ? (JSON.parse(env.SIM_LIMITS) as LimitsBySource) : undefined;
  let now: (() => number) | undefined;
  if (env.SIM_NOW) {
    const fixed = Date.parse(env.SIM_NOW);
    if (Number.isNaN(fixed)) throw new Error(`SIM_NOW must be an ISO instant, got ${JSON.stringify(env.SIM_NOW)}`);
    now = () => fixed;
  }
  const publishTimeKst = env.SIM_PUBLISH_TIME_KST || '15:45';
  const sim = await startSimulator({
    port: envNumber('SIM_PORT') ?? DEFAULT_PORT,
    host: env.SIM_HOST || undefined,
    datagokrKey: env.SIM_DATAGOKR_KEY || undefined,
    publishTimeKst,
    now,
    faults: plan,
    limits,
  });
  logger.info(
    { url: sim.url, stockPriceUrl: `${sim.url}${STOCK_PRICE_PATH}`, publishTimeKst, fixedNow: env.SIM_NOW, faults: plan },
    'source simulator listening',
  );
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'source simulator stopping');
    sim.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'simulator did not close cleanly');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

if (require.main === module) {
  main().catch((err: unknown) => {
    logger.error({ err }, 'simulator failed to start');
    process.exit(1);
  });
}
