/**
 * The daily analysis pipeline (seed 000) on real parts: the Temporal dev server, PostgreSQL,
 * Redis when present, and the demo pipeline script (dev/pipeline-demo/run.js) as a real child
 * process whose process group, grandchildren included, must be gone after every ending.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ActivityFailure, ApplicationFailure, CancelledFailure, type Client, ScheduleOverlapPolicy, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import type { Duration, LogLevel, LogMetadata } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { NativeConnection } from '@temporalio/worker';
import Redis from 'ioredis';
import { sql } from 'kysely';
import { closeActivityDeps, type ActivityDeps } from '../activities/deps';
import { pipelineActivities, type RunPipelineResult } from '../activities/pipeline-command';
import { processState } from '../activities/process-group';
import { splitCommandLine } from '../config/command-line';
import { ConfigError, loadConfig } from '../config/env';
import { CATALOG } from '../schedules/catalog';
import { applyCatalog } from '../schedules/manage';
import { buildScheduleOptions } from '../schedules/options';
import { validateCatalog } from '../schedules/validate';
import { dailyPipeline } from '../workflows';
import type { DailyPipelineInput } from '../workflows/daily-pipeline';
import { progressQuery } from '../shared/progress';
import { createCollectionWorker } from '../workers/collection-worker';
import {
  connectTestClient, connectTestWorkerConnection, itWithRedis, redisUrl, type ScratchDb, scratchDatabase, testDeps, workflowBundle,
} from './helpers/services';

const DEMO = [process.execPath, path.resolve(__dirname, '..', 'dev', 'pipeline-demo', 'run.js')];
const FAST = { pipelineRetry: { initialInterval: '100ms' }, postRetry: { initialInterval: '100ms' }, heartbeatTimeout: '2s' } as const;
const OPENAI = 'sk-test-openai-0123456789abcdef';
const ANTHROPIC = 'sk-ant-test-0123456789abcdef';
const LLM_ENV: NodeJS.ProcessEnv = { ...process.env, OPENAI_API_KEY: OPENAI, ANTHROPIC_API_KEY: ANTHROPIC };

let scratch: ScratchDb;
let client: Client;
let connection: NativeConnection;
let baseDeps: ActivityDeps;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'compass-pipeline-'));

beforeAll(async () => {
  scratch = await scratchDatabase('pipeline');
  client = await connectTestClient();
  connection = await connectTestWorkerConnection();
  baseDeps = testDeps({
    DATABASE_URL: scratch.url,
    REDIS_URL: redisUrl(),
    SIMULATOR_URL: 'http://127.0.0.1:9', // required by the price client; never called here
    PIPELINE_KILL_GRACE_SEC: '1',
  });
});

afterAll(async () => {
  await closeActivityDeps(baseDeps);
  await connection?.close();
  await client?.connection.close();
  await scratch?.drop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

interface WorkerSetup {
  command: string[];
  env?: NodeJS.ProcessEnv;
  shutdownGraceTime?: Duration;
}

/** A worker whose pipeline command is `command`: each scenario gets its own, as a deployment would. */
async function withWorker<T>(setup: WorkerSetup, fn: (ctx: { taskQueue: string; shutdown: () => Promise<void> }) => Promise<T>): Promise<T> {
  const taskQueue = `pipeline-test-${randomUUID()}`;
  const deps: ActivityDeps = { ...baseDeps, cfg: { ...baseDeps.cfg, PIPELINE_COMMAND: setup.command }, env: setup.env ?? LLM_ENV };
  const worker = await createCollectionWorker({
    connection, namespace: 'default', taskQueue, deps, workflowBundle: await workflowBundle(), shutdownGraceTime: setup.shutdownGraceTime ?? '500ms',
  });
  const running = worker.run();
  const shutdown = async () => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await running;
  };
  try {
    return await fn({ taskQueue, shutdown });
  } finally {
    await shutdown();
  }
}

function start(taskQueue: string, input: DailyPipelineInput = {}): Promise<WorkflowHandle<typeof dailyPipeline>> {
  return client.workflow.start(dailyPipeline, {
    taskQueue,
    workflowId: `daily-pipeline-test-${randomUUID().slice(0, 8)}`,
    args: [{ asOf: '2026-11-20', ...input, policy: { ...FAST, ...input.policy } }],
  });
}

