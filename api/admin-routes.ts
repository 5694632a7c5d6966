/**
 * Seed 001 Phase 3's operator interfaces, as routes for the jobs API server (api/jobs-api.ts,
 * `extraRoutes`):
 *   GET  /admin                      the operations page ("수집 스케줄" tab; no data, served without the token)
 *   GET  /admin/app.js               its script
 *   GET  /admin/collection-logs      data_collection_log, newest first: chain, status, from/to (KST dates), limit, cursor
 *   GET  /admin/schedules            a status card per catalog schedule: last run, next fire (KST), pause, open alerts
 *   GET  /admin/alerts               open ops_alert rows
 *   POST /admin/alerts/{id}/ack      acknowledge one (client/alerts.ts ackAlert)
 * Every data route needs `Authorization: Bearer <token>`; the page keeps the token in sessionStorage.
 */
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { OperatorDateError, parseOperatorDate } from '../calendar/operator-date';
import { addDays, type IsoDate, kstDate, KST_OFFSET_MS, kstLabel, parseIsoDate } from '../calendar/trading-calendar';
import { ackAlert } from '../client/alerts';
import { scheduleStatus } from '../client/ops';
import type { AppConfig } from '../config/env';
import { type AlertRow, openAlerts } from '../db/alerts-queries';
import type { Db } from '../db/database';
import type { StepStatus } from '../db/schema';
import { catalog, type CatalogSettings, type ScheduleEntry } from '../schedules/catalog';
import { CHAINS, isChainName } from '../shared/chains';
import { bearerAuth, HttpError, type Reply, type Route } from './http';

export interface AdminDeps {
  db: Db;
  /** A client of the collection namespace (the chains' schedules and runs). */
  client: Client;
  cfg: CatalogSettings & Pick<AppConfig, 'TEMPORAL_UI_URL'>;
  now: () => number;
  /** Base of the links to runs; default cfg.TEMPORAL_UI_URL. */
  temporalUiUrl?: string;
  /** The schedules shown; default the collection catalog, catalog(cfg). */
  schedules?: ScheduleEntry[];
  /** The bearer token of the data routes (the jobs API's). */
  token: string;
}

const STEP_STATUSES: readonly StepStatus[] = ['running', 'succeeded', 'failed', 'skipped'];
const LOG_LIMIT_DEFAULT = 50;
const LOG_LIMIT_MAX = 500;
/** Open alerts read per request: far more than an operator works through at once. */
const OPEN_ALERTS_MAX = 500;
const ASSETS = path.join(__dirname, 'admin');

const PAGE_HEADERS = {
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
};

export function adminRoutes(deps: AdminDeps): Route[] {
  const ui = (deps.temporalUiUrl ?? deps.cfg.TEMPORAL_UI_URL).replace(/\/+$/, '');
  const namespace = deps.client.options.namespace;
  const entries = deps.schedules ?? catalog(deps.cfg);
  const runUrl = (workflowId: string, runId?: string | null) =>
    `${ui}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}${runId ? `/${encodeURIComponent(runId)}` : ''}`;
  const auth = bearerAuth(deps.token, 'compass-admin');
  // The page's two files are read once, when the routes are built, not on every request.
  const asset = (file: string, type: string): Reply => ({
    status: 200,
    body: fs.readFileSync(path.join(ASSETS, file), 'utf8'),
    headers: { ...PAGE_HEADERS, 'content-type': `${type}; charset=utf-8` },
  });
  const html = asset('index.html', 'text/html');
  const script = asset('app.js', 'text/javascript');

  const page: Route = async (req, url) => {
    if (url.pathname !== '/admin' && url.pathname !== '/admin/' && url.pathname !== '/admin/app.js') return undefined;
    allow(req, 'GET');
    return url.pathname === '/admin/app.js' ? script : html;
  };

  const data: Route = async (req, url) => {
    const p = url.pathname.replace(/\/+$/, '');
    const ack = /^\/admin\/alerts\/([^/]+)\/ack$/.exec(p);
    if (!ack && !['/admin/collection-logs', '/admin/schedules', '/admin/alerts'].includes(p)) return undefined;
    auth(req);
    if (ack) {
      allow(req, 'POST');
      return acknowledge(deps.db, ack[1]!);
    }
    allow(req, 'GET');
    if (p === '/admin/collection-logs') return { status: 200, body: await collectionLogs(deps, url, runUrl) };
    const alerts = await openAlerts(deps.db, OPEN_ALERTS_MAX);
    if (p === '/admin/alerts') return { status: 200, body: { alerts: alerts.map((a) => alertJson(a, entries, runUrl)) } };
    const cards = await Promise.all(entries.map((e) => scheduleCard(deps.client, e, alerts, runUrl)));
    const now = deps.now();
    return { status: 200, body: { generated_at: new Date(now).toISOString(), generated_at_kst: kstLabel(now), temporal_ui_url: ui, namespace, schedules: cards } };
  };

  return [page, data];
}

