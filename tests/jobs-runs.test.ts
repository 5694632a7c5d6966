/**
 * Service job runs on real workers (mock scope, its own namespace), against the simulator and a
 * scratch database: dispatch to the service's queue, run records and last run, the metrics, run-now
 * refused while running, bounded concurrency, retries, timeouts, pause/resume through the Temporal
 * CLI, and the price monitor's start/stop signals.
 */
import { execFile, spawnSync } from 'node:child_process';
import { WorkflowFailedError } from '@temporalio/client';
import type { JobEntry } from '../jobs/catalog';
import { applyJobs, lastRuns, pauseJob, resumeJob, runNow, RunNowRefusedError, showJob } from '../jobs/operations';
import { resolveTemporalCli } from '../scripts/lib/temporal-server';
import { PRICE_MONITOR, PRICE_MONITOR_WORKFLOW_ID } from '../shared/jobs';
import { startSimulator, type Simulator } from '../dev/simulator/server';
import { startMetricsServer } from '../workers/job-metrics';
import { eventually, jobEntry, type JobScopeHarness, jobScopeHarness, testNamespace, uniqueJobId } from './helpers/jobs';
import { type ScratchDb, scratchDatabase, temporalAddress } from './helpers/services';
import { testClock } from './helpers/clock';

let sim: Simulator;
let scratch: ScratchDb;
let h: JobScopeHarness;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, now: testClock });
  scratch = await scratchDatabase('jobs_runs');
  h = await jobScopeHarness('mock', scratch, { simulatorUrl: sim.url });
});

afterAll(async () => {
  await h?.close();
  await scratch?.drop();
  await sim?.close();
});

async function job(service: string, overrides: Partial<JobEntry> = {}): Promise<JobEntry> {
  const e = jobEntry('mock', uniqueJobId(service), service, overrides);
  await applyJobs(h.client, [e], 'mock');
  return e;
}

async function runsOf(jobId: string) {
  return scratch.db.selectFrom('job_runs').selectAll().where('job_id', '=', jobId).orderBy('started_at').execute();
}

