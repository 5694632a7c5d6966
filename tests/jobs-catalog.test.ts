/**
 * The service job catalog (seed 002): validation, each mapping rule onto a Temporal schedule, and the
 * catalog → schedules round trip against the test server's job namespaces (apply idempotent, diff, prune).
 */
import { type Client, ScheduleNotFoundError, ScheduleOverlapPolicy } from '@temporalio/client';
import { JobCatalogError, type JobEntry, loadJobCatalog, validateJobCatalog } from '../jobs/catalog';
import { applyJobs, listJobs, pauseJob, planJobs, pruneJobs, resumeJob, showJob } from '../jobs/operations';
import { DISABLED_REASON, JOBS_MANAGED_BY, jobScheduleDefinition } from '../jobs/schedules';
import type { JobSpec } from '../shared/jobs';
import { CONFIG_HASH } from '../shared/search-attributes';
import { eventually, jobEntry, testNamespace, uniqueJobId } from './helpers/jobs';
import { connectTestClientIn } from './helpers/services';

function problemsOf(entries: unknown[]): string[] {
  try {
    validateJobCatalog(entries);
  } catch (err) {
    if (err instanceof JobCatalogError) return err.problems;
    throw err;
  }
  return [];
}

const good = (overrides: Record<string, unknown> = {}) => ({ ...jobEntry('mock', 'good-job', 'buy-scanner'), ...overrides });