function allow(req: http.IncomingMessage, method: 'GET' | 'POST'): void {
  if (req.method !== method && !(method === 'GET' && req.method === 'HEAD')) {
    throw new HttpError(405, 'method not allowed', `${req.method} is not allowed here; use ${method}`, { headers: { allow: method === 'GET' ? 'GET, HEAD' : method } });
  }
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);
const kst = (d: Date | null | undefined) => (d ? kstLabel(d) : null);

/** The run a schedule's slot really does: chainSlot entries run their chain's workflow as a child. */
function runWorkflowType(e: ScheduleEntry): string {
  return e.workflowType === 'chainSlot' && isChainName(e.chain) ? CHAINS[e.chain].workflowType : e.workflowType;
}

/**
 * Whether an alert is about a schedule's chain: raised by one of its runs (chain run ids and
 * schedule-started ids begin with the chain or schedule id), or a watchdog verdict on the schedule.
 */
function alertConcerns(a: AlertRow, e: ScheduleEntry): boolean {
  const prefixes = [e.chain, e.id];
  if (a.workflowId && prefixes.some((p) => a.workflowId === p || a.workflowId!.startsWith(`${p}-`) || a.workflowId!.startsWith(`${p}/`))) return true;
  return a.source === 'watchdog' && (a.title.includes(`] ${e.id} ·`) || a.title.endsWith(`] ${e.id}`));
}

function alertJson(a: AlertRow, entries: ScheduleEntry[], runUrl: (id: string) => string) {
  return {
    id: a.id,
    alert_type: a.alertType,
    severity: a.severity,
    title: a.title,
    message: a.message,
    source: a.source,
    workflow_id: a.workflowId,
    repeat_count: a.repeatCount,
    created_at: iso(a.createdAt),
    created_at_kst: kst(a.createdAt),
    last_seen_at: iso(a.lastSeenAt),
    last_seen_at_kst: kst(a.lastSeenAt),
    chain: entries.find((e) => alertConcerns(a, e))?.chain ?? null,
    temporal_ui_url: a.workflowId ? runUrl(a.workflowId) : null,
  };
}

async function scheduleCard(client: Client, e: ScheduleEntry, alerts: AlertRow[], runUrl: (id: string, runId?: string) => string) {
  const s = await scheduleStatus(client, e.id, runWorkflowType(e));
  const mine = alerts.filter((a) => alertConcerns(a, e));
  const newest = mine[0];
  const run = s.lastRun;
  return {
    id: e.id,
    chain: e.chain,
    description: e.description,
    registered: s.schedule === e.id,
    paused: s.paused,
    note: s.note ?? null,
    next_fire: iso(s.nextFire),
    next_fire_kst: s.nextFire ? kstLabel(s.nextFire, 'minute') : null,
    last_run: run
      ? {
          workflow_id: run.workflowId,
          run_id: run.runId,
          status: run.status,
          started_at: iso(run.startedAt),
          started_at_kst: kst(run.startedAt),
          closed_at: iso(run.closedAt),
          closed_at_kst: kst(run.closedAt),
          seconds: run.seconds ?? null,
          temporal_ui_url: runUrl(run.workflowId, run.runId),
        }
      : null,
    alerts: {
      open: mine.length,
      newest: newest ? { id: newest.id, severity: newest.severity, title: newest.title, created_at: iso(newest.createdAt), created_at_kst: kst(newest.createdAt) } : null,
    },
  };
}

async function acknowledge(db: Db, idText: string): Promise<Reply> {
  if (!/^[1-9]\d{0,17}$/.test(idText)) throw new HttpError(400, 'invalid alert id', `alert id must be a positive integer, got ${JSON.stringify(idText)}`);
  const id = Number(idText);
  const outcome = await ackAlert(db, id);
  if (outcome === 'not-found') throw new HttpError(404, 'not found', `no alert #${id}`);
  return { status: 200, body: { id, outcome } };
}

interface LogQuery {
  chain?: string;
  statuses?: StepStatus[];
  from?: IsoDate;
  to?: IsoDate;
  limit: number;
  cursor?: string;
}