async function failureOf(handle: WorkflowHandle): Promise<WorkflowFailedError> {
  const err = await handle.result().then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(WorkflowFailedError);
  return err as WorkflowFailedError;
}

function applicationCause(err: WorkflowFailedError): ApplicationFailure {
  expect(err.cause).toBeInstanceOf(ActivityFailure);
  const cause = (err.cause as ActivityFailure).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return cause as ApplicationFailure;
}

async function activityAttempts(handle: WorkflowHandle): Promise<{ scheduled: string[]; attempts: number[] }> {
  const events = (await handle.fetchHistory()).events ?? [];
  return {
    scheduled: events.filter((e) => e.activityTaskScheduledEventAttributes).map((e) => e.activityTaskScheduledEventAttributes!.activityType!.name!),
    attempts: events.filter((e) => e.activityTaskStartedEventAttributes).map((e) => e.activityTaskStartedEventAttributes!.attempt ?? 1),
  };
}

async function stepLog(workflowId: string): Promise<Array<{ step: string; status: string; error: string | null }>> {
  const r = await sql<{ step: string; status: string; error: string | null }>`
    SELECT step, status, error FROM data_collection_log WHERE workflow_id = ${workflowId} ORDER BY started_at`.execute(scratch.db);
  return r.rows;
}

