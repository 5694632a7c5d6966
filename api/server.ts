/**
 * The report API of seed 004 (node:http, no framework):
 *   GET  /api/report/counterparty-risk[?date=YYYY-MM-DD]          cache first; else generate and wait; else the last success, stale
 *   POST /api/report/counterparty-risk/recompute?date=YYYY-MM-DD  start, or join, that date's workflow
 *   GET  /api/report/counterparty-risk/status                     status.json
 * Every request needs `Authorization: Bearer <API_TOKEN>`. The server reads the report files
 * from CACHE_DIR, so it must see the same directory as the worker.
 */
import type { IncomingMessage } from 'node:http';
import type { Client } from '@temporalio/client';
import { OperatorDateError, parseOperatorDate } from '../calendar/operator-date';
import { dateInZone } from '../calendar/time-zone';
import { startOrJoinReport } from '../client/counterparty-risk';
import type { AppConfig } from '../config/env';
import { logger as rootLogger, type Logger } from '../config/logger';
import { readCachedReport } from '../reports/counterparty-risk/cache';
import type { CounterpartyRiskReport, ReportMeta } from '../reports/counterparty-risk/report';
import { readStatus } from '../reports/counterparty-risk/status';
import { type Clock, systemClock } from '../shared/clock';
import { type TaskQueueSettings, taskQueuesOf } from '../shared/task-queues';
import { bearerAuth, HttpError, type JsonServer, type Reply, startJsonServer } from './http';

export type ApiConfig = Pick<AppConfig, 'CACHE_DIR' | 'TZ' | 'API_HOST' | 'API_PORT' | 'API_GENERATE_WAIT_SEC'> & TaskQueueSettings;

export interface ApiServerOptions {
  cfg: ApiConfig;
  client: Client;
  token: string;
  logger?: Logger;
  /** Which day "today" is (no date given, and the future-date check); default the system clock. */
  now?: Clock;
}

export type ApiServer = JsonServer;

const BASE = '/api/report/counterparty-risk';

export async function startApiServer(o: ApiServerOptions): Promise<ApiServer> {
  const authorize = bearerAuth(o.token, 'compass-report');
  return startJsonServer({
    name: 'report API',
    host: o.cfg.API_HOST,
    port: o.cfg.API_PORT,
    logger: (o.logger ?? rootLogger).child({ component: 'report-api' }),
    handle: (req, url) => handle(o, authorize, req, url),
    // Generation can take minutes (DB stability retries); do not let Node cut the request short.
    requestTimeoutMs: 0,
  });
}

async function handle(o: ApiServerOptions, authorize: ReturnType<typeof bearerAuth>, req: IncomingMessage, url: URL): Promise<Reply> {
  if (!url.pathname.startsWith(BASE)) throw new HttpError(404, 'not found', `no such endpoint: ${url.pathname}`);
  authorize(req);
  const route = `${req.method} ${url.pathname.replace(/\/+$/, '')}`;
  switch (route) {
    case `GET ${BASE}`:
      return serveReport(o, reportDate(url, o.cfg.TZ, new Date((o.now ?? systemClock)())));
    case `POST ${BASE}/recompute`:
      return recompute(o, reportDate(url, o.cfg.TZ, new Date((o.now ?? systemClock)())), ['1', 'true'].includes(url.searchParams.get('wait') ?? ''));
    case `GET ${BASE}/status`:
      return { status: 200, body: await readStatus(o.cfg.CACHE_DIR) };
  }
  if ([BASE, `${BASE}/recompute`, `${BASE}/status`].includes(url.pathname.replace(/\/+$/, ''))) {
    throw new HttpError(405, 'method not allowed', `${req.method} is not allowed on ${url.pathname}`);
  }
  throw new HttpError(404, 'not found', `no such endpoint: ${url.pathname}`);
}

