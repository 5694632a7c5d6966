/**
 * The counterparty-risk report (seed 004) end to end on real parts: the Temporal dev server, a
 * worker, real files (a SalesMap SQLite DB, report_cache/, report_work/), the report API over
 * HTTP, and a local LLM server that succeeds, fails or times out (the only stand-in).
 *
 * The cases run in order and share the cache directory, as a deployment would: later cases
 * rely on the reports earlier ones made (the "old cache" that failures must keep).
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Client, WorkflowExecutionAlreadyStartedError, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Worker } from '@temporalio/worker';
import { closeActivityDeps, type ActivityDeps } from '../activities/deps';
import { type ApiServer, startApiServer } from '../api/server';
import { dateInZone } from '../calendar/time-zone';
import { addDays } from '../calendar/trading-calendar';
import { loadSqlJs } from '../reports/counterparty-risk/aggregate';
import { buildDemoSalesmapDb } from '../dev/salesmap-demo/demo-db';
import type { CounterpartyRiskReport } from '../reports/counterparty-risk/report';
import type { ReportStatus } from '../reports/counterparty-risk/status';
import { loadConfig } from '../config/env';
import { catalog, type CatalogSettings, counterpartyRiskSchedule, DEFAULT_CATALOG_SETTINGS } from '../schedules/catalog';
import { applyCatalog, planChanges } from '../schedules/manage';
import { CatalogError, validateCatalog } from '../schedules/validate';
import { counterpartyReportWorkflowId, type ReportRunSettings } from '../shared/counterparty-risk';
import { counterpartyRiskReport } from '../workflows';
import { createCollectionWorker } from '../workers/collection-worker';
import { connectTestClient, connectTestWorkerConnection, pgAdminUrl, testDeps, workflowBundle } from './helpers/services';
import { type LlmServer, startLlmServer } from './helpers/llm-server';
import { eventually } from './helpers/eventually';
import { clearOfMidnight, TEST_TODAY, testClock } from './helpers/clock';
import { systemClock } from '../shared/clock';

const TZ = 'Asia/Seoul';
const LLM_KEY = 'sk-test-0123456789-do-not-leak';
const TOKEN = 'test-token-0123456789abcdef';
const DEMO_DAY = '2026-01-10';
const taskQueue = `cpr-test-${randomUUID()}`;
const suffix = randomUUID().slice(0, 6);

let root: string;
let dbPath: string;
let cacheDir: string;
let workDir: string;
let llm: LlmServer;
let client: Client;
let deps: ActivityDeps;
let worker: Worker;
let running: Promise<void>;
let api: ApiServer;
const schedules: string[] = [];

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'cpr-test-'));
  dbPath = path.join(root, 'salesmap', 'salesmap.db');
  cacheDir = path.join(root, 'report_cache');
  workDir = path.join(root, 'report_work');
  fs.mkdirSync(path.dirname(dbPath), { recursive: true });
  fs.writeFileSync(dbPath, await buildDemoSalesmapDb({ today: DEMO_DAY }));
  ageDb(3600);
  llm = await startLlmServer();
  client = await connectTestClient();
  deps = testDeps({
    // The report touches neither PostgreSQL nor the price source; the worker's other activities need the settings.
    DATABASE_URL: pgAdminUrl(), SIMULATOR_URL: 'http://127.0.0.1:9',
    SALESMAP_DB_PATH: dbPath, CACHE_DIR: cacheDir, WORK_DIR: workDir, TZ,
    // Short versions of the seed's 180 s / 10 checks / 30 s, for runs that take the worker's settings (schedule, API).
    DB_STABLE_WINDOW_SEC: '1', DB_RETRY: '2', DB_RETRY_INTERVAL_SEC: '1',
    LLM_BASE_URL: llm.url, LLM_API_KEY: LLM_KEY, LLM_MODEL: 'test-model', LLM_TIMEOUT_SEC: '1',
  });
  worker = await createCollectionWorker({
    connection: await connectTestWorkerConnection(), namespace: 'default', taskQueue, deps, workflowBundle: await workflowBundle(),
  });
  running = worker.run();
  api = await startApiServer({
    cfg: { ...deps.cfg, TEMPORAL_TASK_QUEUE_REPORTS: taskQueue, API_HOST: '127.0.0.1', API_PORT: 0, API_GENERATE_WAIT_SEC: 60 },
    client,
    token: TOKEN,
    now: testClock,
  });
});

afterAll(async () => {
  for (const id of schedules) await client.schedule.getHandle(id).delete().catch(() => undefined);
  await api?.close();
  worker?.shutdown();
  await running;
  await closeActivityDeps(deps);
  await client?.connection.close();
  await llm?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

beforeEach(() => {
  llm.mode = 'ok';
  llm.requests.length = 0;
});

/** Sets the source DB's mtime `seconds` ago (negative: in the future), as a replacement of the file would. */
function ageDb(seconds: number): void {
  const t = new Date(Date.now() - seconds * 1000);
  fs.utimesSync(dbPath, t, t);
}