describe('job catalog validation', () => {
  it('accepts the shipped catalog: the five seed jobs in both scopes', () => {
    const jobs = loadJobCatalog();
    for (const scope of ['real', 'mock'] as const) {
      const ids = jobs.filter((j) => j.scope === scope).map((j) => j.job_id).sort();
      expect(ids).toEqual(['buy-scanner', 'news-crawler', 'price-monitor-start', 'price-monitor-stop', 'scout-daily']);
    }
    for (const j of jobs) expect(j.queue.startsWith(`${j.scope}.jobs.`)).toBe(true);
  });

  it.each([
    ['a bad cron expression', { cron_expr: '61 * * * *' }, /cron_expr: "61 \* \* \* \*" field 1 \(minute\)/],
    ['a cron with 6 fields', { cron_expr: '0 0 8 * * 1-5' }, /has 6 fields/],
    ['both cron and interval', { interval_seconds: 300 }, /cron_expr or interval_seconds, not both/],
    ['neither cron nor interval', { cron_expr: undefined }, /give one of cron_expr and interval_seconds/],
    ['an unknown scope', { scope: 'staging', queue: 'staging.jobs.buy-scanner' }, /unknown scope "staging": must be one of real, mock/],
    ['a queue of the other scope', { queue: 'real.jobs.buy-scanner' }, /belongs to scope "real", not to the job's scope "mock"/],
    ['a queue no worker serves', { queue: 'mock.jobs.nobody' }, /no worker serves "nobody"/],
    ['max_parallel 0', { max_parallel: 0 }, /max_parallel/],
    ['queue mode without interval', { reschedule_mode: 'queue' }, /queue mode needs interval_seconds/],
    ['a bad price-monitor action', { queue: 'mock.jobs.price-monitor', default_params: { action: 'restart' } }, /action must be "start" or "stop"/],
    ['an unknown field', { cron: '0 8 * * *' }, /Unrecognized key/i],
  ])('rejects %s with a message naming the job and field', (_what, overrides, message) => {
    const problems = problemsOf([good(overrides)]);
    expect(problems.join('\n')).toMatch(message);
    expect(problems.every((p) => p.startsWith('"good-job"'))).toBe(true);
  });

  it('rejects a duplicate job id within a scope but allows the same id in both scopes', () => {
    expect(problemsOf([good(), good()])).toEqual(['"good-job" (mock): duplicate job_id in scope mock']);
    expect(problemsOf([good(), jobEntry('real', 'good-job', 'buy-scanner')])).toEqual([]);
  });

  it('fills the seed defaults', () => {
    const [e] = validateJobCatalog([{ job_id: 'minimal', scope: 'real', queue: 'real.jobs.scout', cron_expr: '0 8 * * 1-5' }]);
    expect(e).toMatchObject({ reschedule_mode: 'scheduler', enabled: true, max_parallel: 1, timeout_sec: 120, retry_limit: 3, default_params: {}, telemetry_label: 'minimal' });
  });
});

describe('job → schedule mapping rules', () => {
  const base = jobEntry('mock', 'map-job', 'buy-scanner', { default_params: { scan_mode: 'swing' }, timeout_sec: 90, retry_limit: 4 });
  const spec = (e: JobEntry) => (jobScheduleDefinition(e).options.action as unknown as { args: [JobSpec] }).args[0];

  it('enabled=false → created paused with a note saying why', () => {
    expect(jobScheduleDefinition(base).options.state?.paused).toBeFalsy();
    const off = jobScheduleDefinition({ ...base, enabled: false });
    expect(off.options.state).toMatchObject({ paused: true, note: `paused by configuration: ${DISABLED_REASON}` });
  });

  it('max_parallel 1 → SKIP; more → ALLOW_ALL bounded by that many run slots', () => {
    expect(jobScheduleDefinition(base).options.policies?.overlap).toBe(ScheduleOverlapPolicy.SKIP);
    const wide = jobScheduleDefinition({ ...base, max_parallel: 3 });
    expect(wide.options.policies?.overlap).toBe(ScheduleOverlapPolicy.ALLOW_ALL);
    expect(spec({ ...base, max_parallel: 3 }).maxParallel).toBe(3);
  });

  it('timeout_sec → the run timeout (plus bookkeeping) and the work limit; retry_limit → the retry count; default_params → the arguments', () => {
    const d = jobScheduleDefinition(base);
    expect(d.options.action.workflowRunTimeout).toBe('150s');
    expect(spec(base)).toMatchObject({ timeoutSec: 90, retryLimit: 4, params: { scan_mode: 'swing' }, queue: 'mock.jobs.buy-scanner', service: 'buy-scanner' });
  });

  it('description → memo and note; cron and interval → the spec; queue mode → the bootstrap workflow', () => {
    const d = jobScheduleDefinition(base);
    expect(d.options.memo).toMatchObject({ managedBy: JOBS_MANAGED_BY, description: base.description });
    expect(d.options.state?.note).toBe(base.description);
    expect(d.options.spec).toEqual({ cronExpressions: ['0 3 1 1 *'], timezone: 'Asia/Seoul' });
    const q = jobScheduleDefinition({ ...base, cron_expr: undefined, interval_seconds: 45, reschedule_mode: 'queue' });
    expect(q.options.spec).toEqual({ intervals: [{ every: '45s' }] });
    expect(q.options.action.workflowType).toBe('queueJobBootstrap');
    expect(d.options.action.workflowType).toBe('scheduledJob');
    expect(d.options.action.taskQueue).toBe('mock.jobs');
  });
});

describe('catalog → schedules round trip (mock namespace)', () => {
  let client: Client;
  beforeAll(async () => {
    client = await connectTestClientIn(testNamespace('mock'));
  });
  afterAll(async () => client?.connection.close());

  it('creates, reads back, stays unchanged on a second apply, updates what changed, and prunes', async () => {
    const a = uniqueJobId('scan');
    const b = uniqueJobId('crawl');
    const catalog: JobEntry[] = [
      jobEntry('mock', a, 'buy-scanner', { cron_expr: '*/5 * * * *', default_params: { scan_mode: 'swing' }, max_parallel: 1 }),
      jobEntry('mock', b, 'news-crawler', { cron_expr: undefined, interval_seconds: 600, enabled: false, max_parallel: 2 }),
      // Other scope's entries are not this namespace's business.
      jobEntry('real', uniqueJobId('real-only'), 'scout'),
    ];
    const first = await applyJobs(client, catalog, 'mock');
    expect(first.filter((c) => c.id === a || c.id === b).map((c) => c.kind)).toEqual(['create', 'create']);

    const va = await showJob(client, a);
    expect(va).toMatchObject({ paused: false, when: 'cron */5 * * * * (Asia/Seoul)', overlap: 'SKIP' });
    expect(va.spec).toMatchObject({ jobId: a, scope: 'mock', mode: 'scheduler', params: { scan_mode: 'swing' }, maxParallel: 1 });
    const vb = await showJob(client, b);
    expect(vb).toMatchObject({ paused: true, when: 'every 600 s', overlap: 'ALLOW_ALL' });
    expect(vb.note).toContain('enabled=false');
    expect(vb.description?.typedSearchAttributes.get(CONFIG_HASH)).toMatch(/^spec=\w+;action=\w+;policies=\w+$/);

    // Idempotent: nothing to do the second time.
    const again = await applyJobs(client, catalog, 'mock');
    expect(again.filter((c) => c.id === a || c.id === b).map((c) => c.kind)).toEqual(['unchanged', 'unchanged']);

    // An operator's pause survives apply; enabling b in the catalog resumes b (its pause was the catalog's).
    await pauseJob(client, a, 'operator: maintenance');
    const changed = catalog.map((e) => (e.job_id === a ? { ...e, default_params: { scan_mode: 'day' } } : e.job_id === b ? { ...e, enabled: true } : e));
    const plan = await planJobs(client, changed, 'mock');
    expect(plan.find((c) => c.id === a)).toMatchObject({ kind: 'update', parts: ['action'] });
    expect(plan.find((c) => c.id === b)).toMatchObject({ kind: 'update', parts: ['state'] });
    await applyJobs(client, changed, 'mock');
    const va2 = await showJob(client, a);
    expect(va2).toMatchObject({ paused: true, note: 'operator: maintenance' });
    expect(va2.spec?.params).toEqual({ scan_mode: 'day' });
    expect((await showJob(client, b)).paused).toBe(false);
    await resumeJob(client, a);
    expect((await showJob(client, a)).paused).toBe(false);

    // A bad entry anywhere stops apply before any change.
    const fresh = { ...changed[0]!, job_id: uniqueJobId('fresh') };
    const bad = [...changed, fresh, { ...changed[0]!, job_id: uniqueJobId('bad'), cron_expr: '* * *' }];
    await expect(applyJobs(client, bad, 'mock')).rejects.toThrow(/has 3 fields/);
    await expect(client.schedule.getHandle(fresh.job_id).describe()).rejects.toThrow(ScheduleNotFoundError);

    // Dropped from the catalog → listed as stale by diff, deleted by prune (the schedule list is eventually consistent).
    await eventually(async () => ((await listJobs(client)).some((v) => v.jobId === b) ? true : undefined), `${b} in the schedule list`);
    const without = changed.filter((e) => e.job_id !== b);
    expect((await planJobs(client, without, 'mock')).find((c) => c.id === b)?.kind).toBe('delete');
    expect(await pruneJobs(client, [...without, ...(await othersInNamespace(client, [a, b]))], 'mock')).toEqual([b]);
    await expect(client.schedule.getHandle(b).describe()).rejects.toThrow(ScheduleNotFoundError);
    await client.schedule.getHandle(a).delete();
  });
});

/** Job schedules other tests left in the shared namespace: prune in this test must not touch them. */
async function othersInNamespace(client: Client, mine: string[]): Promise<JobEntry[]> {
  const views = await listJobs(client);
  return views.filter((v) => !mine.includes(v.jobId)).map((v) => jobEntry('mock', v.jobId, 'buy-scanner'));
}
