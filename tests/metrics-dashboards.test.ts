/**
 * The workers' Prometheus metrics and the Grafana dashboards built on them (dashboards/*.json), on real parts:
 * the collection worker's activities run in a real activity Context with the worker's own interceptors
 * (collectionActivityInterceptors), their clients talk HTTP to the simulator, rows land in a scratch
 * database, and /metrics is scraped over HTTP from the same server workers/main.ts starts. The jobs side runs
 * one real job on the test server's mock-scope workers and scrapes the jobs worker's /metrics.
 *
 * Then every metric name in every dashboard query must be a series one of the two endpoints exports.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { sql } from 'kysely';
import { closeActivityDeps } from '../activities/deps';
import { createActivities } from '../activities/index';
import { addDays, tradingDayOnOrBefore } from '../calendar/trading-calendar';
import { quotaUsageToday } from '../db/source-budget';
import { applyJobs, runNow } from '../jobs/operations';
import { startSimulator, type Simulator } from '../dev/simulator/server';
import { stepKind, withCollectionMetrics } from '../workers/collection-metrics';
import { collectionActivityInterceptors } from '../workers/collection-worker';
import { startMetricsServer } from '../workers/job-metrics';
import { type MetricsServer, serveMetrics } from '../workers/metrics-server';
import { TEST_TODAY, testClock } from './helpers/clock';
import { jobEntry, type JobScopeHarness, jobScopeHarness, uniqueJobId } from './helpers/jobs';
import { type ScratchDb, scratchDatabase, testDeps } from './helpers/services';

const DASHBOARDS = path.resolve(__dirname, '..', 'dashboards');
const FAST = { KRX_OPENAPI_RPS: '200', DATAGOKR_RPS: '1000' };

let sim: Simulator;
let scratch: ScratchDb;
let deps: ReturnType<typeof withCollectionMetrics>;
let acts: ReturnType<typeof createActivities>;
let server: MetricsServer;
let jobs: JobScopeHarness | undefined;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, now: testClock });
  scratch = await scratchDatabase('metrics');
  deps = withCollectionMetrics(testDeps({ DATABASE_URL: scratch.url, SIMULATOR_URL: sim.url, DATA_SCOPE: 'mock', ...FAST }));
  acts = createActivities(deps);
  // What workers/main.ts serves on COLLECTION_METRICS_PORT.
  server = await serveMetrics(deps.metrics.registry, { port: 0 });
});

afterAll(async () => {
  await jobs?.close();
  await server?.close();
  if (deps) await closeActivityDeps(deps);
  await scratch?.drop();
  await sim?.close();
});

afterEach(() => sim.reset());

/** One activity attempt in a real activity Context, through the collection worker's interceptors. */
function runActivity<A, R>(activityType: keyof typeof acts, input: A): Promise<R> {
  const env = new MockActivityEnvironment(
    { activityType, workflowExecution: { workflowId: `metrics-${activityType}`, runId: randomUUID() } },
    { interceptors: collectionActivityInterceptors(deps), logger: new DefaultLogger('ERROR') },
  );
  return env.run(acts[activityType] as (input: A) => Promise<R>, input) as Promise<R>;
}

const latest = tradingDayOnOrBefore(TEST_TODAY);
const dayBefore = tradingDayOnOrBefore(addDays(latest, -1));
const twoDaysBefore = tradingDayOnOrBefore(addDays(dayBefore, -1));

const loadPrices = (date: string) =>
  runActivity<unknown, { written: number; rows: number }>('loadPriceBatch', { chain: 'daily-collection', dates: [date], target: date });
const loadListing = () => runActivity<unknown, { rows: number }>('loadStockListing', { chain: 'weekly-refresh' });