/** The API's today: its clock is pinned (helpers/clock.ts). */
const today = () => TEST_TODAY;
const cacheFileOf = (asOf: string) => path.join(cacheDir, `${asOf.replace(/-/g, '')}.json`);
const readJson = <T>(file: string): T => JSON.parse(fs.readFileSync(file, 'utf8')) as T;
const status = () => readJson<ReportStatus>(path.join(cacheDir, 'status.json'));
const dbSignature = () => {
  const st = fs.statSync(dbPath);
  return `${Math.trunc(st.mtimeMs)}-${st.size}`;
};

function runReport(asOf: string, settings?: Partial<ReportRunSettings>) {
  return client.workflow.start(counterpartyRiskReport, {
    taskQueue, workflowId: counterpartyReportWorkflowId(asOf), args: [{ asOf, trigger: 'manual', settings }],
  });
}

/** The ApplicationFailure a failed report workflow ended with (its type is the status.json code). */
async function failureOf(p: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(WorkflowFailedError);
  const cause = (err as WorkflowFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return cause as ApplicationFailure;
}

async function call(method: string, pathAndQuery: string, token: string | null = TOKEN, on: ApiServer = api): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(`${on.url}${pathAndQuery}`, { method, headers: token === null ? {} : { authorization: `Bearer ${token}` } });
  return { status: res.status, body: await res.json(), headers: res.headers };
}