async function waitForFile(file: string, ms = 20_000): Promise<string> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : '';
    if (text) return text;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${file} never appeared`);
}

function readPids(text: string): number[] {
  return text.split(/\s+/).map(Number).filter((n) => n > 0);
}

/** Still running: it exists and is not a zombie waiting for its new parent to reap it. */
function isRunning(pid: number): boolean {
  const s = processState(pid);
  return s !== null && s.state !== 'Z' && s.state !== 'X';
}

/** kill(pid, 0) fails with ESRCH once the process is gone and reaped; reaping by init takes a moment. */
async function reaped(pid: number, ms = 15_000): Promise<string> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch (err) {
      return (err as NodeJS.ErrnoException).code!;
    }
    if (Date.now() > until) return 'still there';
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function expectGone(pids: number[]): Promise<void> {
  for (const pid of pids) expect(isRunning(pid)).toBe(false);
  for (const pid of pids) expect(await reaped(pid)).toBe('ESRCH');
}

describe('daily pipeline: configuration and schedule', () => {
  it('parses the pipeline command into argv without a shell, with the seed defaults', () => {
    const cfg = loadConfig({} as NodeJS.ProcessEnv);
    expect(cfg.PIPELINE_COMMAND).toEqual(['python', '-m', 'datapipeline.run', '--backend', 'live', '--market', 'KR']);
    expect(cfg.PIPELINE_TIMEOUT_SEC).toBe(600);
    expect(cfg.PIPELINE_REQUIRED_ENV).toEqual(['OPENAI_API_KEY', 'ANTHROPIC_API_KEY']);
    expect(splitCommandLine(`node "my dir/run.js" --say 'a b' x\\ y; rm -rf /`)).toEqual(['node', 'my dir/run.js', '--say', 'a b', 'x y;', 'rm', '-rf', '/']);
    expect(() => loadConfig({ PIPELINE_COMMAND: 'python "unterminated' } as NodeJS.ProcessEnv)).toThrow(ConfigError);
    expect(() => loadConfig({ PIPELINE_TIMEOUT_SEC: '3600' } as NodeJS.ProcessEnv)).toThrow(/PIPELINE_TIMEOUT_SEC/);
  });

  it('has a valid daily-pipeline schedule: 16:10 Asia/Seoul, Monday to Friday, catch-up 1 hour, overlap SKIP', async () => {
    expect(() => validateCatalog(CATALOG)).not.toThrow();
    const entry = CATALOG.find((e) => e.id === 'daily-pipeline')!;
    const { options } = buildScheduleOptions(entry, { taskQueue: 'q', scope: 'mock' });
    expect(options.spec.timezone).toBe('Asia/Seoul');
    expect(options.spec.calendars).toEqual([expect.objectContaining({ hour: 16, minute: 10, dayOfWeek: [{ start: 'MONDAY', end: 'FRIDAY' }] })]);
    expect(options.spec.skip).toEqual([]);
    expect(options.policies).toEqual({ overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour' });
    expect(options.action).toMatchObject({ type: 'startWorkflow', workflowType: 'dailyPipeline', workflowRunTimeout: '1 hour', args: [{}] });

    // And as the server understands it: next fire times are weekdays at 07:10 UTC.
    const id = `t-pipeline-${randomUUID().slice(0, 6)}`;
    try {
      await applyCatalog(client, [{ ...entry, id }], { taskQueue: 'schedules-test', scope: 'mock' });
      const d = await client.schedule.getHandle(id).describe();
      expect(d.policies).toMatchObject({ overlap: 'SKIP', catchupWindow: 3_600_000 });
      for (const t of d.info.nextActionTimes.slice(0, 5)) {
        expect([t.getUTCHours(), t.getUTCMinutes()]).toEqual([7, 10]);
        expect([1, 2, 3, 4, 5]).toContain(t.getUTCDay());
      }
    } finally {
      await client.schedule.getHandle(id).delete().catch(() => undefined);
    }
  });
});

describe('daily pipeline: the command activity', () => {
  it('logs every output line tagged with the run, masks secret values, and heartbeats with line counts', async () => {
    const lines: Array<{ message: string; meta?: LogMetadata }> = [];
    const logger = {
      log: (_level: LogLevel, message: string, meta?: LogMetadata) => lines.push({ message, meta }),
      trace: () => undefined,
      debug: () => undefined,
      info: (message: string, meta?: LogMetadata) => lines.push({ message, meta }),
      warn: (message: string, meta?: LogMetadata) => lines.push({ message, meta }),
      error: (message: string, meta?: LogMetadata) => lines.push({ message, meta }),
    };
    const env = new MockActivityEnvironment(
      { inWorkflow: true, workflowExecution: { workflowId: 'wf-log-test', runId: 'run-log-test' }, heartbeatTimeoutMs: 900, activityType: 'runPipelineCommand' },
      { logger },
    );
    const beats: Array<{ lines: number; elapsedSec: number }> = [];
    env.on('heartbeat', (d) => beats.push(d));
    const deps: ActivityDeps = { ...baseDeps, cfg: { ...baseDeps.cfg, PIPELINE_COMMAND: [...DEMO, '--dry-run', '--sleep', '1', '--say', `key=${OPENAI}`] }, env: LLM_ENV };
    const { runPipelineCommand } = pipelineActivities(deps);
    const result: RunPipelineResult = await env.run(runPipelineCommand, { chain: 'daily-pipeline', runDate: '2026-11-20' });

    expect(result.stdoutLines).toBeGreaterThanOrEqual(7);
    expect(result.stderrLines).toBe(1);
    const output = lines.filter((l) => l.meta?.stream);
    expect(output).toHaveLength(result.stdoutLines + result.stderrLines);
    expect(output.some((l) => l.message.includes('[2/4] 키워드 추출') && l.meta!.stream === 'stdout')).toBe(true);
    expect(output.find((l) => l.meta!.stream === 'stderr')!.message).toBe('key=***');
    for (const l of output) expect(l.meta).toMatchObject({ workflowId: 'wf-log-test', workflowRunId: 'run-log-test' });
    expect(JSON.stringify(lines)).not.toContain(OPENAI);
    expect(beats.length).toBeGreaterThanOrEqual(2);
    expect(beats.at(-1)).toEqual({ lines: expect.any(Number), elapsedSec: expect.any(Number) });
  });
});

describe('daily pipeline workflow', () => {
  it('runs the pipeline, then invalidates caches and refreshes mv_keyword_frequency, in order; cleans up a leftover helper', async () => {
    const pidFile = path.join(tmp, 'success.pid');
    await withWorker({ command: [...DEMO, '--backend', 'live', '--market', 'KR', '--grandchild', '--pid-file', pidFile] }, async ({ taskQueue }) => {
      const handle = await start(taskQueue);
      const result = await handle.result();

      expect(result.runDate).toBe('2026-11-20');
      expect(result.views).toEqual(['mv_keyword_frequency']);
      expect(result.pipeline.stdoutLines).toBeGreaterThan(3);
      const { scheduled } = await activityAttempts(handle);
      expect(scheduled).toEqual(['runPipelineCommand', 'invalidateCaches', 'refreshMaterializedViews']);
      const steps = await stepLog(handle.workflowId);
      expect(steps.map((s) => s.step)).toEqual(['pipeline', 'invalidate-caches', 'refresh-views']);
      expect(steps.every((s) => s.status === 'succeeded' || (s.step === 'invalidate-caches' && s.status === 'skipped' && !redisUrl()))).toBe(true);

      // The demo wrote the day's keywords and the view shows them.
      const mv = await sql<{ keyword: string; mentions: string; last_seen: string }>`
        SELECT keyword, mentions, last_seen FROM mv_keyword_frequency WHERE market = 'KR' ORDER BY keyword`.execute(scratch.db);
      expect(mv.rows.length).toBe(10);
      expect(mv.rows.every((r) => r.last_seen === '2026-11-20' && Number(r.mentions) > 0)).toBe(true);

      const progress = await handle.query(progressQuery);
      expect(progress.steps.map((s) => [s.name, s.state])).toEqual([
        ['pipeline', 'done'], ['invalidate-caches', redisUrl() ? 'done' : 'skipped'], ['refresh-views', 'done'],
      ]);

      // The helper the command left running was killed with its group once the command exited.
      expect(result.pipeline.leftoverProcesses).toBe(1);
      await expectGone(readPids(fs.readFileSync(pidFile, 'utf8')));
    });
  });

  itWithRedis('deletes the pipeline cache keys with SCAN + UNLINK and leaves the others', async () => {
    const redis = new Redis(redisUrl()!);
    const tag = randomUUID().slice(0, 8);
    try {
      await redis.mset(`compass:keyword:${tag}:KR`, '1', `compass:pipeline:${tag}`, '2', `compass:score:${tag}`, '3', `other:${tag}`, '4');
      await withWorker({ command: [...DEMO, '--market', 'KR'] }, async ({ taskQueue }) => {
        const result = await (await start(taskQueue)).result();
        expect(result.caches.skipped).toBe(false);
        expect(result.caches.patterns).toEqual(['compass:keyword:*', 'compass:pipeline:*']);
        expect(result.caches.deleted).toBeGreaterThanOrEqual(2);
      });
      expect(await redis.exists(`compass:keyword:${tag}:KR`, `compass:pipeline:${tag}`)).toBe(0);
      // The price chain's keys are not the pipeline's to delete.
      expect(await redis.get(`compass:score:${tag}`)).toBe('3');
      expect(await redis.get(`other:${tag}`)).toBe('4');
    } finally {
      await redis.del(`compass:score:${tag}`, `other:${tag}`);
      redis.disconnect();
    }
  });

  it('stops the chain when the pipeline fails: one retry, no post-processing, the run fails with the cause', async () => {
    await withWorker({ command: [...DEMO, '--fail', '3'] }, async ({ taskQueue }) => {
      const handle = await start(taskQueue, { asOf: '2026-11-23' });
      const cause = applicationCause(await failureOf(handle));
      expect(cause.type).toBe('PipelineFailed');
      expect(cause.nonRetryable).toBe(false);
      expect(cause.message).toMatch(/exited with code 3/);
      expect(cause.message).toMatch(/simulated failure \(exit 3\)/);

      const { scheduled, attempts } = await activityAttempts(handle);
      expect(scheduled).toEqual(['runPipelineCommand']);
      expect(Math.max(...attempts)).toBe(2);
      const steps = await stepLog(handle.workflowId);
      expect(steps).toEqual([expect.objectContaining({ step: 'pipeline', status: 'failed' })]);
      const progress = await handle.query(progressQuery);
      expect(progress.steps.map((s) => s.state)).toEqual(['failed', 'skipped', 'skipped']);
    });
  });

  it('fails at once on a missing executable, with a clear non-retryable failure', async () => {
    await withWorker({ command: ['compass-no-such-pipeline-binary', '--market', 'KR'] }, async ({ taskQueue }) => {
      const handle = await start(taskQueue);
      const cause = applicationCause(await failureOf(handle));
      expect(cause.type).toBe('PipelineMisconfigured');
      expect(cause.nonRetryable).toBe(true);
      expect(cause.message).toMatch(/실행 파일 없음: "compass-no-such-pipeline-binary" was not found/);
      const { attempts } = await activityAttempts(handle);
      expect(attempts).toEqual([1]);
      expect((await stepLog(handle.workflowId)).map((s) => s.step)).toEqual(['pipeline']);
    });
  });

  it('fails at once when an LLM key is missing from the worker environment, naming it but never a key value', async () => {
    const pidFile = path.join(tmp, 'nokey.pid');
    const env = { ...LLM_ENV };
    delete env.OPENAI_API_KEY;
    await withWorker({ command: [...DEMO, '--pid-file', pidFile], env }, async ({ taskQueue }) => {
      const handle = await start(taskQueue);
      const cause = applicationCause(await failureOf(handle));
      expect(cause.type).toBe('PipelineMisconfigured');
      expect(cause.nonRetryable).toBe(true);
      expect(cause.message).toMatch(/OPENAI_API_KEY/);
      expect(cause.message).not.toMatch(/ANTHROPIC_API_KEY/);
      expect((await activityAttempts(handle)).attempts).toEqual([1]);
      expect(fs.existsSync(pidFile)).toBe(false); // the command never started
      // Keys travel through the worker's environment only: none is in the run's history.
      expect(JSON.stringify(await handle.fetchHistory())).not.toContain(ANTHROPIC);
    });
  });

  it('on timeout kills the whole process group, a grandchild that ignores SIGTERM included', async () => {
    const pidFile = path.join(tmp, 'timeout.pid');
    await withWorker({ command: [...DEMO, '--sleep', '120', '--grandchild', '--stubborn', '--pid-file', pidFile] }, async ({ taskQueue }) => {
      const started = Date.now();
      const handle = await start(taskQueue, { timeoutSec: 2, policy: { pipelineRetry: { maximumAttempts: 1 } } });
      const cause = applicationCause(await failureOf(handle));
      expect(cause.type).toBe('PipelineTimeout');
      expect(cause.message).toMatch(/^스크립트 타임아웃: .*run\.js .* ran longer than 2 s; its process group \(2 processes, 1 needing SIGKILL\) was killed/);
      expect(Date.now() - started).toBeLessThan(30_000);
      const pids = readPids(fs.readFileSync(pidFile, 'utf8'));
      expect(pids).toHaveLength(2);
      await expectGone(pids);
      expect((await stepLog(handle.workflowId)).map((s) => s.step)).toEqual(['pipeline']);
    });
  });

  it('cancelling the run kills the process group before the run ends, and skips post-processing', async () => {
    const pidFile = path.join(tmp, 'cancel.pid');
    await withWorker({ command: [...DEMO, '--sleep', '120', '--grandchild', '--pid-file', pidFile] }, async ({ taskQueue }) => {
      const handle = await start(taskQueue, { timeoutSec: 120 });
      const pids = readPids(await waitForFile(pidFile));
      expect(pids.every(isRunning)).toBe(true);
      await handle.cancel();
      const err = await failureOf(handle);
      expect(err.cause).toBeInstanceOf(CancelledFailure);
      // The run waited for the activity to finish cancelling, so nothing is left running now.
      for (const pid of pids) expect(isRunning(pid)).toBe(false);
      await expectGone(pids);
      expect((await stepLog(handle.workflowId)).map((s) => s.step)).toEqual(['pipeline']);
    });
  });

  it('worker shutdown kills the process group of a running pipeline', async () => {
    const pidFile = path.join(tmp, 'shutdown.pid');
    let workflowId = '';
    await withWorker({ command: [...DEMO, '--sleep', '120', '--grandchild', '--pid-file', pidFile], shutdownGraceTime: '300ms' }, async ({ taskQueue, shutdown }) => {
      const handle = await start(taskQueue, { timeoutSec: 120 });
      workflowId = handle.workflowId;
      const pids = readPids(await waitForFile(pidFile));
      expect(pids.every(isRunning)).toBe(true);
      await shutdown();
      for (const pid of pids) expect(isRunning(pid)).toBe(false);
      await expectGone(pids);
    });
    await client.workflow.getHandle(workflowId).terminate('test over');
  });
});