async function failureOf(p: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

// ---------------------------------------------------------------------------------------------- scrapes

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text answer (comments left out). */
function samples(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(\{.*\})?\s+(\S+)$/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[k!] = v!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

async function scrape(url: string): Promise<Sample[]> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  return samples(await res.text());
}

/** The sum of the samples of `name` whose labels include `labels` (0 when there is none). */
function value(all: Sample[], name: string, labels: Record<string, string> = {}): number {
  return all.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((n, s) => n + s.value, 0);
}

const collectionScrape = () => scrape(server.url);

async function stepRowsWritten(chain: string, stepLike: string): Promise<number> {
  const r = await sql<{ n: string | null }>`SELECT sum(rows_written)::text AS n FROM data_collection_log WHERE chain = ${chain} AND step LIKE ${stepLike}`.execute(scratch.db);
  return Number(r.rows[0]!.n ?? 0);
}

// ---------------------------------------------------------------------------------------------- collection

describe('collection worker metrics', () => {
  it('names a step by its kind: no dates, years, corp codes or tickers', () => {
    expect(stepKind('prices 2026-12-01..2026-12-04')).toBe('prices');
    expect(stepKind('dart-financials 2025/11011 00126380..00164779')).toBe('dart-financials');
    expect(stepKind('corporate-actions 2026-07-01..2026-09-30 00126380+19')).toBe('corporate-actions');
    expect(stepKind('finlife deposit')).toBe('finlife deposit');
    expect(stepKind('stock-listing')).toBe('stock-listing');
  });

  it('a price batch and a listing load count rows per chain and step, requests, latency, quota use and activity times', async () => {
    const before = await collectionScrape();
    const prices = await loadPrices(latest);
    expect(prices.written).toBeGreaterThan(2800);
    const listing = await loadListing();
    expect(listing.rows).toBeGreaterThan(2800);
    const openApiRequests = sim.stats().bySource.krxOpenApi.requests;
    const datagokrRequests = sim.stats().bySource.datagokr.requests;
    expect(datagokrRequests).toBeGreaterThan(0);
    expect(openApiRequests).toBeGreaterThan(0);
    const after = await collectionScrape();
    const delta = (name: string, labels: Record<string, string>) => value(after, name, labels) - value(before, name, labels);

    // Rows: exactly what the step log recorded, under the step's kind.
    expect(delta('collection_rows_written_total', { chain: 'daily-collection', step: 'prices' })).toBe(prices.written);
    expect(await stepRowsWritten('daily-collection', 'prices %')).toBe(prices.written);
    const listingRows = await stepRowsWritten('weekly-refresh', 'stock-listing');
    expect(listingRows).toBeGreaterThan(2800);
    expect(delta('collection_rows_written_total', { chain: 'weekly-refresh', step: 'stock-listing' })).toBe(listingRows);

    // Requests: every request the simulator served, by status, and their latencies.
    expect(delta('source_requests_total', { source: 'krx-openapi', status: '200' })).toBe(openApiRequests);
    expect(delta('source_request_duration_seconds_count', { source: 'krx-openapi' })).toBe(openApiRequests);
    expect(delta('source_request_duration_seconds_sum', { source: 'krx-openapi' })).toBeGreaterThan(0);
    expect(after.filter((s) => s.name === 'source_requests_total' && s.labels.source === 'krx-openapi').map((s) => s.labels.endpoint).sort())
      .toEqual(expect.arrayContaining(['stk_bydd_trd', 'ksq_bydd_trd']));
    expect(delta('source_requests_total', { source: 'datagokr', endpoint: 'getStockPriceInfo', status: '200' })).toBe(datagokrRequests);

    // Quotas: today's counts (on the deps' pinned clock), as `npm run ops -- quotas` shows them.
    const quotas = await quotaUsageToday(scratch.db, testClock);
    expect(quotas.map((q) => q.quotaKey)).toEqual(expect.arrayContaining(['datagokr:getStockPriceInfo', 'krx-openapi']));
    for (const q of quotas) {
      expect(value(after, 'source_quota_used', { quota_key: q.quotaKey })).toBe(q.used);
      expect(value(after, 'source_quota_limit', { quota_key: q.quotaKey })).toBe(q.dailyLimit);
    }
    expect(value(after, 'source_quota_limit', { quota_key: 'datagokr:getStockPriceInfo' })).toBe(deps.cfg.DATAGOKR_DAILY_QUOTA);

    // Activities: one succeeded attempt each, timed.
    expect(delta('activity_duration_seconds_count', { activity: 'loadPriceBatch', status: 'succeeded' })).toBe(1);
    expect(delta('activity_duration_seconds_count', { activity: 'loadStockListing', status: 'succeeded' })).toBe(1);
    expect(delta('activity_duration_seconds_sum', { activity: 'loadPriceBatch' })).toBeGreaterThan(0);
  });

  it('injected simulator faults count source failures by class and code, the failed attempts, and requests by status', async () => {
    const before = await collectionScrape();
    sim.setFaults({ rules: [{ source: 'datagokr', kind: 'http500' }] });
    const retryable = await failureOf(loadPrices(dayBefore));
    expect(retryable.type).toBe('SourceRetryable');
    sim.setFaults({ rules: [{ source: 'datagokr', kind: 'auth' }] });
    const refused = await failureOf(loadPrices(twoDaysBefore));
    expect(refused.type).toBe('SourceNonRetryable');
    sim.setFaults({ rules: [{ source: 'krxOpenApi', kind: 'http500' }] });
    expect((await failureOf(loadListing())).type).toBe('SourceRetryable');
    const openApi500s = sim.stats().bySource.krxOpenApi.requests;
    const after = await collectionScrape();
    const delta = (name: string, labels: Record<string, string>) => value(after, name, labels) - value(before, name, labels);

    expect(delta('source_failures_total', { source: 'datagokr', class: 'retryable', code: 'HTTP500' })).toBe(1);
    expect(delta('source_failures_total', { source: 'datagokr', class: 'non-retryable' })).toBe(1);
    expect(delta('source_failures_total', { source: 'krx-openapi', class: 'retryable', code: 'HTTP500' })).toBe(1);
    expect(delta('source_failures_total', {})).toBe(3);
    expect(delta('source_requests_total', { source: 'krx-openapi', status: '500' })).toBe(openApi500s);
    expect(delta('activity_duration_seconds_count', { activity: 'loadPriceBatch', status: 'failed' })).toBe(2);
    expect(delta('activity_duration_seconds_count', { activity: 'loadStockListing', status: 'failed' })).toBe(1);
    expect(delta('collection_rows_written_total', {})).toBe(0);
  });

  it('keeps label values bounded: no dates, tickers or corp codes', async () => {
    const all = await collectionScrape();
    expect(all.length).toBeGreaterThan(0);
    for (const s of all) {
      for (const [k, v] of Object.entries(s.labels)) {
        if (k === 'le') continue;
        expect(`${s.name}{${k}="${v}"}`).not.toMatch(/\d{4}-\d{2}-\d{2}|="\d{6,8}"/);
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------- dashboards

interface Target {
  expr?: string;
}
interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type?: string; uid?: string };
  targets?: Target[];
  gridPos?: { h: number; w: number; x: number; y: number };
  panels?: Panel[];
}
interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: Array<{ name: string; type: string; query: unknown }> };
}

const dashboardFiles = fs.readdirSync(DASHBOARDS).filter((f) => f.endsWith('.json')).sort();
const loadDashboard = (file: string) => JSON.parse(fs.readFileSync(path.join(DASHBOARDS, file), 'utf8')) as Dashboard;
const allPanels = (d: Dashboard) => d.panels.flatMap((p) => [p, ...(p.panels ?? [])]);

/** PromQL words that look like metric names but are not: keywords, and `inf`/`nan`. */
const PROMQL_WORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset', 'atan2', 'inf', 'nan']);

/**
 * The metric names a PromQL expression reads: identifiers outside strings, label matchers, durations and
 * by/without/on/ignoring label lists, not called as functions or aggregations, and not keywords.
 */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\$\{?\w+\}?/g, ' ');
  const names = [...bare.matchAll(/(?<![\w.:$])[a-zA-Z_:][\w:]*(?![\w:])(?!\s*\()/g)].map((m) => m[0]).filter((w) => !PROMQL_WORDS.has(w.toLowerCase()));
  return [...new Set(names)];
}

/** The metric names a Grafana query variable reads: label_values(metric, label) or {__name__=~"a|b"}. */
function variableMetricNames(query: unknown): string[] {
  const q = typeof query === 'string' ? query : ((query as { query?: string } | null)?.query ?? '');
  const named = /__name__=~?"([^"]+)"/.exec(q)?.[1]?.split('|') ?? [];
  const first = /label_values\(\s*([a-zA-Z_:][\w:]*)\s*,/.exec(q)?.[1];
  return [...named, ...(first ? [first] : [])];
}

function balanced(expr: string): boolean {
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  const stack: string[] = [];
  for (const c of expr.replace(/"(?:[^"\\]|\\.)*"/g, '""')) {
    if ('([{'.includes(c)) stack.push(c);
    else if (c in pairs && stack.pop() !== pairs[c]) return false;
  }
  return stack.length === 0;
}