describe('counterparty-risk report workflow', () => {
  it('makes the report: stable DB, snapshot, SQLite aggregation, LLM advice, atomic cache, status.json', async () => {
    const handle = await runReport('2026-01-05');
    const result = await handle.result();
    expect(result).toMatchObject({ result: 'SUCCESS', code: null, asOf: '2026-01-05', dbSignature: dbSignature() });

    const report = readJson<CounterpartyRiskReport>(cacheFileOf('2026-01-05'));
    expect(report.meta).toMatchObject({ as_of: '2026-01-05', result: 'SUCCESS', db_signature: dbSignature(), workflow_id: 'counterparty-risk-report-20260105' });
    expect(report.meta.llm).toEqual({ source: 'llm', model: 'test-model', error: null });
    expect(report.counterparties.length).toBeGreaterThan(5);
    expect(report.counterparties[0]!.risk_score).toBeGreaterThanOrEqual(report.counterparties[1]!.risk_score);
    expect(report.counterparties.every((c) => c.advice_source === 'llm' && c.evidence[0]!.startsWith('[LLM]'))).toBe(true);
    expect(report.summary.by_level.HIGH + report.summary.by_level.MEDIUM + report.summary.by_level.LOW).toBe(report.summary.organizations);

    // report_work/salesmap_snapshot_<as_of>_<HHMMSS>.db, a real SQLite copy of the source.
    expect(report.meta.snapshot).toMatch(/^salesmap_snapshot_2026-01-05_\d{6}\.db$/);
    const SQL = await loadSqlJs();
    const snap = new SQL.Database(fs.readFileSync(path.join(workDir, report.meta.snapshot)));
    expect(snap.exec('SELECT COUNT(*) FROM organizations')[0]!.values[0]![0]).toBe(40);
    snap.close();

    const s = status();
    expect(s.last_run).toMatchObject({ result: 'SUCCESS', code: null, as_of: '2026-01-05', db_signature: dbSignature(), trigger: 'manual' });
    expect(s.last_success).toMatchObject({ as_of: '2026-01-05', db_signature: dbSignature(), generated_at: report.meta.generated_at });
    expect(fs.readdirSync(cacheDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    // The key reached the LLM in its header, and nowhere else: not the history, not the files.
    expect(llm.requests[0]!.authorization).toBe(`Bearer ${LLM_KEY}`);
    expect(JSON.stringify(await handle.fetchHistory())).not.toContain(LLM_KEY);
    for (const dir of [cacheDir, workDir]) {
      for (const f of fs.readdirSync(dir).filter((n) => !n.endsWith('.db'))) expect(fs.readFileSync(path.join(dir, f), 'utf8')).not.toContain(LLM_KEY);
    }
  });

  it.each([
    ['http500', '2026-01-06', /HTTP 500/],
    ['timeout', '2026-01-07', /timed out after 1000 ms/],
    ['badjson', '2026-01-08', /not the expected JSON/],
  ] as const)('an LLM failure (%s) gives rule-based evidence and SUCCESS_WITH_FALLBACK', async (mode, asOf, error) => {
    llm.mode = mode;
    const result = await (await runReport(asOf)).result();
    expect(result).toMatchObject({ result: 'SUCCESS_WITH_FALLBACK', code: 'LLM_FALLBACK' });
    expect(result.msg).toMatch(error);
    const report = readJson<CounterpartyRiskReport>(cacheFileOf(asOf));
    expect(report.meta.result).toBe('SUCCESS_WITH_FALLBACK');
    expect(report.meta.llm.source).toBe('fallback');
    expect(report.meta.llm.error).toMatch(error);
    for (const c of report.counterparties) {
      expect(c.advice_source).toBe('fallback');
      expect(c.evidence.length).toBeGreaterThan(0);
      expect(c.actions.length).toBeGreaterThan(0);
    }
    expect(status().last_run).toMatchObject({ result: 'SUCCESS_WITH_FALLBACK', code: 'LLM_FALLBACK', as_of: asOf });
    expect(status().last_success?.as_of).toBe(asOf);
    expect(llm.requests).toHaveLength(1);
  });

  it('an unstable DB fails after DB_RETRY checks with DB_UNSTABLE_OR_UPDATING, keeping the old cache', async () => {
    const before = fs.readFileSync(cacheFileOf('2026-01-05'));
    const successBefore = status().last_success;
    ageDb(0); // just replaced
    try {
      const handle = await runReport('2026-01-05', { stableWindowSec: 600, dbRetry: 3, dbRetryIntervalSec: 1 });
      const failure = await failureOf(handle.result());
      expect(failure.type).toBe('DB_UNSTABLE_OR_UPDATING');
      expect(failure.message).toMatch(/not stable after 3 checks 1 s apart.*stable after 600 s unchanged/);
      const attempts = (await handle.fetchHistory()).events!.flatMap((e) => (e.activityTaskStartedEventAttributes ? [e.activityTaskStartedEventAttributes.attempt ?? 1] : []));
      expect(Math.max(...attempts)).toBe(3);
    } finally {
      ageDb(3600);
    }
    expect(fs.readFileSync(cacheFileOf('2026-01-05'))).toEqual(before);
    expect(status().last_run).toMatchObject({ result: 'FAILED', code: 'DB_UNSTABLE_OR_UPDATING', as_of: '2026-01-05' });
    expect(status().last_success).toEqual(successBefore);
    expect(fs.readdirSync(workDir).filter((f) => f.endsWith('.partial'))).toEqual([]);
  });

  it('a cache write failure records CACHE_WRITE_FAILED and keeps the old cache intact', async () => {
    const before = fs.readFileSync(cacheFileOf('2026-01-05'));
    const successBefore = status().last_success;
    // A directory where the temp file must go: open() fails with EISDIR, a failure no retry can fix.
    const blocker = path.join(cacheDir, '.20260105.json.tmp');
    fs.mkdirSync(blocker);
    try {
      const handle = await runReport('2026-01-05');
      const failure = await failureOf(handle.result());
      expect(failure.type).toBe('CACHE_WRITE_FAILED');
      expect(failure.message).toMatch(/EISDIR.*the previous file is kept/);
      const writeAttempts = (await handle.fetchHistory()).events!.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'writeCounterpartyCache');
      expect(writeAttempts).toHaveLength(1);
    } finally {
      fs.rmdirSync(blocker);
    }
    expect(fs.readFileSync(cacheFileOf('2026-01-05'))).toEqual(before);
    expect(readJson<CounterpartyRiskReport>(cacheFileOf('2026-01-05')).meta.as_of).toBe('2026-01-05');
    expect(status().last_run).toMatchObject({ result: 'FAILED', code: 'CACHE_WRITE_FAILED', as_of: '2026-01-05' });
    expect(status().last_success).toEqual(successBefore);
  });

  it('a crash between the temp file and the rename leaves the old cache intact and served', async () => {
    const target = cacheFileOf('2026-01-05');
    const before = fs.readFileSync(target, 'utf8');
    const crashed = spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, 'fixtures', 'crash-mid-write.ts'), target, '{"half": "a new report'], {
      cwd: path.resolve(__dirname, '..'), encoding: 'utf8',
    });
    expect(crashed.signal).toBe('SIGKILL');
    const temp = crashed.stdout.trim();
    expect(fs.readFileSync(temp, 'utf8')).toBe('{"half": "a new report'); // the new content got as far as the temp file
    expect(fs.readFileSync(target, 'utf8')).toBe(before);
    const served = await call('GET', '/api/report/counterparty-risk?date=2026-01-05');
    expect(served.status).toBe(200);
    expect(served.body.meta).toMatchObject({ as_of: '2026-01-05', is_stale: false, served_from: 'cache', generated_at: JSON.parse(before).meta.generated_at });
    // The next run of that date writes over the leftover temp file and replaces the cache.
    await (await runReport('2026-01-05')).result();
    expect(fs.existsSync(temp)).toBe(false);
    expect(readJson<CounterpartyRiskReport>(target).meta.generated_at).not.toBe(JSON.parse(before).meta.generated_at);
  });

  it('retention deletes cache, jsonl and snapshot files older than CACHE_RETENTION_DAYS, never the last success', async () => {
    const old = new Date(Date.now() - 20 * 86_400_000);
    const files = {
      oldCache: path.join(cacheDir, '20251201.json'),
      oldJsonl: path.join(cacheDir, 'runs-20251201.jsonl'),
      oldWorkJsonl: path.join(workDir, 'llm_2025-12-01_080000.jsonl'),
      oldSnapshot: path.join(workDir, 'salesmap_snapshot_2025-12-01_080000.db'),
      oldOther: path.join(cacheDir, 'README.txt'),
      youngSnapshot: path.join(workDir, 'salesmap_snapshot_2025-12-30_080000.db'),
    };
    for (const [name, f] of Object.entries(files)) {
      fs.writeFileSync(f, 'x');
      if (name.startsWith('old')) fs.utimesSync(f, old, old);
    }
    const lastSuccess = cacheFileOf(status().last_success!.as_of);
    fs.utimesSync(lastSuccess, old, old);

    // A run for an earlier date: it applies retention and leaves last_success where it is.
    const result = await (await runReport('2026-01-02', { retentionDays: 14 })).result();
    expect(result.result).toBe('SUCCESS');
    for (const f of [files.oldCache, files.oldJsonl, files.oldWorkJsonl, files.oldSnapshot]) expect(fs.existsSync(f)).toBe(false);
    for (const f of [files.oldOther, files.youngSnapshot, lastSuccess, cacheFileOf('2026-01-02'), path.join(cacheDir, 'status.json')]) expect(fs.existsSync(f)).toBe(true);
    expect(status().last_success!.as_of).toBe('2026-01-08');
  });
});

