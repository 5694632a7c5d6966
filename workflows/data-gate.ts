/**
 * Blocking data checks (seed 001 Part 4.2) between the steps of a chain: the checks of one data
 * group run as an activity that stores every result and raises an alert for each failure; a
 * failed check stops the workflow here, so no step that depends on that data runs on it.
 */
import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { StepProgress } from '../shared/progress';

export const DATA_CHECK_FAILED = 'DataCheckFailed';

const checks = proxyActivities<Activities>({ startToCloseTimeout: '5 minutes', retry: { initialInterval: '5s', maximumAttempts: 3 } });

export async function requireData(chain: string, group: string, asOf: string, step?: StepProgress): Promise<void> {
  const r = await checks.runDataChecks({ chain, group, asOf });
  if (r.ok) return;
  const failed = r.results.filter((x) => !x.ok);
  const what = failed.map((f) => `${f.name}: expected ${f.expected}, found ${f.found}`).join('; ');
  if (step) Object.assign(step, { state: 'failed', note: `data check failed: ${what}` });
  throw ApplicationFailure.nonRetryable(`data check '${group}' failed (${what}); the steps that depend on it did not run`, DATA_CHECK_FAILED, { group, failed });
}
