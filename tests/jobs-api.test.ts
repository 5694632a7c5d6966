/**
 * The jobs REST API (seed 002 §8, api/jobs-api.ts) over HTTP, against the test Temporal server's job
 * namespaces, a scratch database, the mock scope's real job workers and a catalog file of its own:
 * the seed's own registration bodies (§10.1, §10.2) as written, PUT, pause/resume, run-now (two at
 * once: one 202, one 409), last-run reports, DELETE, the token, and bad requests that change nothing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Client, ScheduleNotFoundError } from '@temporalio/client';
import { type JobsApi, startJobsApi } from '../api/jobs-api';
import type { Reply } from '../api/http';
import type { JobScope } from '../shared/jobs';
import { startSimulator, type Simulator } from '../dev/simulator/server';
import { TEST_NOW, testClock } from './helpers/clock';
import { type JobScopeHarness, jobScopeHarness, testNamespace, uniqueJobId } from './helpers/jobs';
import { connectTestClientIn, type ScratchDb, scratchDatabase } from './helpers/services';

const TOKEN = 'jobs-api-test-token-0123456789';

/** Seed 002 §10, byte for byte: the section and the body each curl sends (the seed sends no token and no scope). */
const SEED_BODIES: Array<[section: string, body: string]> = [
  ['10.1', `{
  "job_id": "buy-scanner",
  "queue": "real.jobs.buy-scanner",
  "cron_expr": "*/5 * * * *",
  "reschedule_mode": "scheduler",
  "interval_seconds": 300,
  "description": "매수 스캔 자동 실행",
  "enabled": true
}`],
  ['10.1', `{
  "job_id": "scout-daily",
  "queue": "real.jobs.scout",
  "cron_expr": "0 8 * * 1-5",
  "reschedule_mode": "scheduler",
  "interval_seconds": 86400,
  "description": "Scout 일일 실행",
  "enabled": true
}`],
  ['10.1', `{
  "job_id": "price-monitor-start",
  "queue": "real.jobs.price-monitor",
  "cron_expr": "0 9 * * 1-5",
  "reschedule_mode": "scheduler",
  "default_params": { "action": "start" },
  "interval_seconds": 86400,
  "enabled": true
}`],
  ['10.1', `{
  "job_id": "price-monitor-stop",
  "queue": "real.jobs.price-monitor",
  "cron_expr": "30 15 * * 1-5",
  "reschedule_mode": "scheduler",
  "default_params": { "action": "stop" },
  "interval_seconds": 86400,
  "enabled": true
}`],
  ['10.1', `{
  "job_id": "news-crawler",
  "queue": "real.jobs.news-crawler",
  "cron_expr": "*/10 * * * *",
  "reschedule_mode": "scheduler",
  "interval_seconds": 600,
  "description": "뉴스 크롤링 자동 실행",
  "enabled": true
}`],
  ['10.2', `{
  "job_id": "mock-buy-scanner",
  "queue": "mock.jobs.buy-scanner",
  "cron_expr": "*/2 * * * *",
  "reschedule_mode": "scheduler",
  "interval_seconds": 120,
  "description": "Mock 매수 스캔",
  "enabled": true
}`],
  ['10.2', `{
  "job_id": "mock-scout",
  "queue": "mock.jobs.scout",
  "cron_expr": "0 * * * *",
  "reschedule_mode": "scheduler",
  "interval_seconds": 3600,
  "description": "Mock Scout",
  "enabled": true
}`],
];
const seedJobs = SEED_BODIES.map(([, body]) => JSON.parse(body) as { job_id: string; queue: string; cron_expr: string; interval_seconds: number; description?: string; default_params?: Record<string, unknown> });
const scopeOfQueue = (queue: string) => queue.split('.')[0] as JobScope;

let sim: Simulator;
let scratch: ScratchDb;
let mock: JobScopeHarness;
let real: Client;
let api: JobsApi;
let dir: string;
let catalogFile: string;
const clientFor = (scope: JobScope) => (scope === 'mock' ? mock.client : real);

