/**
 * Starting the counterparty-risk report from outside a workflow (API, scripts), with the
 * per-date workflow id as the lock: a start while that date's report runs joins it
 * (USE_EXISTING); a start after it finished makes a new one (ALLOW_DUPLICATE).
 */
import { randomUUID } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { COUNTERPARTY_RISK_CHAIN, counterpartyReportWorkflowId, type ReportRunSettings } from '../shared/counterparty-risk';
import { CHAIN, TRADING_DATE } from '../shared/search-attributes';
import { type TaskQueues, taskQueueFor } from '../shared/task-queues';
import { runStartOptions } from '../shared/workflow-run-policy';
import type { counterpartyRiskReport, ReportTrigger } from '../workflows/counterparty-risk-report';

const REPORT_WORKFLOW = 'counterpartyRiskReport';

export interface StartedReport {
  handle: WorkflowHandle<typeof counterpartyRiskReport>;
  workflowId: string;
  runId: string;
  /** True when a run for the date was already going and this start joined it. */
  joined: boolean;
}

export async function startOrJoinReport(
  client: Client,
  /** `taskQueues`: each role's queue (the report goes to the reports queue, shared/task-queues.ts), or one queue for all. */
  o: { asOf: string; trigger: ReportTrigger; taskQueues: TaskQueues | string; settings?: Partial<ReportRunSettings> },
): Promise<StartedReport> {
  const workflowId = counterpartyReportWorkflowId(o.asOf);
  // The server does not say whether USE_EXISTING started or joined; the memo of the run it
  // returns does: only a run this call started carries this call's request id.
  const startRequest = randomUUID();
  const handle = await client.workflow.start<typeof counterpartyRiskReport>(REPORT_WORKFLOW, {
    taskQueue: taskQueueFor(o.taskQueues, REPORT_WORKFLOW),
    workflowId,
    args: [{ asOf: o.asOf, trigger: o.trigger, settings: o.settings }],
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    ...runStartOptions(REPORT_WORKFLOW),
    typedSearchAttributes: [
      { key: CHAIN, value: COUNTERPARTY_RISK_CHAIN },
      { key: TRADING_DATE, value: o.asOf },
    ],
    memo: { trigger: o.trigger, startRequest },
    staticSummary: `counterparty-risk report for ${o.asOf} (${o.trigger})`,
  });
  const runId = handle.firstExecutionRunId;
  const described = await client.workflow.getHandle(workflowId, runId).describe();
  return { handle, workflowId, runId, joined: described.memo?.startRequest !== startRequest };
}
