/**
 * How long a run of each workflow type may take and whether Temporal retries it: one table for every
 * place that starts a workflow (the schedule catalog, child starts in workflows, `npm run ops`, the API).
 * workflows/policy.ts re-exports it beside the activity retry policies and checks at compile time that it
 * names every exported workflow; it lives in shared/ so that schedules/ and client/ read it without
 * loading workflow code.
 *
 * No workflow retries as a whole (`retry: null`, Temporal's default for workflows): every activity has its
 * own retry policy, and a run that fails anyway has failed for a reason a rerun would meet again; the next
 * slot, an operator's rerun or the parent decides. No execution timeout either: where a chain of runs
 * (continue-as-new) must be bounded, each run is.
 */
import type { Duration, RetryPolicy } from '@temporalio/common';
import type { ChainName } from './chains';
import type { WorkflowType } from './workflow-types';

export interface WorkflowRunPolicy {
  /**
   * Bound of one run: past it the run times out, and under overlap SKIP no longer holds back later slots.
   * null: not bounded, on purpose. 'per chain': chainSlot's, CHAIN_SLOT_RUN_TIMEOUT by the chain it runs.
   * 'per job': the service job's timeout_sec + RUN_BOOKKEEPING_SEC (shared/jobs.ts, jobs/schedules.ts).
   */
  runTimeout: Duration | null | 'per chain' | 'per job';
  /** Bound of the whole execution, continue-as-new included; null: none. */
  executionTimeout: Duration | null;
  /** Retry of the whole workflow; null: none. */
  retry: RetryPolicy | null;
}

const UNBOUNDED: WorkflowRunPolicy = { runTimeout: null, executionTimeout: null, retry: null };
const within = (runTimeout: Duration): WorkflowRunPolicy => ({ runTimeout, executionTimeout: null, retry: null });

/** The workflow types of the job workers (workflows/jobs), which run the seed 002 service jobs. */
export type JobWorkflowType = 'runJob' | 'scheduledJob' | 'queueJobBootstrap' | 'queueJob' | 'priceMonitor';

export const WORKFLOW_RUN_POLICY: Record<WorkflowType | JobWorkflowType, WorkflowRunPolicy> = {
  // The chains are bounded by the schedule slot that runs them (chainSlot). An operator's rerun and the
  // initial load run them unbounded: a spent daily quota makes them wait, durably, until midnight KST.
  dailyCollection: UNBOUNDED,
  weeklyRefresh: UNBOUNDED,
  monthlyProducts: UNBOUNDED,
  quarterlyCorporateActions: UNBOUNDED,
  // Children of a chain, ended with it (parent close policy TERMINATE): their parent's bound is theirs.
  priceBackfill: UNBOUNDED,
  dartFinancials: UNBOUNDED,
  chainSlot: { runTimeout: 'per chain', executionTimeout: null, retry: null },
  // Started by operators, who watch them with `npm run ops -- progress`: a five-year backfill takes hours and may wait for quotas.
  initialLoad: UNBOUNDED,
  priceRangeBackfill: UNBOUNDED,
  recomputeTicker: UNBOUNDED,
  // The report of a day takes minutes; an hour means the SalesMap DB never settled, and its date stays locked until the run ends.
  counterpartyRiskReport: within('1 hour'),
  // Two attempts of at most 25 minutes (PIPELINE_TIMEOUT_SEC ≤ 1500) plus post-processing fit in it.
  dailyPipeline: within('1 hour'),
  dailyMarketEmail: within('1 hour'),
  watchlistScoreAlerts: within('1 hour'),
  // The next run is 15 minutes away and checks everything again.
  opsWatchdog: within('10 minutes'),
  runJob: { runTimeout: 'per job', executionTimeout: null, retry: null },
  scheduledJob: { runTimeout: 'per job', executionTimeout: null, retry: null },
  queueJobBootstrap: { runTimeout: 'per job', executionTimeout: null, retry: null },
  // Loops that continue as new until their job's schedule or a signal stops them.
  queueJob: UNBOUNDED,
  priceMonitor: UNBOUNDED,
};

/** chainSlot's run timeout by the chain it runs: a slot that cannot finish its chain in this time is stuck. */
export const CHAIN_SLOT_RUN_TIMEOUT: Record<ChainName, Duration> = {
  'daily-collection': '6 hours',
  'weekly-refresh': '12 hours',
  'monthly-products': '24 hours',
  'quarterly-corporate-actions': '12 hours',
};

export interface RunStartOptions {
  workflowRunTimeout?: Duration;
  workflowExecutionTimeout?: Duration;
  retry?: RetryPolicy;
}

/**
 * The start options of a run of `workflowType` (chainSlot: of `chain`): its bounds and retry policy,
 * each left out where the table has none, so that a start without bounds stays exactly as it was.
 */
export function runStartOptions(workflowType: string, chain?: ChainName): RunStartOptions {
  const policy = (WORKFLOW_RUN_POLICY as Record<string, WorkflowRunPolicy | undefined>)[workflowType];
  if (!policy) throw new TypeError(`workflow type ${workflowType} has no run policy: add it to WORKFLOW_RUN_POLICY in shared/workflow-run-policy.ts`);
  let run = policy.runTimeout;
  if (run === 'per chain') {
    if (!chain) throw new TypeError(`${workflowType} is bounded per chain: say which chain it runs`);
    run = CHAIN_SLOT_RUN_TIMEOUT[chain];
    if (run === undefined) throw new TypeError(`${workflowType} runs no chain "${chain}" (${Object.keys(CHAIN_SLOT_RUN_TIMEOUT).join(', ')})`);
  }
  if (run === 'per job') throw new TypeError(`${workflowType} is bounded per job: its start options come from the job (shared/jobs.ts runSlotStartOptions)`);
  return {
    ...(run !== null && { workflowRunTimeout: run }),
    ...(policy.executionTimeout !== null && { workflowExecutionTimeout: policy.executionTimeout }),
    ...(policy.retry !== null && { retry: policy.retry }),
  };
}