describe('report API', () => {
  it('refuses requests without the bearer token (401)', async () => {
    for (const [method, p] of [['GET', '/api/report/counterparty-risk'], ['POST', '/api/report/counterparty-risk/recompute?date=2026-01-05'], ['GET', '/api/report/counterparty-risk/status']]) {
      const none = await call(method!, p!, null);
      expect(none.status).toBe(401);
      expect(none.body.error).toBe('unauthorized');
      expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect((await call(method!, p!, 'wrong-token-0123456789')).status).toBe(401);
    }
  });

  it('answers bad input with a 4xx and a clear JSON message', async () => {
    const tomorrow = addDays(today(), 1);
    for (const [method, p, status, message] of [
      ['GET', '/api/report/counterparty-risk?date=2026-13-45', 400, /calendar date written YYYY-MM-DD, got "2026-13-45"/],
      ['POST', '/api/report/counterparty-risk/recompute?date=20260105', 400, /YYYY-MM-DD/],
      ['POST', `/api/report/counterparty-risk/recompute?date=${tomorrow}`, 400, new RegExp(`${tomorrow} is after today`)],
      ['GET', `/api/report/counterparty-risk?date=${tomorrow}`, 400, /in the future|after today/],
      ['DELETE', '/api/report/counterparty-risk', 405, /DELETE is not allowed/],
      ['GET', '/api/report/counterparty-risk/nope', 404, /no such endpoint/],
    ] as const) {
      const r = await call(method, p);
      expect(r.status).toBe(status);
      expect(r.headers.get('content-type')).toMatch(/application\/json/);
      expect(`${r.body.error}: ${r.body.detail}`).toMatch(message);
    }
  });

  it('GET /status returns status.json', async () => {
    const r = await call('GET', '/api/report/counterparty-risk/status');
    expect(r.status).toBe(200);
    expect(r.body).toEqual(status());
  });

  it('with no cache and a failed generation, serves the last success with meta.is_stale=true', async () => {
    expect(fs.existsSync(cacheFileOf(today()))).toBe(false);
    const lastSuccess = status().last_success!;
    ageDb(-3600); // modified "in an hour": unstable for every check of the worker's 2
    try {
      const r = await call('GET', '/api/report/counterparty-risk');
      expect(r.status).toBe(200);
      expect(r.body.meta).toMatchObject({ as_of: lastSuccess.as_of, is_stale: true, served_from: 'last_success' });
      expect(r.body.meta.stale_reason).toMatch(new RegExp(`generating the report for ${today()} failed: .*not stable`));
      expect(status().last_run).toMatchObject({ result: 'FAILED', code: 'DB_UNSTABLE_OR_UPDATING', as_of: today(), trigger: 'api' });
      expect(fs.existsSync(cacheFileOf(today()))).toBe(false);

      // Nothing to fall back on: 503, with the reason.
      const empty = fs.mkdtempSync(path.join(root, 'empty-cache-'));
      const bare = await startApiServer({ cfg: { ...deps.cfg, CACHE_DIR: empty, TEMPORAL_TASK_QUEUE_REPORTS: taskQueue, API_PORT: 0, API_GENERATE_WAIT_SEC: 60 }, client, token: TOKEN });
      try {
        const res = await fetch(`${bare.url}/api/report/counterparty-risk`, { headers: { authorization: `Bearer ${TOKEN}` } });
        expect(res.status).toBe(503);
        expect(((await res.json()) as { detail: string }).detail).toMatch(/not stable.*no earlier successful report/);
      } finally {
        await bare.close();
      }
    } finally {
      ageDb(3600);
    }
  });

  it('with no cache, GET generates today\'s report, waits for it and serves it; then serves it from the cache', async () => {
    const generated = await call('GET', '/api/report/counterparty-risk');
    expect(generated.status).toBe(200);
    expect(generated.body.meta).toMatchObject({ as_of: today(), is_stale: false, served_from: 'generated', result: 'SUCCESS' });
    expect(fs.existsSync(cacheFileOf(today()))).toBe(true);
    const runId = (await client.workflow.getHandle(counterpartyReportWorkflowId(today())).describe()).runId;

    const cached = await call('GET', '/api/report/counterparty-risk');
    expect(cached.body.meta).toMatchObject({ as_of: today(), is_stale: false, served_from: 'cache', generated_at: generated.body.meta.generated_at });
    expect((await client.workflow.getHandle(counterpartyReportWorkflowId(today())).describe()).runId).toBe(runId); // no new run
  });

  it('POST /recompute starts that date\'s workflow and, with wait=1, returns its result', async () => {
    const started = await call('POST', '/api/report/counterparty-risk/recompute?date=2026-01-09');
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ as_of: '2026-01-09', workflow_id: 'counterparty-risk-report-20260109', joined: false });
    await client.workflow.getHandle(started.body.workflow_id, started.body.run_id).result();
    expect(status().last_run).toMatchObject({ as_of: '2026-01-09', result: 'SUCCESS', trigger: 'api' });

    const waited = await call('POST', '/api/report/counterparty-risk/recompute?date=2026-01-09&wait=1');
    expect(waited.status).toBe(200);
    expect(waited.body).toMatchObject({ joined: false, result: { result: 'SUCCESS', asOf: '2026-01-09' } });
    expect(waited.body.run_id).not.toBe(started.body.run_id); // a finished date is made anew
  });
});