/** A public page among the extra routes: served without the token, before the 404. */
const probePage = async (_req: unknown, url: URL): Promise<Reply | undefined> =>
  url.pathname === '/probe-page' ? { status: 200, body: '<p>page</p>', headers: { 'content-type': 'text/html; charset=utf-8' } } : undefined;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, now: testClock });
  scratch = await scratchDatabase('jobs_api');
  mock = await jobScopeHarness('mock', scratch, { simulatorUrl: sim.url });
  real = await connectTestClientIn(testNamespace('real'));
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jobs-api-'));
  catalogFile = path.join(dir, 'catalog.json');
  fs.writeFileSync(catalogFile, `${JSON.stringify({ $comment: 'tests/jobs-api.test.ts', jobs: [] }, null, 2)}\n`);
  // The seed's ids are fixed: make sure no earlier run left their schedules behind.
  for (const j of seedJobs) await clientFor(scopeOfQueue(j.queue)).schedule.getHandle(j.job_id).delete().catch(() => undefined);
  api = await startJobsApi({
    cfg: { JOBS_API_HOST: '127.0.0.1', JOBS_API_PORT: 0, scope: 'real' },
    clientFor, db: scratch.db, token: TOKEN, now: testClock, catalogPath: catalogFile, extraRoutes: [probePage],
  });
});

