/**
 * Queue mode (the job decides its next delay: one long-lived workflow with durable timers and
 * continue-as-new) across a worker restart, and scope isolation: real and mock share no namespace
 * or task queue, so a mock job never reaches a real worker.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { applyJobs, deleteJobSchedule, runNow } from '../jobs/operations';
import { jobSpecOf } from '../jobs/catalog';
import { queueLoopWorkflowId } from '../shared/jobs';
import { eventually, jobEntry, type JobScopeHarness, jobScopeHarness, testNamespace, uniqueJobId } from './helpers/jobs';
import { type ScratchDb, scratchDatabase } from './helpers/services';

let scratch: ScratchDb;
const harnesses: JobScopeHarness[] = [];

beforeAll(async () => {
  scratch = await scratchDatabase('jobs_queue');
});

afterAll(async () => {
  for (const h of harnesses) await h.close();
  await scratch?.drop();
});

async function harness(scope: 'real' | 'mock', startWorkers = true): Promise<JobScopeHarness> {
  const h = await jobScopeHarness(scope, scratch, { startWorkers });
  harnesses.push(h);
  return h;
}

async function runsOf(jobId: string, scope?: string) {
  let q = scratch.db.selectFrom('job_runs').selectAll().where('job_id', '=', jobId);
  if (scope) q = q.where('scope', '=', scope as 'real' | 'mock');
  return q.orderBy('started_at').execute();
}

const finished = async (jobId: string) => (await runsOf(jobId)).filter((r) => r.status !== 'running');

describe('queue mode', () => {
  it('one long-lived loop reschedules by next_delay_sec and keeps going across a worker restart', async () => {
    const h = await harness('mock');
    const e = jobEntry('mock', uniqueJobId('queue'), 'buy-scanner', {
      reschedule_mode: 'queue', cron_expr: undefined, interval_seconds: 3600, default_params: { next_delay_sec: 1 },
    });
    await applyJobs(h.client, [e], 'mock'); // creates the schedule, which bootstraps the loop at once
    const loop = h.client.workflow.getHandle(queueLoopWorkflowId(e.job_id));
    await eventually(async () => ((await finished(e.job_id)).length >= 2 ? true : undefined), 'two queue-mode runs');
    const firstLoopRun = (await loop.describe()).runId;

    await h.stopWorkers();
    const countWhileDown = (await finished(e.job_id)).length;
    await h.startWorkers();
    await eventually(async () => ((await finished(e.job_id)).length >= countWhileDown + 3 ? true : undefined), 'three more runs after the restart');

    const rows = await finished(e.job_id);
    expect(rows[0]!.trigger_source).toBe('scheduler'); // the bootstrap's first run
    expect(rows.slice(1).every((r) => r.trigger_source === 'auto-reschedule')).toBe(true);
    expect(rows.every((r) => r.status === 'succeeded' && r.next_delay_sec === 1)).toBe(true);
    // Each run started after the one before it ended: one loop, not a chain of overlapping executions.
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.started_at.getTime()).toBeGreaterThanOrEqual(rows[i - 1]!.ended_at!.getTime());
    // Still the same workflow id, running, and no second loop was started by a scheduled tick.
    const desc = await loop.describe();
    expect(desc.status.name).toBe('RUNNING');
    expect(firstLoopRun).toBeTruthy();

    // Deleting the job ends its loop.
    await deleteJobSchedule(h.client, e.job_id);
    expect(await loop.result()).toMatchObject({ ended: 'the job schedule was deleted' });
  });

  it('continues as new after runsPerExecution runs and carries the run count', async () => {
    const h = harnesses[0]!;
    const e = jobEntry('mock', uniqueJobId('queue-can'), 'scout', { reschedule_mode: 'queue', cron_expr: undefined, interval_seconds: 3600, default_params: { next_delay_sec: 1, top: 1 } });
    // The loop reads its state from the schedule, so the job needs one; created paused (no bootstrap), then resumed,
    // and the loop is started directly with a small runsPerExecution.
    await applyJobs(h.client, [{ ...e, enabled: false }], 'mock');
    await h.client.schedule.getHandle(e.job_id).unpause();
    const handle = await h.client.workflow.start('queueJob', {
      taskQueue: 'mock.jobs', workflowId: queueLoopWorkflowId(e.job_id), args: [{ spec: jobSpecOf(e), runs: 0, trigger: 'scheduler', runsPerExecution: 2 }],
    });
    await eventually(async () => ((await finished(e.job_id)).length >= 5 ? true : undefined), 'five runs');
    const current = await h.client.workflow.getHandle(handle.workflowId).describe();
    expect(current.runId).not.toBe(handle.firstExecutionRunId); // continued as new at least twice
    const status = await h.client.workflow.getHandle(handle.workflowId).query<{ runs: number }>('queueJobStatus');
    expect(status.runs).toBeGreaterThanOrEqual(4);
    await deleteJobSchedule(h.client, e.job_id);
    await h.client.workflow.getHandle(handle.workflowId).result();
  });
});

describe('scope isolation', () => {
  it('real and mock use different namespaces and queues; a mock job never reaches a real worker', async () => {
    expect(testNamespace('real')).not.toBe(testNamespace('mock'));
    for (const x of harnesses) await x.stopWorkers(); // no mock worker may run until the test starts one
    const real = await harness('real');
    const mock = await harness('mock', false);
    const realJob = jobEntry('real', uniqueJobId('iso'), 'buy-scanner');
    const mockJob = { ...jobEntry('mock', realJob.job_id, 'buy-scanner') };
    await applyJobs(real.client, [realJob, mockJob], 'real');
    await applyJobs(mock.client, [realJob, mockJob], 'mock');
    // Each namespace holds only its scope's schedule of the job.
    expect((await real.client.schedule.getHandle(realJob.job_id).describe()).action).toMatchObject({ taskQueue: 'real.jobs' });
    expect((await mock.client.schedule.getHandle(mockJob.job_id).describe()).action).toMatchObject({ taskQueue: 'mock.jobs' });

    // With only real workers up, the mock run stays queued in its namespace while a real run completes.
    const mockRun = await runNow(mock.client, mockJob.job_id);
    const realRun = await runNow(real.client, realJob.job_id);
    expect((await realRun.result()).status).toBe('succeeded');
    const mockDesc = await mock.client.workflow.getHandle(mockRun.workflowId).describe();
    expect(mockDesc.status.name).toBe('RUNNING');
    expect(await runsOf(mockJob.job_id, 'mock')).toEqual([]); // not even its start was recorded: no mock worker took it
    expect(await real.metrics.runCount({ job_id: realJob.job_id, scope: 'mock' })).toBe(0);
    // The real namespace has no such workflow at all.
    await expect(real.client.workflow.getHandle(mockRun.workflowId, mockRun.runId).describe()).rejects.toThrow(WorkflowNotFoundError);

    // The mock worker picks it up once it runs.
    await mock.startWorkers();
    expect((await mockRun.result()).status).toBe('succeeded');
    expect((await runsOf(mockJob.job_id, 'mock')).map((r) => r.scope)).toEqual(['mock']);
    expect(await mock.metrics.runCount({ job_id: mockJob.job_id, scope: 'mock', status: 'succeeded' })).toBe(1);
    expect(await real.metrics.runCount({ job_id: mockJob.job_id, scope: 'mock' })).toBe(0);
  });

  it('a mock job started in the real namespace by mistake targets mock queues, which no real worker polls', async () => {
    const real = harnesses.find((x) => x.scope === 'real')!;
    const jobId = uniqueJobId('stray');
    const mockSpec = jobSpecOf(jobEntry('mock', jobId, 'buy-scanner'));
    // The real control worker runs the workflow (it is on real.jobs), but the work goes to mock.jobs.buy-scanner.
    const stray = await real.client.workflow.start('runJob', { taskQueue: 'real.jobs', workflowId: `stray-${jobId}`, args: [{ spec: mockSpec, trigger: 'manual', slot: 0 }] });
    const pending = await eventually(async () => (await stray.describe()).raw.pendingActivities?.[0] ?? undefined, 'the stray run to schedule its work');
    expect(pending.activityType?.name).toBe('runServiceJob');
    // A real run completes meanwhile, on the same real workers…
    const realJob = jobEntry('real', uniqueJobId('iso2'), 'buy-scanner');
    await applyJobs(real.client, [realJob], 'real');
    expect((await (await runNow(real.client, realJob.job_id)).result()).status).toBe('succeeded');
    // …and the stray work was never picked up: no attempt started, nothing counted.
    const after = (await stray.describe()).raw.pendingActivities?.[0];
    expect(after?.lastStartedTime ?? null).toBeNull();
    expect(after?.attempt).toBe(1);
    expect(await real.metrics.runCount({ job_id: jobId })).toBe(0);
    await stray.terminate('test done');
  });
});