describe('Grafana dashboards (dashboards/*.json)', () => {
  it('reads metric names out of PromQL', () => {
    expect(metricNames('histogram_quantile(0.95, sum by (le, job_id) (rate(job_duration_seconds_bucket{status!="skipped", x=~"a|b"}[$window])))')).toEqual(['job_duration_seconds_bucket']);
    expect(metricNames('max by (quota_key) (source_quota_used) / max by (quota_key) (source_quota_limit) > 0')).toEqual(['source_quota_used', 'source_quota_limit']);
    expect(metricNames('sum(increase(a_total[1h] offset 1d)) / on(job) group_left(x) b_total * 1e3')).toEqual(['a_total', 'b_total']);
  });

  it('are valid dashboards: Prometheus panels on the ${datasource} variable, with queries', () => {
    expect(dashboardFiles).toEqual(['collection.json', 'jobs.json']);
    const uids = new Set<string>();
    for (const file of dashboardFiles) {
      const d = loadDashboard(file);
      expect(d.uid).toBeTruthy();
      expect(uids.has(d.uid)).toBe(false);
      uids.add(d.uid);
      expect(d.schemaVersion).toBeGreaterThanOrEqual(36);
      expect(d.templating.list).toContainEqual(expect.objectContaining({ name: 'datasource', type: 'datasource', query: 'prometheus' }));
      const panels = allPanels(d);
      const queried = panels.filter((p) => p.type !== 'row');
      expect(queried.length).toBeGreaterThanOrEqual(6);
      expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
      for (const p of queried) {
        expect({ file, panel: p.title, datasource: p.datasource }).toEqual({ file, panel: p.title, datasource: { type: 'prometheus', uid: '${datasource}' } });
        expect(p.targets?.length).toBeGreaterThan(0);
        for (const t of p.targets!) {
          expect(t.expr).toBeTruthy();
          expect({ panel: p.title, expr: t.expr, balanced: balanced(t.expr!) }).toMatchObject({ balanced: true });
          expect({ panel: p.title, expr: t.expr, names: metricNames(t.expr!).length > 0 }).toMatchObject({ names: true });
        }
        expect(p.gridPos!.x + p.gridPos!.w).toBeLessThanOrEqual(24);
      }
    }
  });

  it('query only metrics the workers export: every name is a series of the collection or the jobs /metrics', async () => {
    // Series exist once there was work: a load and a failure on the collection side (earlier tests did both
    // unless this test runs alone), one real job run on the jobs side.
    let collection = await collectionScrape();
    if (!collection.some((s) => s.name === 'source_failures_total')) {
      await loadListing();
      sim.setFaults({ rules: [{ source: 'krxOpenApi', kind: 'http500' }] });
      await failureOf(loadListing());
      collection = await collectionScrape();
    }
    jobs = await jobScopeHarness('mock', scratch, { simulatorUrl: sim.url, services: ['buy-scanner'] });
    const e = jobEntry('mock', uniqueJobId('buy-scanner'), 'buy-scanner', { default_params: { tickers: ['005930'] } });
    await applyJobs(jobs.client, [e], 'mock');
    expect(await (await runNow(jobs.client, e.job_id)).result()).toMatchObject({ status: 'succeeded' });
    const jobsServer = await startMetricsServer(jobs.metrics, 0);
    const jobsSamples = await scrape(jobsServer.url).finally(() => jobsServer.close());

    const exported = new Set([...collection, ...jobsSamples].map((s) => s.name));
    const used = new Map<string, string[]>();
    for (const file of dashboardFiles) {
      const d = loadDashboard(file);
      const names = [
        ...allPanels(d).flatMap((p) => (p.targets ?? []).flatMap((t) => metricNames(t.expr ?? ''))),
        ...d.templating.list.flatMap((v) => (v.type === 'query' ? variableMetricNames(v.query) : [])),
      ];
      used.set(file, [...new Set(names)].sort());
    }
    expect(used.get('jobs.json')).toEqual(['job_duration_seconds_bucket', 'job_duration_seconds_count', 'job_duration_seconds_sum', 'job_runs_total']);
    expect(used.get('collection.json')).toEqual([
      'activity_duration_seconds_bucket', 'activity_duration_seconds_count', 'activity_duration_seconds_sum', 'collection_rows_written_total',
      'source_failures_total', 'source_quota_limit', 'source_quota_used', 'source_request_duration_seconds_bucket', 'source_requests_total',
    ]);
    const missing = [...used].flatMap(([file, names]) => names.filter((n) => !exported.has(n)).map((n) => `${file}: ${n}`));
    expect(missing).toEqual([]);
  });
});
