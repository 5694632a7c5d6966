/**
 * The schedule catalog is typed against the workflow functions: an entry whose arguments the workflow
 * does not take fails `tsc` (npm test type-checks before jest runs). Each `@ts-expect-error` below is
 * such an entry; if the catalog stopped catching it, the directive itself would fail to compile.
 */
import { CATALOG, type ScheduleEntry, starts } from '../schedules/catalog';

/** Never called: it is here for tsc, which must find each marked line wrong. */
function entriesThatDoNotCompile(base: ScheduleEntry): unknown[] {
  return [
    // @ts-expect-error chainSlot's input has no chain "daily-collections"
    starts('chainSlot', { chain: 'daily-collections' }),
    // @ts-expect-error chainSlot takes an input
    starts('chainSlot'),
    // @ts-expect-error opsWatchdog's input has no field "schedule"
    starts('opsWatchdog', { schedule: ['x'] }),
    // @ts-expect-error there is no such workflow
    starts('dailyCollections', {}),
    {
      ...base,
      workflowType: 'dailyPipeline',
      // @ts-expect-error an entry written out by hand is checked the same way: dailyPipeline's input has no chain
      args: [{ chain: 'daily-collection' }],
    } satisfies ScheduleEntry,
  ];
}

describe('schedule catalog types', () => {
  it('takes what the workflow takes, with the run timeout of its policy', () => {
    expect(typeof entriesThatDoNotCompile).toBe('function');
    expect(starts('chainSlot', { chain: 'weekly-refresh', asOf: '2026-11-21' })).toEqual({
      workflowType: 'chainSlot', args: [{ chain: 'weekly-refresh', asOf: '2026-11-21' }], runTimeout: '12 hours',
    });
    expect(starts('opsWatchdog', { scheduleIds: ['daily-collection'], deliver: false })).toMatchObject({ runTimeout: '10 minutes' });
    expect(starts('counterpartyRiskReport')).toEqual({ workflowType: 'counterpartyRiskReport', args: [], runTimeout: '1 hour' });
    expect(CATALOG.every((e) => e.runTimeout)).toBe(true);
  });

  it('refuses at run time a chain it does not know, and a scheduled workflow without a run timeout', () => {
    expect(() => starts('chainSlot', { chain: 'daily-collections' } as never)).toThrow('chainSlot runs no chain "daily-collections" (daily-collection, weekly-refresh, monthly-products, quarterly-corporate-actions)');
    // Type-correct, but a chain started by a schedule directly would run unbounded: chainSlot is what bounds it.
    expect(() => starts('dailyCollection')).toThrow('dailyCollection has no run timeout in WORKFLOW_RUN_POLICY: a scheduled run without one can hold back every later slot');
  });
});