describe('the per-date lock (seed: .counterparty_risk.lock)', () => {
  it('a second start for a running date joins it (API) or is refused, and a scheduled run is SKIPPED_LOCKED', async () => {
    // A schedule firing takes its date from the Temporal server's clock, so here the API must use the real one too.
    await clearOfMidnight(TZ);
    const date = dateInZone(new Date(), TZ);
    const realTimeApi = await startApiServer({ cfg: { ...deps.cfg, TEMPORAL_TASK_QUEUE_REPORTS: taskQueue, API_PORT: 0, API_GENERATE_WAIT_SEC: 60 }, client, token: TOKEN, now: systemClock });
    fs.rmSync(cacheFileOf(date), { force: true });
    const entry = { ...counterpartyRiskSchedule({ REPORT_CRON: '0 8 * * *', TZ, ENABLE_SCHEDULER: true }), id: `t-cpr-${suffix}` };
    schedules.push(entry.id);
    await applyCatalog(client, [entry], { taskQueue, scope: 'mock' });

    ageDb(0);
    const holder = await runReport(date, { stableWindowSec: 3600, dbRetry: 1000, dbRetryIntervalSec: 1 });
    try {
      await eventually(async () => {
        const d = await holder.describe();
        return (d.raw.pendingActivities?.[0]?.attempt ?? 0) >= 2 ? true : undefined;
      }, 'the holder to wait for the DB', 30_000);

      // Refused: the default conflict policy.
      await expect(client.workflow.start(counterpartyRiskReport, {
        taskQueue, workflowId: counterpartyReportWorkflowId(date), args: [{ asOf: date }], workflowIdConflictPolicy: 'FAIL',
      })).rejects.toBeInstanceOf(WorkflowExecutionAlreadyStartedError);

      // Joined: the API's recompute.
      const joined = await call('POST', `/api/report/counterparty-risk/recompute?date=${date}`, TOKEN, realTimeApi);
      expect(joined.status).toBe(202);
      expect(joined.body).toMatchObject({ joined: true, run_id: holder.firstExecutionRunId });

      // Skipped: a schedule firing for the same date records SKIPPED_LOCKED and ends.
      await client.schedule.getHandle(entry.id).trigger();
      const skipped = await eventually(() => (status().last_run?.result === 'SKIPPED_LOCKED' ? status().last_run! : undefined), 'SKIPPED_LOCKED in status.json', 30_000);
      expect(skipped).toMatchObject({ code: 'SKIPPED_LOCKED', as_of: date, trigger: 'schedule' });
      expect(skipped.msg).toMatch(new RegExp(`${counterpartyReportWorkflowId(date)} is already running`));
      const action = await eventually(async () => (await client.schedule.getHandle(entry.id).describe()).info.recentActions[0]?.action, 'the scheduled run', 30_000);
      const parent = await client.workflow.getHandle(action.workflow.workflowId).result();
      expect(parent).toMatchObject({ result: 'SKIPPED_LOCKED', asOf: date, reportWorkflowId: counterpartyReportWorkflowId(date) });
      expect((await holder.describe()).status.name).toBe('RUNNING');
    } finally {
      ageDb(3600); // the DB settles: the holder's next check passes
      await realTimeApi.close();
    }
    const held = await holder.result();
    expect(held).toMatchObject({ result: 'SUCCESS', asOf: date });
    expect(status().last_run).toMatchObject({ result: 'SUCCESS', as_of: date, trigger: 'manual' });
  });

  it('a scheduled run for a free date makes the report through the date\'s workflow', async () => {
    const id = `t-cpr-${suffix}`;
    const before = (await client.schedule.getHandle(id).describe()).info.recentActions.length;
    await client.schedule.getHandle(id).trigger();
    const fired = await eventually(async () => {
      const d = await client.schedule.getHandle(id).describe();
      return d.info.recentActions.length > before ? d.info.recentActions.at(-1)! : undefined;
    }, 'the scheduled run', 30_000);
    // The report's date is the firing's own (the server's clock in TZ), whatever the hour the suite runs at.
    const day = dateInZone(fired.scheduledAt, TZ);
    const result = await client.workflow.getHandle(fired.action.workflow.workflowId).result();
    expect(result).toMatchObject({ result: 'SUCCESS', asOf: day, reportWorkflowId: counterpartyReportWorkflowId(day) });
    expect(status().last_run).toMatchObject({ result: 'SUCCESS', as_of: day, trigger: 'schedule', workflow_id: counterpartyReportWorkflowId(day) });
  });
});

