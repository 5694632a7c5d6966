/**
 * The operations of `npm run ops` as a library (the CLI in scripts/ops.ts is a thin shell, and
 * the tests call these directly). Every operation is a workflow start under a deterministic id,
 * so the same work started twice — from here, the Web UI or `temporal workflow start` with the
 * same id — either joins the run already going or is refused naming it (seed 003's 409).
 */
import { type Client, WorkflowExecutionAlreadyStartedError, type WorkflowIdConflictPolicy } from '@temporalio/client';
import type { IsoDate } from '../calendar/trading-calendar';
import { CHAINS, type ChainName, chainRunId } from '../shared/chains';
import { CHAIN } from '../shared/search-attributes';
import { type TaskQueues, taskQueueFor } from '../shared/task-queues';
import { runStartOptions } from '../shared/workflow-run-policy';
import type { ChainPolicy } from '../workflows/policy';

export interface StartedOperation {
  workflowId: string;
  runId: string;
  /** True when the run was already going and this start joined it. */
  joined: boolean;
}

export class OperationRefused extends Error {
  constructor(
    readonly workflowId: string,
    readonly runningRunId: string,
    readonly startedAt: Date | undefined,
  ) {
    super(
      `refused: ${workflowId} is already running (run ${runningRunId}${startedAt ? `, started ${startedAt.toISOString()}` : ''}). ` +
        'Watch it with `npm run ops -- progress ' + workflowId + '`, join it with --join, or cancel it first.',
    );
    this.name = 'OperationRefused';
  }
}

export interface OperationSpec {
  workflowType: string;
  workflowId: string;
  args: unknown[];
  /** 'join': attach to a running one (USE_EXISTING); 'refuse': fail naming it (FAIL). */
  onConflict: 'join' | 'refuse';
  chain?: ChainName;
}

/** `queues`: each role's queue (the operation goes to its workflow's, shared/task-queues.ts), or one queue for all. */
export async function startOperation(client: Client, queues: TaskQueues | string, spec: OperationSpec): Promise<StartedOperation> {
  const policy: WorkflowIdConflictPolicy = spec.onConflict === 'join' ? 'USE_EXISTING' : 'FAIL';
  // What runs under the id before we ask: USE_EXISTING hands back that run without saying so
  // (SDK 1.24 drops the response's `started` flag), so a matching run id means we joined it.
  const before = await client.workflow.getHandle(spec.workflowId).describe().catch(() => undefined);
  const runningBefore = before?.status.name === 'RUNNING' ? before.runId : undefined;
  try {
    const handle = await client.workflow.start(spec.workflowType, {
      taskQueue: taskQueueFor(queues, spec.workflowType),
      workflowId: spec.workflowId,
      args: spec.args,
      workflowIdConflictPolicy: policy,
      ...runStartOptions(spec.workflowType),
      typedSearchAttributes: spec.chain ? [{ key: CHAIN, value: spec.chain }] : undefined,
      staticSummary: `ops: ${spec.workflowType} ${spec.workflowId}`,
    });
    return { workflowId: spec.workflowId, runId: handle.firstExecutionRunId, joined: handle.firstExecutionRunId === runningBefore };
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    const d = await client.workflow.getHandle(spec.workflowId).describe();
    throw new OperationRefused(spec.workflowId, d.runId, d.startTime);
  }
}

export const PRICE_BACKFILL_ID = 'ops-price-backfill';
export const INITIAL_LOAD_ID = 'ops-initial-load';

export function rerunChain(chain: ChainName, date: IsoDate, join: boolean): OperationSpec {
  return { workflowType: CHAINS[chain].workflowType, workflowId: chainRunId(chain, date), args: [{ asOf: date }], onConflict: join ? 'join' : 'refuse', chain };
}

export function backfillPrices(from: IsoDate, to: IsoDate, policy?: Partial<ChainPolicy>): OperationSpec {
  return { workflowType: 'priceRangeBackfill', workflowId: PRICE_BACKFILL_ID, args: [{ from, to, policy }], onConflict: 'refuse' };
}

export function recomputeTicker(ticker: string): OperationSpec {
  return { workflowType: 'recomputeTicker', workflowId: `ops-recompute-${ticker}`, args: [{ ticker }], onConflict: 'join' };
}

export function initialLoad(input: { backfillDays?: number; skip?: ChainName[] }): OperationSpec {
  return { workflowType: 'initialLoad', workflowId: INITIAL_LOAD_ID, args: [input], onConflict: 'refuse' };
}

export interface ScheduleStatus {
  /** The schedule id, or '(no schedule)' when the server has none under it. */
  schedule: string;
  paused: boolean;
  /** The schedule's note (why it is paused, or its description). */
  note?: string;
  lastRun?: { workflowId: string; runId: string; status: string; startedAt: Date; closedAt?: Date; seconds?: number };
  nextFire?: Date;
}

export interface ChainStatus extends ScheduleStatus {
  chain: ChainName;
}

/** A schedule's state and next fire time, and the latest run of `workflowType` (scheduled or not). */
export async function scheduleStatus(client: Client, scheduleId: string, workflowType: string): Promise<ScheduleStatus> {
  const row: ScheduleStatus = { schedule: scheduleId, paused: false };
  try {
    const s = await client.schedule.getHandle(scheduleId).describe();
    row.paused = s.state.paused;
    row.note = s.state.note;
    row.nextFire = s.info.nextActionTimes[0];
  } catch {
    row.schedule = '(no schedule)';
  }
  for await (const w of client.workflow.list({ query: `WorkflowType = '${workflowType}'`, pageSize: 1 })) {
    const closedAt = w.closeTime ?? undefined;
    row.lastRun = {
      workflowId: w.workflowId,
      runId: w.runId,
      status: w.status.name,
      startedAt: w.startTime,
      closedAt,
      seconds: closedAt ? (closedAt.getTime() - w.startTime.getTime()) / 1000 : undefined,
    };
    break;
  }
  return row;
}

/** Each chain's latest run (scheduled or not) and its schedule's next fire time. */
export async function chainStatus(client: Client): Promise<ChainStatus[]> {
  const out: ChainStatus[] = [];
  for (const chain of Object.keys(CHAINS) as ChainName[]) out.push({ chain, ...(await scheduleStatus(client, chain, CHAINS[chain].workflowType)) });
  return out;
}

export { renderProgress } from '../shared/progress-bars';
