/**
 * Raises an ops_alert from an activity's source failure, on the worker, so that no activity
 * can forget it:
 * - a failure marked for the operator (`details[0].alert`, set by activities/failures.ts for
 *   every non-retryable source failure: an expired key, a refused request, a malformed body)
 *   → critical, at once;
 * - a transient failure (5xx, timeout, reset) on the SOURCE_DOWN_ALERT_ATTEMPTS-th attempt in
 *   a row → warning "not responding" (seed 001 Part 3.4's "KRX server not responding": usually
 *   recovers by itself, so the retries go on and the alert only says it is happening).
 * raiseAlert's dedupe window keeps a failure that repeats (retries, reruns, many activities on
 * one source) to one open alert with a count. With deps.metrics, every source failure is also counted
 * (source_failures_total, workers/collection-metrics.ts).
 */
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { ApplicationFailure } from '@temporalio/common';
import type { ActivityDeps } from '../activities/deps';
import { FAILURE_TYPES, type FailureDetails } from '../activities/failures';
import { type AlertInput, raiseAlert } from '../db/alerts';

export function sourceFailureAlerts(deps: ActivityDeps): ActivityInterceptorsFactory {
  return (ctx) => ({
    inbound: {
      async execute(input, next) {
        try {
          return await next(input);
        } catch (err) {
          if (!isSourceFailure(err)) throw err;
          deps.metrics?.sourceFailure(err.details[0].source, err.type, err.details[0].code);
          const alert = alertFor(err, ctx.info, deps.cfg.SOURCE_DOWN_ALERT_ATTEMPTS);
          if (alert) {
            await raiseAlert(deps.db, { ...alert, dedupeWindowMin: deps.cfg.ALERT_DEDUPE_WINDOW_MIN })
              .catch((e: unknown) => ctx.log.warn('could not record the alert', { error: (e as Error).message }));
          }
          throw err;
        }
      },
    },
  });
}

interface AttemptInfo {
  activityType: string;
  attempt: number;
  workflowExecution?: { workflowId: string; runId: string };
}

/** An activity failure that activities/failures.ts made from a source failure: its details name the source. */
type SourceFailure = ApplicationFailure & { details: [FailureDetails] };

function isSourceFailure(err: unknown): err is SourceFailure {
  return err instanceof ApplicationFailure && Boolean((err.details?.[0] as FailureDetails | undefined)?.source);
}

function alertFor(err: SourceFailure, info: AttemptInfo, downAfterAttempts: number): AlertInput | undefined {
  const details = err.details[0];
  const run = { workflowId: info.workflowExecution?.workflowId ?? null, runId: info.workflowExecution?.runId ?? null };
  if (details.alert) {
    return {
      alertType: 'source_failure',
      severity: 'critical',
      title: `[데이터 수집 실패] ${details.source}${details.code ? ` ${details.code}` : ''} (${info.activityType})`,
      message: err.message,
      source: details.source,
      ...run,
      dedupeKey: `source_failure|${details.source}|${details.code ?? ''}|${info.activityType}`,
    };
  }
  if (err.type === FAILURE_TYPES.retryable && downAfterAttempts > 0 && info.attempt >= downAfterAttempts) {
    return {
      alertType: 'source_unresponsive',
      severity: 'warning',
      title: `[소스 응답 없음] ${details.source} (${info.activityType})`,
      message: `attempt ${info.attempt} failed in a row: ${err.message} (retries continue; the source usually recovers by itself)`,
      source: details.source,
      ...run,
      // One open alert per source, however many activities and attempts hit it.
      dedupeKey: `source_unresponsive|${details.source}`,
    };
  }
  return undefined;
}