/** The query string of /admin/collection-logs, checked; any bad value is a 400 naming it. */
export function logQuery(url: URL, today: IsoDate): LogQuery {
  const q = url.searchParams;
  const date = (name: 'from' | 'to'): IsoDate | undefined => {
    const v = q.get(name);
    if (v === null || v === '') return undefined;
    try {
      return parseOperatorDate(v, { today, zone: 'KST' });
    } catch (err) {
      if (err instanceof OperatorDateError) throw new HttpError(400, 'invalid date', `${name}: ${err.message}`);
      throw err;
    }
  };
  const out: LogQuery = { limit: LOG_LIMIT_DEFAULT, from: date('from'), to: date('to') };
  if (out.from && out.to && out.from > out.to) throw new HttpError(400, 'invalid date', `from (${out.from}) is after to (${out.to})`);
  const limit = q.get('limit');
  if (limit !== null && limit !== '') {
    if (!/^\d+$/.test(limit) || Number(limit) < 1 || Number(limit) > LOG_LIMIT_MAX) {
      throw new HttpError(400, 'invalid limit', `limit must be a whole number from 1 to ${LOG_LIMIT_MAX}, got ${JSON.stringify(limit)}`);
    }
    out.limit = Number(limit);
  }
  const chain = q.get('chain');
  if (chain) out.chain = chain;
  const status = q.get('status');
  if (status) {
    const list = status.split(',').map((s) => s.trim()).filter(Boolean);
    const bad = list.filter((s) => !STEP_STATUSES.includes(s as StepStatus));
    if (bad.length) throw new HttpError(400, 'invalid status', `status must be one or more of ${STEP_STATUSES.join(', ')} (comma-separated), got ${JSON.stringify(bad.join(','))}`);
    out.statuses = list as StepStatus[];
  }
  const cursor = q.get('cursor');
  if (cursor !== null && cursor !== '') {
    if (!/^[1-9]\d{0,17}$/.test(cursor)) throw new HttpError(400, 'invalid cursor', `cursor must be the "next" value of a previous page, got ${JSON.stringify(cursor)}`);
    out.cursor = cursor;
  }
  return out;
}

/** Midnight of a Korean calendar date, as an instant. */
const kstMidnight = (d: IsoDate) => new Date(parseIsoDate(d) - KST_OFFSET_MS);

/**
 * Newest first by id; `next` is the id to continue below. Ids only grow, so rows that arrive
 * while an operator pages are above the first page and never shift the pages after it.
 */
async function collectionLogs(deps: AdminDeps, url: URL, runUrl: (id: string, runId?: string) => string) {
  const f = logQuery(url, kstDate(deps.now()));
  let q = deps.db.selectFrom('data_collection_log').selectAll().orderBy('id', 'desc').limit(f.limit + 1);
  if (f.chain) q = q.where('chain', '=', f.chain);
  if (f.statuses) q = q.where('status', 'in', f.statuses);
  if (f.from) q = q.where('started_at', '>=', kstMidnight(f.from));
  if (f.to) q = q.where('started_at', '<', kstMidnight(addDays(f.to, 1)));
  if (f.cursor) q = q.where('id', '<', f.cursor);
  const rows = await q.execute();
  const page = rows.slice(0, f.limit);
  return {
    rows: page.map((r) => ({
      id: Number(r.id),
      workflow_id: r.workflow_id,
      run_id: r.run_id,
      chain: r.chain,
      step: r.step,
      trading_date: r.trading_date,
      status: r.status,
      attempt: r.attempt,
      started_at: iso(r.started_at),
      started_at_kst: kst(r.started_at),
      finished_at: iso(r.finished_at),
      finished_at_kst: kst(r.finished_at),
      seconds: r.finished_at ? (r.finished_at.getTime() - r.started_at.getTime()) / 1000 : null,
      rows_in: r.rows_in,
      rows_written: r.rows_written,
      error: r.error,
      details: r.details ?? null,
      // Steps run outside a workflow (activity tests, scripts) log under 'standalone': no run to link to.
      temporal_ui_url: r.workflow_id === 'standalone' ? null : runUrl(r.workflow_id, r.run_id),
    })),
    next: rows.length > f.limit ? String(page[page.length - 1]!.id) : null,
    limit: f.limit,
    filters: { chain: f.chain ?? null, status: f.statuses ?? null, from: f.from ?? null, to: f.to ?? null, cursor: f.cursor ?? null },
  };
}