afterAll(async () => {
  await api?.close();
  // Schedules of the seed's jobs that fired during the test (real: no worker here) must not outlive it.
  for (const scope of ['real', 'mock'] as const) {
    const client = clientFor(scope);
    if (!client) continue;
    for (const j of seedJobs) await client.schedule.getHandle(j.job_id).delete().catch(() => undefined);
    for await (const w of client.workflow.list({ query: `ExecutionStatus = 'Running'` })) {
      if (seedJobs.some((j) => w.workflowId.startsWith(`job-${j.job_id}`))) await client.workflow.getHandle(w.workflowId).terminate('jobs-api test over').catch(() => undefined);
    }
  }
  await mock?.close();
  await real?.connection.close();
  await scratch?.drop();
  await sim?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  headers: Headers;
}

async function call(method: string, p: string, body?: string | object, token: string | null = TOKEN): Promise<Answer> {
  const res = await fetch(`${api.url}${p}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  const json = (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text;
  return { status: res.status, body: json, headers: res.headers };
}

const catalogBytes = () => fs.readFileSync(catalogFile);
const catalogJobs = () => (JSON.parse(fs.readFileSync(catalogFile, 'utf8')) as { jobs: Array<Record<string, unknown>> }).jobs;

async function scheduleExists(scope: JobScope, id: string): Promise<boolean> {
  try {
    await clientFor(scope).schedule.getHandle(id).describe();
    return true;
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return false;
    throw err;
  }
}

describe('jobs REST API (seed 002 §8)', () => {
  it('needs the bearer token on every /jobs request (401) and changes nothing without it', async () => {
    const before = catalogBytes();
    const none = await call('GET', '/jobs', undefined, null);
    expect(none.status).toBe(401);
    expect(none.body.error).toBe('unauthorized');
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await call('POST', '/jobs', SEED_BODIES[0]![1], 'wrong-token-0123456789')).status).toBe(401);
    expect((await call('POST', '/jobs/buy-scanner/run-now', {}, null)).status).toBe(401);
    expect((await call('GET', '/nowhere', undefined, null)).status).toBe(401);
    expect((await call('GET', '/nowhere')).status).toBe(404);
    expect(catalogBytes().equals(before)).toBe(true);
    expect(await scheduleExists('real', 'buy-scanner')).toBe(false);
  });

  it('extra routes (the operations page) answer other paths before the token check and the 404', async () => {
    const page = await call('GET', '/probe-page', undefined, null);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.body).toBe('<p>page</p>');
  });

  it.each(SEED_BODIES.map(([section, body], i) => [section, seedJobs[i]!.job_id, body] as const))(
    '§%s %s: the seed body as written → 201, GET shows it, the schedule is in its scope\'s namespace',
    async (_section, jobId, body) => {
      const seed = seedJobs.find((j) => j.job_id === jobId)!;
      const scope = scopeOfQueue(seed.queue);
      const created = await call('POST', '/jobs', body);
      expect(created.status).toBe(201);
      expect(created.headers.get('location')).toBe(`/jobs/${jobId}?scope=${scope}`);
      expect(created.body.notes).toEqual([`interval_seconds ${seed.interval_seconds} not kept: in scheduler mode cron_expr "${seed.cron_expr}" decides when the job runs`]);
      expect(created.body.changes).toEqual([{ schedule: jobId, change: 'create' }]);

      // No ?scope: the catalog has the job in one scope only.
      const shown = await call('GET', `/jobs/${jobId}`);
      expect(shown.status).toBe(200);
      expect(shown.body).toMatchObject({
        job_id: jobId, scope, namespace: testNamespace(scope), in_catalog: true, reschedule_mode: 'scheduler', cron_expr: seed.cron_expr, queue: seed.queue,
        enabled: true, max_parallel: 1, timeout_sec: 120, retry_limit: 3, default_params: seed.default_params ?? {}, description: seed.description ?? '',
        telemetry_label: jobId.replace(/-/g, '_'),
        schedule: { paused: false, when: `cron ${seed.cron_expr} (Asia/Seoul)`, overlap: 'SKIP' },
        last_run: null, last_status: null, recent_runs: [],
      });
      expect(shown.body).not.toHaveProperty('interval_seconds');
      expect(shown.body.next_due_at).toEqual(shown.body.schedule.next_runs[0]);

      const d = await clientFor(scope).schedule.getHandle(jobId).describe();
      expect(d.action.type === 'startWorkflow' && d.action.args?.[0]).toMatchObject({ jobId, scope, queue: seed.queue, service: seed.queue.split('.jobs.')[1] });
      expect(d.state.paused).toBe(false);
      expect(await scheduleExists(scope === 'real' ? 'mock' : 'real', jobId)).toBe(false);

      const entry = catalogJobs().find((j) => j.job_id === jobId);
      expect(entry).toMatchObject({ scope, queue: seed.queue, cron_expr: seed.cron_expr, max_parallel: 1, timeout_sec: 120, retry_limit: 3 });
      expect(entry).not.toHaveProperty('interval_seconds');
    },
  );

  it('GET /jobs lists both scopes, ?scope one; a second POST of the same job is 409 and changes nothing', async () => {
    const all = await call('GET', '/jobs');
    expect(all.status).toBe(200);
    const listed = (all.body.jobs as Array<{ job_id: string; scope: string }>).filter((j) => seedJobs.some((s) => s.job_id === j.job_id));
    expect(listed.map((j) => `${j.scope}/${j.job_id}`).sort()).toEqual(seedJobs.map((j) => `${scopeOfQueue(j.queue)}/${j.job_id}`).sort());
    const mockOnly = await call('GET', '/jobs?scope=mock');
    expect((mockOnly.body.jobs as Array<{ scope: string }>).every((j) => j.scope === 'mock')).toBe(true);
    expect((mockOnly.body.jobs as Array<{ job_id: string }>).map((j) => j.job_id)).toEqual(expect.arrayContaining(['mock-buy-scanner', 'mock-scout']));

    const before = catalogBytes();
    const again = await call('POST', '/jobs', SEED_BODIES[1]![1]);
    expect(again.status).toBe(409);
    expect(again.body.detail).toMatch(/job "scout-daily" already exists in scope real/);
    expect(catalogBytes().equals(before)).toBe(true);
  });

  it('PUT changes the cron expression in the catalog and on the schedule', async () => {
    const put = await call('PUT', '/jobs/scout-daily', { cron_expr: '0 7 * * 1-5', description: 'Scout 일일 실행 (07:00)' });
    expect(put.status).toBe(200);
    expect(put.body.job).toMatchObject({ cron_expr: '0 7 * * 1-5', description: 'Scout 일일 실행 (07:00)', schedule: { when: 'cron 0 7 * * 1-5 (Asia/Seoul)' } });
    expect(put.body.changes).toEqual([expect.objectContaining({ schedule: 'scout-daily', change: 'update' })]);
    const d = await real.schedule.getHandle('scout-daily').describe();
    expect(d.action.type === 'startWorkflow' && d.action.memo?.when).toBe('cron 0 7 * * 1-5 (Asia/Seoul)');
    expect(catalogJobs().find((j) => j.job_id === 'scout-daily')).toMatchObject({ cron_expr: '0 7 * * 1-5' });
    // The seed's body style works for PUT too: both times given, the cron expression wins.
    const seedStyle = await call('PUT', '/jobs/scout-daily?scope=real', { cron_expr: '0 8 * * 1-5', interval_seconds: 86400 });
    expect(seedStyle.status).toBe(200);
    expect(seedStyle.body.notes).toHaveLength(1);
    expect(seedStyle.body.job.cron_expr).toBe('0 8 * * 1-5');
  });

  it('pause and resume toggle the schedule\'s paused state', async () => {
    const paused = await call('POST', '/jobs/news-crawler/pause', { reason: 'maintenance window' });
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ job_id: 'news-crawler', scope: 'real', paused: true });
    let d = await real.schedule.getHandle('news-crawler').describe();
    expect(d.state).toMatchObject({ paused: true, note: 'maintenance window' });
    const shown = await call('GET', '/jobs/news-crawler');
    expect(shown.body).toMatchObject({ schedule: { paused: true, note: 'maintenance window' }, next_due_at: null });

    const resumed = await call('POST', '/jobs/news-crawler/resume');
    expect(resumed.status).toBe(200);
    d = await real.schedule.getHandle('news-crawler').describe();
    expect(d.state.paused).toBe(false);
    expect(d.state.note).toBe('resumed with POST /jobs/news-crawler/resume');
  });

  it('run-now starts a run; two at once: exactly one 202 and one 409 naming the running run', async () => {
    const jobId = uniqueJobId('api-run');
    const created = await call('POST', '/jobs', { job_id: jobId, queue: 'mock.jobs.buy-scanner', cron_expr: '0 3 1 1 *', default_params: { tickers: ['005930'] } });
    expect(created.status).toBe(201);
    const [a, b] = await Promise.all([1, 2].map(() => call('POST', `/jobs/${jobId}/run-now`, { params: { sleep_ms: 3000 } })));
    const answers = [a!, b!].sort((x, y) => x.status - y.status);
    expect(answers.map((x) => x.status)).toEqual([202, 409]);
    const [ok, refused] = answers as [Answer, Answer];
    expect(ok.body).toMatchObject({ job_id: jobId, scope: 'mock', namespace: testNamespace('mock'), workflow_id: `job-${jobId}-slot-0`, slot: 0 });
    expect(refused.body.error).toBe('already running');
    expect(refused.body.detail).toContain(`run-now refused: ${jobId} is still running (max_parallel=1): workflow job-${jobId}-slot-0 run ${ok.body.workflow_run_id} (manual`);
    expect(refused.body.running).toEqual([expect.objectContaining({ workflow_id: ok.body.workflow_id, workflow_run_id: ok.body.workflow_run_id, trigger_source: 'manual' })]);

    const outcome = await mock.client.workflow.getHandle(ok.body.workflow_id, ok.body.workflow_run_id).result();
    expect(outcome).toMatchObject({ status: 'succeeded' });
    const shown = await call('GET', `/jobs/${jobId}`);
    expect(shown.body).toMatchObject({ last_status: 'succeeded', last_run: { trigger_source: 'manual', status: 'succeeded', params: { tickers: ['005930'], sleep_ms: 3000 } } });
    // The slot is free again.
    const next = await call('POST', `/jobs/${jobId}/run-now`);
    expect(next.status).toBe(202);
    await mock.client.workflow.getHandle(next.body.workflow_id, next.body.workflow_run_id).result();
    expect((await call('DELETE', `/jobs/${jobId}`)).status).toBe(200);
  });

  it('two creates at once both land in the catalog file (one edit at a time)', async () => {
    const ids = [uniqueJobId('api-a'), uniqueJobId('api-b')];
    const answers = await Promise.all(ids.map((id) => call('POST', '/jobs?scope=mock', { job_id: id, queue: 'mock.jobs.scout', cron_expr: '0 3 1 1 *' })));
    expect(answers.map((x) => x.status)).toEqual([201, 201]);
    expect(catalogJobs().map((j) => j.job_id)).toEqual(expect.arrayContaining(ids));
    for (const id of ids) expect((await call('DELETE', `/jobs/${id}?scope=mock`)).status).toBe(200);
  });

  it('last-run records an external run: a job_runs row that GET /jobs/{id} shows as the last run', async () => {
    const first = await call('POST', '/jobs/scout-daily/last-run', { status: 'succeeded', summary: 'top 5 movers (external worker)' });
    expect(first.status).toBe(201);
    const now = new Date(TEST_NOW).toISOString();
    expect(first.body.run).toMatchObject({ job_id: 'scout-daily', scope: 'real', trigger_source: 'external', status: 'succeeded', workflow_id: null, slot: null });
    expect(new Date(first.body.run.started_at).toISOString()).toBe(now);
    expect(new Date(first.body.run.ended_at).toISOString()).toBe(now);
    let shown = await call('GET', '/jobs/scout-daily');
    expect(shown.body).toMatchObject({ last_status: 'succeeded', last_error: null, last_run: { run_id: first.body.run.run_id, trigger_source: 'external', summary: 'top 5 movers (external worker)' } });
    expect(new Date(shown.body.last_run_at).toISOString()).toBe(now);

    const later = { run_id: 'ext-scout-0002', status: 'failed', error: 'KRX timeout', started_at: '2026-12-04T18:05:00+09:00', finished_at: '2026-12-04T18:06:30+09:00', next_delay_sec: 600 };
    expect((await call('POST', '/jobs/scout-daily/last-run', later)).status).toBe(201);
    shown = await call('GET', '/jobs/scout-daily');
    expect(shown.body).toMatchObject({ last_status: 'failed', last_error: 'KRX timeout', last_run: { run_id: 'ext-scout-0002', next_delay_sec: 600 } });
    expect(shown.body.recent_runs.map((r: { run_id: string }) => r.run_id)).toEqual(['ext-scout-0002', first.body.run.run_id]);

    const dup = await call('POST', '/jobs/scout-daily/last-run', later);
    expect(dup.status).toBe(409);
    expect(dup.body.detail).toMatch(/run ext-scout-0002 is already recorded/);
    // The mock job's scope comes from the catalog; a body may name it too.
    expect((await call('POST', '/jobs/mock-scout/last-run', { status: 'timed_out', scope: 'mock' })).body.run).toMatchObject({ scope: 'mock', status: 'timed_out' });

    const bad = await call('POST', '/jobs/scout-daily/last-run', { status: 'done', when: 'now' });
    expect(bad.status).toBe(400);
    expect(bad.body.problems.join('\n')).toMatch(/"scout-daily" last-run status: must be "succeeded", "failed" or "timed_out"/);
    expect(bad.body.problems.join('\n')).toMatch(/Unrecognized key.*when/i);
    const backwards = await call('POST', '/jobs/scout-daily/last-run', { status: 'succeeded', started_at: '2026-12-04T18:10:00+09:00', finished_at: '2026-12-04T18:00:00+09:00' });
    expect(backwards.status).toBe(400);
    expect(backwards.body.problems).toEqual([expect.stringMatching(/started_at: .* is after finished_at/)]);
  });

  it.each([
    ['bad JSON', 'POST', '/jobs', '{"job_id": "x",', /the request body is not JSON/],
    ['a body that is not an object', 'POST', '/jobs', '[1, 2]', /the body must be a JSON object/],
    ['an unknown field', 'POST', '/jobs', { job_id: 'api-bad-1', queue: 'mock.jobs.scout', cron_expr: '0 8 * * *', cron: '0 8 * * *' }, /"api-bad-1" \(mock\) \(entry\): Unrecognized key: "cron"/],
    ['an invalid cron', 'POST', '/jobs', { job_id: 'api-bad-2', queue: 'mock.jobs.scout', cron_expr: '61 * * * *', interval_seconds: 60 }, /"api-bad-2" \(mock\) cron_expr: "61 \* \* \* \*" field 1 \(minute\)/],
    ['a queue of the other scope than ?scope', 'POST', '/jobs?scope=real', { job_id: 'api-bad-3', queue: 'mock.jobs.scout', cron_expr: '0 8 * * *' }, /belongs to scope "mock", not to the job's scope "real"/],
    ['a body scope against its queue', 'POST', '/jobs', { job_id: 'api-bad-4', scope: 'real', queue: 'mock.jobs.scout', cron_expr: '0 8 * * *' }, /belongs to scope "mock"/],
    ['a scope parameter against the body', 'POST', '/jobs?scope=real', { job_id: 'api-bad-5', scope: 'mock', queue: 'mock.jobs.scout', cron_expr: '0 8 * * *' }, /the request names scope real but the body says "mock"/],
    ['an unknown scope', 'POST', '/jobs?scope=staging', { job_id: 'api-bad-6', queue: 'mock.jobs.scout', cron_expr: '0 8 * * *' }, /unknown scope "staging"/],
    ['a queue no worker serves', 'POST', '/jobs', { job_id: 'api-bad-7', queue: 'mock.jobs.nobody', cron_expr: '0 8 * * *' }, /no worker serves "nobody"/],
    ['queue mode with both cron and interval (still refused)', 'POST', '/jobs', { job_id: 'api-bad-8', queue: 'mock.jobs.scout', reschedule_mode: 'queue', cron_expr: '0 8 * * *', interval_seconds: 60 }, /give cron_expr or interval_seconds, not both/],
    ['PUT with an invalid cron', 'PUT', '/jobs/scout-daily', { cron_expr: '0 8 * *' }, /"scout-daily" \(real\) cron_expr: .*has 4 fields/],
    ['PUT renaming the job', 'PUT', '/jobs/scout-daily', { job_id: 'scout-weekly' }, /a job cannot be renamed/],
    ['PUT with nothing to change', 'PUT', '/jobs/scout-daily', {}, /nothing to change/],
    ['run-now with an unknown field', 'POST', '/jobs/scout-daily/run-now', { parameters: {} }, /"scout-daily" run-now \(entry\): Unrecognized key: "parameters"/],
    ['pause with a reason that is not text', 'POST', '/jobs/scout-daily/pause', { reason: 5 }, /"scout-daily" pause reason:/],
  ])('400 for %s, with the problem per line; the catalog file and the schedules are untouched', async (_what, method, p, body, problem) => {
    const before = catalogBytes();
    const described = await real.schedule.getHandle('scout-daily').describe();
    const r = await call(method, p, body);
    expect(r.status).toBe(400);
    expect([r.body.detail, ...(r.body.problems ?? [])].join('\n')).toMatch(problem);
    expect(catalogBytes().equals(before)).toBe(true);
    const after = await real.schedule.getHandle('scout-daily').describe();
    expect(after.action).toEqual(described.action);
    expect(after.state.paused).toBe(described.state.paused);
    for (let i = 1; i <= 8; i++) for (const scope of ['real', 'mock'] as const) expect(await scheduleExists(scope, `api-bad-${i}`)).toBe(false);
  });

  it.each([
    ['GET', '/jobs/no-such-job'],
    ['PUT', '/jobs/no-such-job'],
    ['DELETE', '/jobs/no-such-job'],
    ['POST', '/jobs/no-such-job/run-now'],
    ['POST', '/jobs/no-such-job/pause'],
    ['POST', '/jobs/no-such-job/resume'],
    ['POST', '/jobs/no-such-job/last-run'],
    ['GET', '/jobs/scout-daily/history'],
  ])('404 for %s %s', async (method, p) => {
    const before = catalogBytes();
    const r = await call(method, p, method === 'GET' || method === 'DELETE' ? undefined : p.endsWith('last-run') ? { status: 'succeeded' } : method === 'PUT' ? { enabled: false } : {});
    expect(r.status).toBe(404);
    expect(r.body.error).toBe('not found');
    expect(catalogBytes().equals(before)).toBe(true);
  });

  it('405 for a method a path does not take', async () => {
    const r = await call('PATCH', '/jobs/scout-daily', { enabled: false });
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('GET, PUT, DELETE');
    expect((await call('GET', '/jobs/scout-daily/run-now')).status).toBe(405);
  });

  it('DELETE removes the catalog entry and the schedule of each seed job', async () => {
    for (const j of seedJobs) {
      const scope = scopeOfQueue(j.queue);
      const r = await call('DELETE', `/jobs/${j.job_id}`);
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ job_id: j.job_id, scope, namespace: testNamespace(scope), deleted: true, schedule_deleted: true });
      expect(await scheduleExists(scope, j.job_id)).toBe(false);
      expect((await call('GET', `/jobs/${j.job_id}`)).status).toBe(404);
    }
    expect(catalogJobs()).toEqual([]);
    expect((await call('DELETE', '/jobs/buy-scanner')).status).toBe(404);
  });
});
