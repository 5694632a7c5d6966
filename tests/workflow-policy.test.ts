/**
 * Every workflow's run bounds and retry policy come from one table (shared/workflow-run-policy.ts,
 * re-exported by workflows/policy.ts): it names every workflow both bundles export, and the places that
 * start workflows (the schedule catalog, the ops CLI, the report API) take their options from it.
 */
import * as collectionWorkflows from '../workflows';
import * as jobWorkflows from '../workflows/jobs';
import { catalog } from '../schedules/catalog';
import { buildScheduleOptions } from '../schedules/options';
import { CHAINS, type ChainName } from '../shared/chains';
import { CHAIN_SLOT_RUN_TIMEOUT, RUN_POLICY_NAMES_EVERY_WORKFLOW, runStartOptions, WORKFLOW_RUN_POLICY } from '../workflows/policy';

const functionsOf = (module: object) => Object.entries(module).filter(([, v]) => typeof v === 'function').map(([k]) => k);

describe('workflow run policy', () => {
  it('has an entry for every workflow type either bundle exports, and none for anything else', () => {
    expect(RUN_POLICY_NAMES_EVERY_WORKFLOW).toBe(true); // the compile-time half
    const exported = [...functionsOf(collectionWorkflows), ...functionsOf(jobWorkflows)].sort();
    expect(Object.keys(WORKFLOW_RUN_POLICY).sort()).toEqual(exported);
  });

  it('retries no workflow as a whole and bounds no execution: each says so explicitly', () => {
    for (const [type, p] of Object.entries(WORKFLOW_RUN_POLICY)) {
      expect([type, p.retry, p.executionTimeout]).toEqual([type, null, null]);
      expect(p.runTimeout).not.toBeUndefined();
    }
  });

  it('gives start options only where the table has a bound, so that unbounded starts are unchanged', () => {
    expect(runStartOptions('dailyCollection')).toEqual({});
    expect(runStartOptions('priceBackfill')).toEqual({});
    expect(runStartOptions('counterpartyRiskReport')).toEqual({ workflowRunTimeout: '1 hour' });
    expect(runStartOptions('opsWatchdog')).toEqual({ workflowRunTimeout: '10 minutes' });
    expect(runStartOptions('chainSlot', 'monthly-products')).toEqual({ workflowRunTimeout: '24 hours' });
    expect(() => runStartOptions('chainSlot')).toThrow('chainSlot is bounded per chain: say which chain it runs');
    expect(() => runStartOptions('runJob')).toThrow(/bounded per job/);
    expect(() => runStartOptions('noSuchWorkflow')).toThrow('workflow type noSuchWorkflow has no run policy: add it to WORKFLOW_RUN_POLICY');
  });

  it('is the run timeout of every schedule the catalog applies', () => {
    expect(Object.keys(CHAIN_SLOT_RUN_TIMEOUT).sort()).toEqual(Object.keys(CHAINS).sort());
    for (const entry of catalog()) {
      const chain = entry.workflowType === 'chainSlot' ? (entry.args[0].chain as ChainName) : undefined;
      const { options } = buildScheduleOptions(entry, { taskQueue: 'q', scope: 'mock' });
      expect([entry.id, options.action.workflowRunTimeout]).toEqual([entry.id, runStartOptions(entry.workflowType, chain).workflowRunTimeout]);
      expect(options.action).not.toHaveProperty('retry');
      expect(options.action).not.toHaveProperty('workflowExecutionTimeout');
    }
    const daily = catalog().find((e) => e.id === 'daily-collection')!;
    expect(buildScheduleOptions(daily, { taskQueue: 'q', scope: 'mock' }).options.action.workflowRunTimeout).toBe('6 hours');
  });
});
