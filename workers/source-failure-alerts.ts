/**
 * Raises an ops_alert the moment an activity fails with a failure marked for the operator
 * (`details[0].alert`, set by activities/failures.ts for every non-retryable source failure:
 * an expired key, a refused request, a malformed body). One interceptor on the worker covers
 * every activity, so no activity can forget it; raiseAlert's dedupe window keeps a failure
 * that repeats (retries, reruns) to one open alert with a count.
 */
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { ApplicationFailure } from '@temporalio/common';
import type { ActivityDeps } from '../activities/deps';
import type { FailureDetails } from '../activities/failures';
import { raiseAlert } from '../db/alerts';

export function sourceFailureAlerts(deps: ActivityDeps): ActivityInterceptorsFactory {
  return (ctx) => ({
    inbound: {
      async execute(input, next) {
        try {
          return await next(input);
        } catch (err) {
          const details = err instanceof ApplicationFailure ? (err.details?.[0] as FailureDetails | undefined) : undefined;
          if (details?.alert) {
            const info = ctx.info;
            await raiseAlert(deps.db, {
              alertType: 'source_failure',
              severity: 'critical',
              title: `[데이터 수집 실패] ${details.source}${details.code ? ` ${details.code}` : ''} (${info.activityType})`,
              message: (err as Error).message,
              source: details.source,
              workflowId: info.workflowExecution?.workflowId ?? null,
              runId: info.workflowExecution?.runId ?? null,
              dedupeKey: `source_failure|${details.source}|${details.code ?? ''}|${info.activityType}`,
            }).catch((e: unknown) => ctx.log.warn('could not record the alert', { error: (e as Error).message }));
          }
          throw err;
        }
      },
    },
  });
}