/** `?date=`, checked: a real calendar date, not after today in TZ. Absent: today in TZ. */
export function reportDate(url: URL, tz: string, now = new Date()): string {
  const today = dateInZone(now, tz);
  const date = url.searchParams.get('date');
  if (date === null) return today;
  try {
    return parseOperatorDate(date, { today, zone: tz });
  } catch (err) {
    if (!(err instanceof OperatorDateError)) throw err;
    throw err.kind === 'future'
      ? new HttpError(400, 'date in the future', `${err.message}; a report can only be made for today or earlier`)
      : new HttpError(400, 'invalid date', err.message);
  }
}

function withMeta(report: CounterpartyRiskReport, extra: Partial<ReportMeta>): CounterpartyRiskReport {
  return { ...report, meta: { ...report.meta, ...extra } };
}

async function serveReport(o: ApiServerOptions, asOf: string): Promise<Reply> {
  const cached = await readCachedReport(o.cfg.CACHE_DIR, asOf);
  if (cached) return { status: 200, body: withMeta(cached, { is_stale: false, served_from: 'cache' }) };

  let reason: string;
  let workflowId: string | undefined;
  try {
    const run = await startOrJoinReport(o.client, { asOf, trigger: 'api', taskQueues: taskQueuesOf(o.cfg) });
    workflowId = run.workflowId;
    const outcome = await waitFor(run.handle.result(), o.cfg.API_GENERATE_WAIT_SEC * 1000);
    if (outcome === 'timeout') {
      reason = `the report for ${asOf} is still being generated (workflow ${run.workflowId}) after ${o.cfg.API_GENERATE_WAIT_SEC} s`;
    } else {
      const fresh = await readCachedReport(o.cfg.CACHE_DIR, asOf);
      if (fresh) return { status: 200, body: withMeta(fresh, { is_stale: false, served_from: 'generated' }) };
      reason = `workflow ${run.workflowId} finished (${outcome.result}) but ${asOf}'s cache file cannot be read here`;
    }
  } catch (err) {
    reason = `generating the report for ${asOf} failed: ${failureMessage(err)}`;
  }

  const { last_success } = await readStatus(o.cfg.CACHE_DIR);
  const stale = last_success ? await readCachedReport(o.cfg.CACHE_DIR, last_success.as_of) : null;
  if (stale) return { status: 200, body: withMeta(stale, { is_stale: true, served_from: 'last_success', stale_reason: reason }) };
  throw new HttpError(503, 'no report available', `${reason}; and there is no earlier successful report to serve${workflowId ? ` (workflow ${workflowId})` : ''}`);
}

async function recompute(o: ApiServerOptions, asOf: string, wait: boolean): Promise<Reply> {
  let run;
  try {
    run = await startOrJoinReport(o.client, { asOf, trigger: 'api', taskQueues: taskQueuesOf(o.cfg) });
  } catch (err) {
    throw new HttpError(503, 'could not start the report', failureMessage(err));
  }
  const accepted = { as_of: asOf, workflow_id: run.workflowId, run_id: run.runId, joined: run.joined, status: `${BASE}/status` };
  if (!wait) return { status: 202, body: accepted };
  try {
    const outcome = await waitFor(run.handle.result(), o.cfg.API_GENERATE_WAIT_SEC * 1000);
    if (outcome === 'timeout') return { status: 202, body: { ...accepted, detail: `still running after ${o.cfg.API_GENERATE_WAIT_SEC} s` } };
    return { status: 200, body: { ...accepted, result: outcome } };
  } catch (err) {
    // The run failed and recorded why in status.json; the old cache is kept.
    return { status: 200, body: { ...accepted, result: { result: 'FAILED', msg: failureMessage(err) }, last_run: (await readStatus(o.cfg.CACHE_DIR)).last_run } };
  }
}

async function waitFor<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** The innermost message of a Temporal failure chain (workflow → activity → application failure). */
function failureMessage(err: unknown): string {
  let e = err as { message?: string; cause?: unknown } | undefined;
  while (e && typeof e === 'object' && e.cause && typeof e.cause === 'object') e = e.cause as typeof e;
  return e?.message ?? String(err);
}
