/**
 * `raiseOpsAlert`: how a workflow records an operations alert (workflows cannot touch the
 * database). The run's ids are taken from the activity context when the caller leaves them out.
 */
import { Context } from '@temporalio/activity';
import { type AlertInput, raiseAlert } from '../db/alerts';
import type { ActivityDeps } from './deps';

export type RaiseOpsAlertInput = Omit<AlertInput, 'dedupeWindowMin'>;

/** The alert's ids of the calling workflow run, when there is one. */
export function callerRunIds(): { workflowId: string | null; runId: string | null } {
  const exec = Context.current().info.workflowExecution;
  return { workflowId: exec?.workflowId ?? null, runId: exec?.runId ?? null };
}

export function raiseWithDeps(deps: ActivityDeps, input: RaiseOpsAlertInput): Promise<number> {
  const ids = callerRunIds();
  return raiseAlert(deps.db, {
    ...input,
    workflowId: input.workflowId ?? ids.workflowId,
    runId: input.runId ?? ids.runId,
    dedupeWindowMin: deps.cfg.ALERT_DEDUPE_WINDOW_MIN,
  });
}

export function alertActivities(deps: ActivityDeps) {
  return {
    async raiseOpsAlert(input: RaiseOpsAlertInput): Promise<{ alertId: number }> {
      return { alertId: await raiseWithDeps(deps, input) };
    },
  };
}
