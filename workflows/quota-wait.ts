/**
 * Runs an activity call again after each 'SourceQuotaWait' failure, once the quota has
 * reset. The wait is a durable timer: a worker restart or a deploy in between loses nothing,
 * and the Web UI shows the timer and the reason in the workflow's history and progress.
 */
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import type { Duration } from '@temporalio/common';
import { log, sleep } from '@temporalio/workflow';
import { durationMs } from '../shared/duration';
import { QUOTA_WAIT_FAILURE, type QuotaWaitDetails } from '../shared/quota-wait';

export interface QuotaWaitHooks {
  /** Told before each wait, e.g. to show "waiting for the dart quota" in the progress query. */
  onWait?: (details: QuotaWaitDetails) => void;
  /** Told when the call is made again after a wait. */
  onResume?: () => void;
  /** Longest single wait before asking again (ChainPolicy.quotaRecheck); default: the whole wait. */
  recheck?: Duration;
}

export function quotaWaitOf(err: unknown): QuotaWaitDetails | undefined {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (!(cause instanceof ApplicationFailure) || cause.type !== QUOTA_WAIT_FAILURE) return undefined;
  const d = cause.details?.[0] as QuotaWaitDetails | undefined;
  return d && typeof d.waitMs === 'number' ? d : undefined;
}

export async function untilQuotaAllows<T>(call: () => Promise<T>, hooks: QuotaWaitHooks = {}): Promise<T> {
  for (;;) {
    try {
      return await call();
    } catch (err) {
      const wait = quotaWaitOf(err);
      if (!wait) throw err;
      log.warn('source quota spent; waiting for its reset', { source: wait.source, code: wait.code, waitMs: wait.waitMs });
      hooks.onWait?.(wait);
      await sleep(hooks.recheck === undefined ? wait.waitMs : Math.min(wait.waitMs, durationMs(hooks.recheck)));
      hooks.onResume?.();
    }
  }
}