function temporalCli(...args: string[]) {
  const r = spawnSync(resolveTemporalCli(), [...args, '--address', temporalAddress(), '--namespace', testNamespace('mock')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`temporal ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

describe('service job runs (mock scope)', () => {
  it('run-now dispatches to the service queue, records the run and its last status, and counts it in the metrics', async () => {
    const e = await job('buy-scanner', { default_params: { scan_mode: 'swing', tickers: ['005930', '000660'] } });
    const before = (await sim.stats()).requests;
    const started = await runNow(h.client, e.job_id, { scan_mode: 'day' });
    const outcome = await started.result();
    expect(outcome).toMatchObject({ status: 'succeeded', slot: 0 });
    expect(outcome.result?.summary).toMatch(/^scanned \d of 2 tickers \(day\)/);
    expect((await sim.stats()).requests).toBeGreaterThanOrEqual(before + 2); // one request per ticker, visible on the simulator

    const [row] = await runsOf(e.job_id);
    expect(row).toMatchObject({ run_id: outcome.runId, scope: 'mock', trigger_source: 'manual', status: 'succeeded', error: null, workflow_id: `job-${e.job_id}-slot-0` });
    expect(row!.params).toEqual({ scan_mode: 'day', tickers: ['005930', '000660'] });
    expect(row!.ended_at!.getTime()).toBeGreaterThanOrEqual(row!.started_at.getTime());
    expect((await lastRuns(scratch.db, 'mock')).get(e.job_id)).toMatchObject({ run_id: outcome.runId, status: 'succeeded' });

    const labels = { job_id: e.job_id, scope: 'mock', trigger_source: 'manual', status: 'succeeded' };
    expect(await h.metrics.runCount(labels)).toBe(1);
    const server = await startMetricsServer(h.metrics, 0, undefined, '127.0.0.1');
    try {
      const text = await (await fetch(server.url)).text();
      const line = (name: string) => text.split('\n').find((l) => l.startsWith(name) && l.includes(`job_id="${e.job_id}"`) && l.includes('status="succeeded"'));
      expect(line('job_runs_total{')).toMatch(/ 1$/);
      expect(line('job_duration_seconds_count{')).toMatch(/ 1$/);
      await runNow(h.client, e.job_id).then((s) => s.result());
      const after = await (await fetch(server.url)).text();
      expect(after.split('\n').find((l) => l.startsWith('job_runs_total{') && l.includes(`job_id="${e.job_id}"`))).toMatch(/ 2$/);
    } finally {
      await server.close();
    }
  });

  it('`npm run jobs -- run-now` starts a run and refuses a second one while it runs, naming it (exit code 1)', async () => {
    // Long enough that the run is still going after three CLI starts on a loaded machine (each a few
    // seconds of tsx start-up); it is ended by the test once the CLI has been checked.
    const e = await job('buy-scanner', { default_params: { sleep_ms: 120_000 } });
    // Asynchronous: the workers run in this process and must keep running while the CLI waits.
    const cli = (...args: string[]) => new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', 'scripts/jobs.ts', ...args], {
        encoding: 'utf8', env: { ...process.env, TEMPORAL_ADDRESS: temporalAddress(), DATABASE_URL: scratch.url, DATAGOKR_API_KEY: '' },
      }, (err, stdout, stderr) => resolve({ status: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
    });
    const first = await cli('run-now', e.job_id, '--scope', 'mock');
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    const [, workflowId, runId] = /workflow (\S+) run (\S+) in namespace compass-jobs-mock/.exec(first.stdout) ?? [];
    expect(workflowId).toBe(`job-${e.job_id}-slot-0`);
    const second = await cli('run-now', e.job_id, '--scope', 'mock');
    expect(second.status).toBe(1);
    expect(second.stderr).toContain(`run-now refused: ${e.job_id} is still running (max_parallel=1): workflow ${workflowId} run ${runId} (manual`);
    const show = await cli('show', e.job_id, '--scope', 'mock');
    expect(show.status).toBe(0);
    expect(show.stdout).toContain('"when": "cron 0 3 1 1 * (Asia/Seoul)"');
    expect(show.stdout).toMatch(/"last_run": \{[\s\S]*"trigger_source": "manual",[\s\S]*"status": "running",/);
    await h.client.workflow.getHandle(workflowId!, runId).terminate('the CLI checks are done');
  });

  it('a schedule firing runs the job with trigger_source scheduler', async () => {
    const e = await job('scout', { default_params: { top: 3 } });
    await h.client.schedule.getHandle(e.job_id).trigger();
    const row = await eventually(async () => (await runsOf(e.job_id)).find((r) => r.status !== 'running'), 'the scheduled run to end');
    expect(row).toMatchObject({ trigger_source: 'scheduler', status: 'succeeded' });
    expect(row.summary).toMatch(/top 3 movers/);
    expect(await h.metrics.runCount({ job_id: e.job_id, trigger_source: 'scheduler', status: 'succeeded' })).toBe(1);
  });

  it('run-now while a run is going (max_parallel=1) is refused naming the running run; a schedule firing then is skipped', async () => {
    const e = await job('buy-scanner', { default_params: { sleep_ms: 4000 } });
    const first = await runNow(h.client, e.job_id);
    const refusal = await runNow(h.client, e.job_id).then(() => null, (err: unknown) => err);
    expect(refusal).toBeInstanceOf(RunNowRefusedError);
    expect((refusal as Error).message).toContain(`run-now refused: ${e.job_id} is still running (max_parallel=1)`);
    expect((refusal as Error).message).toContain(`workflow ${first.workflowId} run ${first.runId} (manual`);

    await h.client.schedule.getHandle(e.job_id).trigger();
    const skipped = await eventually(async () => (await runsOf(e.job_id)).find((r) => r.status === 'skipped'), 'the skipped scheduled run');
    expect(skipped).toMatchObject({ trigger_source: 'scheduler' });
    expect(skipped.error).toContain(`job-${e.job_id}-slot-0`);

    expect((await first.result()).status).toBe('succeeded');
    const again = await runNow(h.client, e.job_id, { sleep_ms: 0 });
    expect((await again.result()).status).toBe('succeeded');
  });

  it('max_parallel=2 runs two at once in two slots and refuses a third', async () => {
    const e = await job('news-crawler', { max_parallel: 2, default_params: { sleep_ms: 4000 } });
    const a = await runNow(h.client, e.job_id);
    const b = await runNow(h.client, e.job_id);
    expect([a.slot, b.slot]).toEqual([0, 1]);
    const third = await runNow(h.client, e.job_id).then(() => null, (err: unknown) => err as Error);
    expect(third?.message).toContain('max_parallel=2');
    expect(third?.message).toContain(a.runId);
    expect(third?.message).toContain(b.runId);
    const outcomes = await Promise.all([a.result(), b.result()]);
    expect(outcomes.map((o) => o.status)).toEqual(['succeeded', 'succeeded']);
    const rows = await runsOf(e.job_id);
    expect(rows.filter((r) => r.status === 'succeeded')).toHaveLength(2);
    // They overlapped: each started before the other ended.
    expect(rows[0]!.started_at.getTime()).toBeLessThan(rows[1]!.ended_at!.getTime());
    expect(rows[1]!.started_at.getTime()).toBeLessThan(rows[0]!.ended_at!.getTime());
  });

  it('retry_limit bounds the attempts; the failed run records its error and counts as failed', async () => {
    const e = await job('buy-scanner', { retry_limit: 2, default_params: { fail_attempts: -1 } });
    const started = await runNow(h.client, e.job_id);
    await expect(started.result()).rejects.toThrow(WorkflowFailedError);
    const [row] = await runsOf(e.job_id);
    expect(row).toMatchObject({ status: 'failed' });
    expect(row!.error).toMatch(/demo failure .* \(attempt 3, fail_attempts=-1\)/);
    expect((await lastRuns(scratch.db, 'mock')).get(e.job_id)?.error).toBe(row!.error);
    expect(await h.metrics.runCount({ job_id: e.job_id, status: 'failed' })).toBe(1);
  });

  it('timeout_sec bounds the work: a run past it is recorded timed_out', async () => {
    const e = await job('scout', { timeout_sec: 2, retry_limit: 0, default_params: { sleep_ms: 8000 } });
    const started = await runNow(h.client, e.job_id);
    await expect(started.result()).rejects.toThrow(WorkflowFailedError);
    const [row] = await runsOf(e.job_id);
    expect(row).toMatchObject({ status: 'timed_out', error: 'timed out after 2 s (timeout_sec)' });
    expect(await h.metrics.runCount({ job_id: e.job_id, status: 'timed_out' })).toBe(1);
  });

  it('a cancelled run is recorded as failed with error "cancelled", not left running', async () => {
    const e = await job('buy-scanner', { default_params: { sleep_ms: 2000 } });
    const started = await runNow(h.client, e.job_id);
    await eventually(async () => ((await runsOf(e.job_id)).length ? true : undefined), 'the run row');
    await h.client.workflow.getHandle(started.workflowId, started.runId).cancel();
    await expect(started.result()).rejects.toThrow(WorkflowFailedError);
    expect(await runsOf(e.job_id)).toMatchObject([{ status: 'failed', error: 'cancelled' }]);
  });

  it('pause and resume act on the same schedule as `temporal schedule toggle`', async () => {
    const e = await job('buy-scanner');
    await pauseJob(h.client, e.job_id, 'paused by the test');
    const described = JSON.parse(temporalCli('schedule', 'describe', '--schedule-id', e.job_id, '--output', 'json')) as { schedule: { state: { paused?: boolean; notes?: string } } };
    expect(described.schedule.state).toMatchObject({ paused: true, notes: 'paused by the test' });
    await resumeJob(h.client, e.job_id);
    expect((await showJob(h.client, e.job_id)).paused).toBe(false);
    temporalCli('schedule', 'toggle', '--schedule-id', e.job_id, '--pause', '--reason', 'paused from the CLI');
    expect(await showJob(h.client, e.job_id)).toMatchObject({ paused: true, note: 'paused from the CLI' });
    // The paused state is the operator's: a re-apply of the catalog keeps it.
    await applyJobs(h.client, [e], 'mock');
    expect((await showJob(h.client, e.job_id)).paused).toBe(true);
  });

  it('price-monitor-start and -stop drive one long-running workflow through signals', async () => {
    const start = await job('price-monitor', { default_params: { action: 'start', poll_sec: 1, tickers: ['005930'] } });
    const stop = await job('price-monitor', { default_params: { action: 'stop' } });
    const first = await (await runNow(h.client, start.job_id)).result();
    expect(first.result?.summary).toMatch(/price monitor running/);
    const monitor = h.client.workflow.getHandle(PRICE_MONITOR_WORKFLOW_ID);
    const runId = (await monitor.describe()).runId;
    await eventually(async () => ((await monitor.query<{ ticks: number }>(PRICE_MONITOR.status)).ticks >= 2 ? true : undefined), 'two monitor ticks');

    await (await runNow(h.client, start.job_id)).result(); // a second start joins the running monitor
    expect((await monitor.describe()).runId).toBe(runId);
    expect((await monitor.query<{ startedBy: string[] }>(PRICE_MONITOR.status)).startedBy).toHaveLength(2);

    const stopped = await (await runNow(h.client, stop.job_id)).result();
    const result = await h.client.workflow.getHandle(PRICE_MONITOR_WORKFLOW_ID, runId).result();
    expect(result).toMatchObject({ stoppedBy: stopped.runId });
    expect(result.ticks).toBeGreaterThanOrEqual(2);
    // Stopping a stopped monitor is harmless.
    expect((await (await runNow(h.client, stop.job_id)).result()).result?.summary).toMatch(/was not running/);
  });
});
