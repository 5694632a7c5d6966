/**
 * HTTP front of the source simulator: a stand-in for apis.data.go.kr that the project's real client
 * talks to unchanged (only base URL and key differ), plus /__sim control endpoints for tests and
 * benchmarks.
 *
 * `npm run simulator` reads: SIM_PORT (8787), SIM_HOST (127.0.0.1), SIM_DATAGOKR_KEY
 * (sim-datagokr-key), SIM_PUBLISH_TIME_KST (15:45), SIM_LATENCY_MS, SIM_RPS, SIM_FAULTS (a FaultPlan
 * as JSON; SIM_LATENCY_MS / SIM_RPS override its fields) and SIM_NOW (a fixed ISO instant, for demos).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { logger } from '../config/logger';
import {
  DATAGOKR_PREFIX,
  STOCK_PRICE_PATH,
  StockPriceService,
  invalidRequest,
  parseStockPriceQuery,
  requestFormat,
} from './datagokr';
import { gatewayError, resultOnly, type SimResponse } from './envelopes';
import {
  FaultInjector,
  FaultPlanError,
  applyFault,
  normalizeDate,
  parseFaultPlan,
  type FaultOutcome,
  type FaultPlan,
} from './faults';

export type { FaultPlan, FaultRule, FaultKind } from './faults';

export const DEFAULT_DATAGOKR_KEY = 'sim-datagokr-key';
export const DEFAULT_PORT = 8787;

export interface SimulatorOptions {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  datagokrKey?: string;
  /** 'HH:MM' in KST on basDt after which that day's data is served. */
  publishTimeKst?: string;
  /** The simulated wall clock (ms since epoch); it decides what is published. */
  now?: () => number;
  faults?: FaultPlan;
}

export interface Stats {
  /** Requests to the API paths; control endpoints are not counted. */
  requests: number;
  /** By HTTP status, e.g. { "200": 12, "401": 1 }. */
  byStatus: Record<string, number>;
  /** By basDt exactly as sent (YYYYMMDD). */
  byDate: Record<string, number>;
  /** Answers shaped by a fault rule or by the rps limit. */
  faultsServed: number;
  /** The same, by fault kind ('rps' for the token bucket). */
  faultsByKind: Record<string, number>;
}

export interface Simulator {
  url: string;
  port: number;
  setFaults(plan: FaultPlan): void;
  faults(): FaultPlan;
  stats(): Stats;
  /** Clears the fault plan (back to no faults at all) and every counter. */
  reset(): void;
  close(): Promise<void>;
}

function parseHhmm(text: string): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(text);
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) throw new Error(`publish time must be HH:MM, got ${JSON.stringify(text)}`);
  return Number(m[1]) * 60 + Number(m[2]);
}

function emptyStats(): Stats {
  return { requests: 0, byStatus: {}, byDate: {}, faultsServed: 0, faultsByKind: {} };
}

function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

function jsonResponse(status: number, value: unknown): SimResponse {
  return { status, headers: { 'content-type': 'application/json;charset=UTF-8' }, body: JSON.stringify(value) };
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

export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const key = opts.datagokrKey ?? DEFAULT_DATAGOKR_KEY;
  const now = opts.now ?? Date.now;
  const injector = new FaultInjector(opts.faults ?? {});
  const service = new StockPriceService({ publishMinuteKst: parseHhmm(opts.publishTimeKst ?? '15:45'), now });
  service.setClosedDates(injector.closedDates);
  // The first cold date costs several times a warm one (JIT, per-issue constants); pay it before listening.
  service.day('2024-01-05');
  let stats = emptyStats();
  const pending = new Set<NodeJS.Timeout>();

  function countFault(kind: string): void {
    stats.faultsServed++;
    bump(stats.faultsByKind, kind);
  }

  function stockPrice(params: URLSearchParams): FaultOutcome {
    const apiKey = params.get('serviceKey');
    if (!apiKey) return { response: gatewayError(20, 401), delayMs: 0 };
    if (apiKey !== key) return { response: gatewayError(30, 401), delayMs: 0 };
    if (!injector.admit()) {
      countFault('rps');
      return { response: gatewayError(23, 200), delayMs: 0 };
    }
    const format = requestFormat(params);
    const query = parseStockPriceQuery(params);
    const normal = (): SimResponse => (query ? service.answer(query) : invalidRequest(format));
    const basDt = params.get('basDt');
    const rule = injector.pick(basDt ? normalizeDate(basDt) : undefined);
    if (!rule) return { response: normal(), delayMs: 0 };
    countFault(rule.kind);
    return applyFault(rule, {
      format,
      normal,
      closed: () => (query ? service.closedAnswer(query) : invalidRequest(format)),
    });
  }

  function api(url: URL): FaultOutcome {
    stats.requests++;
    const basDt = url.searchParams.get('basDt');
    if (basDt) bump(stats.byDate, basDt);
    // Wrong operation paths are a service error (12), not a gateway one: the key is never looked at.
    if (url.pathname !== STOCK_PRICE_PATH) {
      return { response: resultOnly('12', requestFormat(url.searchParams)), delayMs: 0 };
    }
    return stockPrice(url.searchParams);
  }

  async function control(req: IncomingMessage, path: string): Promise<SimResponse> {
    const method = req.method ?? 'GET';
    if (path === '/__sim/faults' && method === 'GET') return jsonResponse(200, injector.plan);
    if (path === '/__sim/faults' && method === 'POST') {
      try {
        setFaults(JSON.parse((await readBody(req)) || '{}'));
        return jsonResponse(200, { ok: true, plan: injector.plan });
      } catch (err) {
        const message = err instanceof FaultPlanError || err instanceof SyntaxError ? err.message : String(err);
        return jsonResponse(400, { ok: false, error: message });
      }
    }
    if (path === '/__sim/reset' && method === 'POST') {
      reset();
      return jsonResponse(200, { ok: true });
    }
    if (path === '/__sim/stats' && method === 'GET') return jsonResponse(200, stats);
    return jsonResponse(404, { ok: false, error: `no control endpoint ${method} ${path}` });
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
    let outcome: FaultOutcome;
    if (path === '/healthz') outcome = { response: jsonResponse(200, { ok: true }), delayMs: 0 };
    else if (path.startsWith('/__sim/')) outcome = { response: await control(req, path), delayMs: 0 };
    else if (path.startsWith(DATAGOKR_PREFIX)) {
      outcome = api(url);
      outcome.delayMs += injector.latencyMs;
      bump(stats.byStatus, String(outcome.response.status));
    } else outcome = { response: { status: 404, headers: { 'content-type': 'text/plain' }, body: 'Not Found' }, delayMs: 0 };
    send(res, outcome.response, outcome.delayMs);
    if (logger.isLevelEnabled('debug')) {
      logger.debug(
        { path, basDt: url.searchParams.get('basDt'), status: outcome.response.status, delayMs: outcome.delayMs, ms: performance.now() - started },
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
  }

  const server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      logger.error({ err }, 'simulator request failed');
      if (!res.headersSent) send(res, jsonResponse(500, { ok: false, error: 'simulator bug' }), 0);
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
    stats: () => structuredClone(stats),
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
  });
  logger.info(
    { url: sim.url, stockPriceUrl: `${sim.url}${STOCK_PRICE_PATH}`, publishTimeKst, fixedNow: env.SIM_NOW, faults: plan },
    'data.go.kr simulator listening',
  );
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'data.go.kr simulator stopping');
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