describe('schedule counterparty-risk-report (REPORT_CRON in TZ, ENABLE_SCHEDULER)', () => {
  const id = `t-cpr-cfg-${suffix}`;
  const entryFor = (s: Partial<CatalogSettings>) => ({ ...counterpartyRiskSchedule({ ...DEFAULT_CATALOG_SETTINGS, ...s }), id });
  const ctx = () => ({ taskQueue, scope: 'mock' as const });

  it('is in the catalog built from the configuration, with the seed\'s defaults', () => {
    const entries = catalog(loadConfig({} as NodeJS.ProcessEnv));
    const entry = entries.find((e) => e.id === 'counterparty-risk-report')!;
    expect(entry).toMatchObject({ cron: '0 8 * * *', timezone: 'Asia/Seoul', workflowType: 'counterpartyRiskReport', overlap: 'ALLOW_ALL' });
    expect(entry.disabledReason).toBeUndefined();
    expect(() => validateCatalog(entries)).not.toThrow();
    expect(catalog(loadConfig({ REPORT_CRON: '30 7 * * 1-5', TZ: 'UTC', ENABLE_SCHEDULER: '0' } as NodeJS.ProcessEnv)).find((e) => e.id === 'counterparty-risk-report'))
      .toMatchObject({ cron: '30 7 * * 1-5', timezone: 'UTC', disabledReason: expect.stringMatching(/^ENABLE_SCHEDULER=0/) });
  });

  it('rejects a bad cron expression or time zone with a clear message, before anything changes', async () => {
    expect(() => loadConfig({ REPORT_CRON: '0 25 * * *' } as NodeJS.ProcessEnv)).toThrow(/REPORT_CRON: "0 25 \* \* \*" field 2 \(hour\): "25" is out of range 0-23/);
    expect(() => loadConfig({ REPORT_CRON: '0 8 * *' } as NodeJS.ProcessEnv)).toThrow(/REPORT_CRON: "0 8 \* \*" has 4 fields; a cron expression has 5/);
    expect(() => loadConfig({ TZ: 'Mars/Olympus' } as NodeJS.ProcessEnv)).toThrow(/TZ: must be an IANA time zone/);
    await applyCatalog(client, [entryFor({ REPORT_CRON: '0 8 * * *' })], ctx());
    schedules.push(id);
    const bad = [entryFor({ REPORT_CRON: '0 8 * * MON-XYZ' }), { ...entryFor({}), timezone: 'Nowhere/City' }];
    await expect(applyCatalog(client, bad, ctx())).rejects.toThrow(CatalogError);
    await expect(applyCatalog(client, bad, ctx())).rejects.toThrow(/cron: "0 8 \* \* MON-XYZ" field 5 \(day of week\): "XYZ" is not a number or a name[\s\S]*timezone: must be an IANA time zone/);
    const d = await client.schedule.getHandle(id).describe();
    expect(d.spec.calendars![0]!.hour).toEqual([{ start: 8, end: 8, step: 1 }]); // unchanged
  });

  it('fires at REPORT_CRON in TZ: the cron string is compiled by the server, and a second apply changes nothing', async () => {
    await applyCatalog(client, [entryFor({ REPORT_CRON: '30 7 * * 1-5', TZ: 'Asia/Seoul' })], ctx());
    const d = await client.schedule.getHandle(id).describe();
    expect(d.spec.timezone).toBe('Asia/Seoul');
    expect(d.policies.overlap).toBe('ALLOW_ALL');
    expect(d.state.paused).toBe(false);
    for (const t of d.info.nextActionTimes.slice(0, 3)) {
      // 07:30 KST on a weekday is 22:30 UTC the day before (Sunday to Thursday).
      expect([t.getUTCHours(), t.getUTCMinutes()]).toEqual([22, 30]);
      expect([0, 1, 2, 3, 4]).toContain(t.getUTCDay());
    }
    expect((await planChanges(client, [entryFor({ REPORT_CRON: '30 7 * * 1-5' })], ctx()))[0]).toMatchObject({ kind: 'unchanged' });
    expect((await planChanges(client, [entryFor({ REPORT_CRON: '0 8 * * *' })], ctx()))[0]).toMatchObject({ kind: 'update', parts: ['spec'] });
  });

  it('ENABLE_SCHEDULER=0 pauses the schedule with a note saying why; manual recompute still works; =1 resumes it', async () => {
    const handle = client.schedule.getHandle(id);
    const off = entryFor({ REPORT_CRON: '30 7 * * 1-5', ENABLE_SCHEDULER: false });
    expect((await planChanges(client, [off], ctx()))[0]).toMatchObject({ kind: 'update', parts: ['state'] });
    await applyCatalog(client, [off], ctx());
    let d = await handle.describe();
    expect(d.state.paused).toBe(true);
    expect(d.state.note).toMatch(/^paused by configuration: ENABLE_SCHEDULER=0: reports are made only on demand/);
    expect((await planChanges(client, [off], ctx()))[0]).toMatchObject({ kind: 'unchanged' });

    // Manual recompute does not need the schedule.
    const r = await call('POST', '/api/report/counterparty-risk/recompute?date=2026-01-03&wait=1');
    expect(r.body).toMatchObject({ result: { result: 'SUCCESS', asOf: '2026-01-03' } });

    // Created paused when it does not exist yet.
    const fresh = { ...off, id: `${id}-new` };
    schedules.push(fresh.id);
    await applyCatalog(client, [fresh], ctx());
    expect((await client.schedule.getHandle(fresh.id).describe()).state).toMatchObject({ paused: true, note: d.state.note });

    // Enabled again: apply resumes the pause it made...
    await applyCatalog(client, [entryFor({ REPORT_CRON: '30 7 * * 1-5' })], ctx());
    d = await handle.describe();
    expect(d.state.paused).toBe(false);
    // ...but never an operator's.
    await handle.pause('paused by the operator: SalesMap migration');
    await applyCatalog(client, [entryFor({ REPORT_CRON: '0 8 * * *' })], ctx());
    d = await handle.describe();
    expect(d.state).toMatchObject({ paused: true, note: 'paused by the operator: SalesMap migration' });
  });
});
