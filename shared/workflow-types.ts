/**
 * The workflow types the collection worker runs (the exports of workflows/index.ts), by name, for code
 * that must not load workflow code: the schedule catalog's validation and the task-queue roles.
 * tests/workflow-types.test.ts holds this list to workflows/index.ts, at compile time and at run time.
 */
export const WORKFLOW_TYPES = [
  'dailyCollection',
  'counterpartyRiskReport',
  'dailyPipeline',
  'priceBackfill',
  'dartFinancials',
  'weeklyRefresh',
  'monthlyProducts',
  'quarterlyCorporateActions',
  'chainSlot',
  'initialLoad',
  'priceRangeBackfill',
  'recomputeTicker',
  'dailyMarketEmail',
  'watchlistScoreAlerts',
  'opsWatchdog',
] as const;

export type WorkflowType = (typeof WORKFLOW_TYPES)[number];

export function isWorkflowType(name: string): name is WorkflowType {
  return (WORKFLOW_TYPES as readonly string[]).includes(name);
}
